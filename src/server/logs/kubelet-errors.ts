// What a kubelet writes into a log body when it stops reading the log file after the response has
// started (cri-client's ReadLogs error, written by the kubelet's `response.WriteError` after the 200):
// a sentence with no timestamp in front, where every line of the container's own output has one
// (Podscope always reads with timestamps=true). The stream then ends.

/** The starts of the errors ReadLogs returns while following (cri-client pkg/logs, 1.35–1.37). */
const FOLLOW_ERRORS =
  /^failed to (create fsnotify watcher|watch directory|read log file|reset seek in log file|open log file|get parse function)\b/;

/** A line whose start is the kubelet's RFC 3339 timestamp and a space (`2026-11-30T10:00:00.1Z …`). */
const TIMESTAMPED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}) /;

/**
 * The kubelet's own error in a followed log body, or null for a line of the container's output. Only a
 * line without a timestamp can be one, so nothing the container prints is ever taken for it.
 */
export function kubeletFollowError(raw: string): string | null {
  if (TIMESTAMPED.test(raw)) return null;
  const text = raw.trim();
  return FOLLOW_ERRORS.test(text) ? text : null;
}

/** The sentence a user reads when the kubelet stopped a follow with `error`. */
export function describeKubeletFollowError(error: string): string {
  const hint = /fsnotify watcher: too many open files/.test(error)
    ? " (the node is out of inotify instances: raise the node's fs.inotify.max_user_instances)"
    : /no space left on device/.test(error) && /watch/.test(error)
      ? " (the node is out of inotify watches: raise the node's fs.inotify.max_user_watches)"
      : '';
  return `the node's kubelet stopped following: ${error}${hint}`;
}
