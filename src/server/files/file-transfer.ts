// Streaming a file or directory archive out of a container (cat / tar over exec, no TTY) and a request
// body into one (a one-file tar archive to `tar -x`, or tee, over exec stdin). Nothing is held in memory: back-pressure goes from the browser to
// the exec WebSocket and back. Both sides count bytes against a limit and hash what passes.
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { baseName, parentDir } from '../../shared/debug/container-paths.js';
import type { ExecStatus } from '../../shared/exec/channel.js';
import { execCollect, openExec, type ExecConnection } from '../exec/exec-connection.js';
import { PodscopeError } from '../http/errors.js';
import type { KubeClient } from '../kube/kube-client.js';
import { BUSYBOX, execPath, type FileTarget } from './container-files.js';
import { tarEnd, tarFileHeader, tarPadding } from './tar-entry.js';
import { TarFirstEntryReader, type TarEntryHeader } from './tar-first-entry.js';

export interface TransferResult {
  bytes: number;
  sha256: string;
  /** The command's exit code, null when unknown (connection dropped, cancelled). */
  exitCode: number | null;
  /** Why the transfer did not complete; undefined on success. */
  error?: string;
}

export interface DownloadResult extends TransferResult {
  /** The command's status, null when it never came (cancelled, limit). */
  status: ExecStatus | null;
  /** The start of its stderr. */
  stderr: string;
}

const STDERR_KEEP = 4096;

function exitCodeOf(s: ExecStatus): number | null {
  return s.kind === 'success' ? 0 : s.kind === 'exit' ? s.code : null;
}

/**
 * The argv that archives the one entry at `path` to stdout, not following a symbolic link: its header
 * says what the path is and, for a file, its content follows — one command where `stat` then `cat`
 * took two (as `kubectl cp` does). A fifo or device is archived as a node, never read.
 */
export function entryArchiveCommand(t: FileTarget, path: string): string[] {
  return t.wrap(['tar', 'cf', '-', '-C', execPath(t, parentDir(path)), `./${baseName(path)}`]);
}

/** Whether a command failed because its tool is missing from the image (not because of its input). */
export function missingTool(status: ExecStatus | null): boolean {
  if (status === null) return false;
  if (status.kind === 'failure')
    return /executable file not found|no such file or directory: unknown/i.test(status.message);
  // A user-switch tool (su, setpriv…) reports a command it cannot run as 126 or 127.
  return status.kind === 'exit' && (status.code === 126 || status.code === 127);
}

/** The argv that streams `path` to stdout: the file itself, or a gzipped tar of the directory. */
export function downloadCommand(t: FileTarget, path: string, directory: boolean): string[] {
  const full = execPath(t, path);
  if (!directory) return t.wrap(['cat', '--', full]);
  // `./name` so a name starting with '-' cannot be read as an option by either GNU or busybox tar.
  return t.wrap(
    path === '/'
      ? ['tar', 'czf', '-', '-C', full, '.']
      : ['tar', 'czf', '-', '-C', execPath(t, parentDir(path)), `./${baseName(path)}`],
  );
}

export interface Download {
  body: PassThrough;
  /** Resolves at the first byte or at the end, whichever comes first: a command that fails at once
   *  (permission denied…) can still be answered with an error status instead of a broken body. In
   *  `entry` mode, at the archive entry's header instead of the first byte. */
  started: Promise<void>;
  /** `entry` mode: the header of the archive's first entry, or null when the command ended without
   *  one. Otherwise null. Resolves no later than `started`. */
  header: Promise<TarEntryHeader | null>;
  done: Promise<DownloadResult>;
  cancel(reason: string): void;
}

/**
 * Streams a command's stdout into `body`. `tar`: its exit code 1 still counts as success (GNU tar, a
 * file changed while read). `entry`: stdout is `entryArchiveCommand`'s archive — the body gets only
 * the first entry's content (a file's bytes), and `header` says what the entry is.
 */
export async function openDownload(
  client: KubeClient,
  t: FileTarget,
  command: string[],
  opts: { maxBytes: number; tar: boolean; entry?: boolean },
): Promise<Download> {
  const body = new PassThrough({ highWaterMark: 256 * 1024 });
  // On this thread: a worker fed in 256 KiB batches cost more than it saved — the batch copy and
  // the messages took about what OpenSSL's sha256 (SHA instructions: ~1 ms a MB) does, and the worker's
  // own hashing came on top, on the same two cores (bench download median 0.85 off the thread, 0.99
  // on it, four alternating runs each).
  const hash = createHash('sha256');
  const reader = opts.entry ? new TarFirstEntryReader() : null;
  let resolveHeader!: (h: TarEntryHeader | null) => void;
  const header = new Promise<TarEntryHeader | null>((r) => (resolveHeader = r));
  let bytes = 0;
  let stderr = '';
  let status: ExecStatus | null = null;
  let noEntry = false;
  // Output can arrive before openExec resolves (in the same packet as the upgrade), hence a holder.
  const exec: { conn?: ExecConnection } = {};
  let settled = false;
  let resolveDone!: (r: DownloadResult) => void;
  const done = new Promise<DownloadResult>((r) => (resolveDone = r));
  let markStarted!: () => void;
  const started = new Promise<void>((r) => (markStarted = r));
  void done.then(() => {
    resolveHeader(null);
    markStarted();
  });
  const finish = (exitCode: number | null, error?: string) => {
    if (settled) return;
    settled = true;
    const outcome = { bytes, exitCode, error, status, stderr, sha256: hash.digest('hex') };
    if (error === undefined) body.end();
    // Destroying makes the HTTP response end without its final chunk: the browser sees a failed
    // download, never a silently truncated file.
    else body.destroy(new Error(error));
    exec.conn?.close();
    resolveDone(outcome);
  };
  // A failure is reported through `done`; the body may not be piped yet (a download that fails at
  // once is answered with a status), and an 'error' nobody listens to would end the process.
  body.on('error', () => undefined);
  body.on('drain', () => exec.conn?.resume());
  body.on('close', () => {
    if (!settled) finish(null, 'the browser went away before the download finished');
  });
  const deliver = (data: Buffer) => {
    bytes += data.length;
    if (bytes > opts.maxBytes) {
      finish(null, `larger than the limit of ${opts.maxBytes} bytes`);
      return;
    }
    hash.update(data);
    if (!body.write(data)) exec.conn?.pause();
  };
  exec.conn = await openExec(
    client,
    { namespace: t.namespace, pod: t.pod, container: t.execContainer, command, stdin: false, tty: false },
    {
      stdout: (data) => {
        if (settled) return;
        if (reader) {
          let events;
          try {
            events = reader.push(data);
          } catch (err) {
            finish(null, `${command[0]} sent no archive: ${(err as Error).message}`);
            return;
          }
          for (const e of events) {
            // No entry: the command could not read the path; its exit status and stderr say why.
            if (e.kind === 'empty') noEntry = true;
            if (e.kind === 'header') {
              resolveHeader(e.header);
              markStarted();
            } else if (e.kind === 'data') deliver(e.data);
            if (settled) return;
          }
          return;
        }
        // The API server opens each channel with an empty frame: only real bytes count as a start.
        if (data.length > 0) markStarted();
        deliver(data);
      },
      stderr: (data) => {
        if (stderr.length < STDERR_KEEP)
          stderr += data.toString('utf8').slice(0, STDERR_KEEP - stderr.length);
      },
      exit: (st) => {
        status = st;
        const code = exitCodeOf(st);
        // GNU tar exits 1 when a file changed while it was read: the archive is still complete.
        if ((code === 0 || (opts.tar && code === 1)) && !noEntry) finish(code);
        else {
          const why =
            st.kind === 'failure' ? st.message : stderr.trim().split('\n').pop() || `exit code ${code}`;
          finish(code, `${command[0]} failed: ${why}`);
        }
      },
    },
  );
  if (settled) exec.conn.close();
  return { body, started, header, done, cancel: (reason) => finish(null, reason) };
}

/**
 * How an upload reaches the container, best first:
 * - `tee-sha256`: `sh` runs tee into the temporary file with sha256sum reading the same stream
 *   (TEE_SHA256_SCRIPT): the container hashes what it received while it writes it, on its own time, and
 *   prints only the digest — nothing is echoed back, no size is needed up front, and no second pass
 *   re-reads the file (that pass was about 40% of a 100 MB upload). Needs sh, tee and sha256sum; dd,
 *   where the image has it, reads stdin for tee (into a pipe, not a file).
 * - `tar`: a one-file archive streamed to `tar -x` (as `kubectl cp` does) — nothing comes back, and it
 *   needs the size up front (the request's Content-Length); the file is hashed afterwards, if it can be.
 * - `tee`: the last resort (no sh, no tar, or no declared length); its stdout echoes every byte back,
 *   which is discarded.
 * Not `dd of=FILE` or `cat > FILE`: on the project's cluster (API server 1.34, containerd 1.6) those
 * lost everything after the first 32–160 KiB of stdin — `kubectl exec -i … -- dd of=…` lost the same
 * bytes — while tee, tar and cat-to-stdout receive all of it (pinned by
 * test/integration/files/files.test.ts). The sha256 check before the rename catches any loss.
 */
export type UploadMethod = { kind: 'tee-sha256' } | { kind: 'tar'; size: number } | { kind: 'tee' };

/**
 * Writes stdin to the file `$1` with tee (fed by dd where there is one) while sha256sum hashes the same
 * stream; prints the digest and exits with tee's status (a write error, a missing directory: non-zero). `$2` is the busybox to run
 * the tools with (through a debug container: the app's root may have none), or empty for PATH's. A
 * constant script: the path travels only as a positional parameter, never parsed by a shell.
 */
export const TEE_SHA256_SCRIPT = [
  'f="$1"; bb="$2"',
  'run() { if [ -n "$bb" ]; then "$bb" "$@"; else "$@"; fi; }',
  // Busybox tee reads its stdin 1 KiB at a time: the exec's stdin pipe stays full and the runtime's
  // copy into it (containerd, its shim) wakes up for every 4 KiB page tee frees. dd, where there is
  // one, empties that pipe in 64 KiB reads and lets tee read from its own pipe instead. What dd reads
  // is what tee gets: a dd that fails shortens the stream, which the sha256 comparison then refuses.
  'if run dd if=/dev/null of=/dev/null 2>/dev/null; then',
  '  put() { run dd bs=65536 2>/dev/null | run tee -- "$f"; }',
  'else',
  '  put() { run tee -- "$f"; }',
  'fi',
  'exec 3>&1',
  // tee's status reaches the $(…) through fd 4; the digest goes straight to the real stdout (fd 3).
  's=$( { { put; echo $? >&4; } | run sha256sum >&3; } 4>&1 )',
  'exit "${s:-1}"',
].join('\n');

/** The digest TEE_SHA256_SCRIPT printed, or null when its output is not one. */
export function parseSha256Output(stdout: string): string | null {
  return /^([0-9a-f]{64})(?: {1,2}-)?$/.exec(stdout.trim())?.[1] ?? null;
}

/** The temporary name an upload is written to beside `path` (a tar entry name: at most 100 bytes). */
export function uploadTempPath(path: string, random: string): string {
  const dir = parentDir(path);
  let base = '';
  for (const ch of baseName(path)) {
    if (Buffer.byteLength(base + ch, 'utf8') > 60) break;
    base += ch;
  }
  return `${dir === '/' ? '' : dir}/.${base}.podscope-upload-${random}`;
}

/**
 * The argv that writes the upload to `tmpPath`. tar: -m (the file gets the time of the upload), -o (not
 * the archive's owner: the user running it), -k (never replace a file that exists, whatever it is).
 */
export function uploadCommand(t: FileTarget, tmpPath: string, method: UploadMethod): string[] {
  if (method.kind === 'tee-sha256') {
    const bb = t.via === null ? '' : BUSYBOX;
    return t.wrap(['sh', '-c', TEE_SHA256_SCRIPT, 'podscope-upload', execPath(t, tmpPath), bb]);
  }
  if (method.kind === 'tar') {
    return t.wrap(['tar', '-x', '-m', '-o', '-k', '-f', '-', '-C', execPath(t, parentDir(tmpPath))]);
  }
  return t.wrap(['tee', '--', execPath(t, tmpPath)]);
}

/**
 * Whether TEE_SHA256_SCRIPT works in the container as the user file commands run as: it is run on an
 * empty stdin into /dev/null and must print the digest of nothing.
 */
export async function canTeeSha256(client: KubeClient, t: FileTarget): Promise<boolean> {
  const r = await execCollect(
    client,
    {
      namespace: t.namespace,
      pod: t.pod,
      container: t.execContainer,
      command: uploadCommand(t, '/dev/null', { kind: 'tee-sha256' }),
    },
    { maxBytes: 64 * 1024, timeoutMs: 15_000 },
  );
  return r.status.kind === 'success' && parseSha256Output(r.stdout.toString('utf8')) === EMPTY_SHA256;
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Whether the container (as the user file commands run as) has a `tar` to receive an upload. */
export async function canUntar(client: KubeClient, t: FileTarget): Promise<boolean> {
  const r = await execCollect(
    client,
    { namespace: t.namespace, pod: t.pod, container: t.execContainer, command: t.wrap(['tar', '--help']) },
    { maxBytes: 64 * 1024, timeoutMs: 15_000 },
  );
  // Missing: the runtime cannot start it, or a user-switch tool reports 126/127 (not executable/found).
  if (r.status.kind === 'success') return true;
  return r.status.kind === 'exit' && r.status.code !== 126 && r.status.code !== 127;
}

export interface UploadOutcome extends TransferResult {
  stderr: string;
  status: ExecStatus | null;
  tooLarge: boolean;
  /** The request body broke off (or ended before its Content-Length), not the command. */
  cutShort: boolean;
  /** tee-sha256: the sha256 of the bytes the container received, as it computed them; else null. */
  containerSha256: string | null;
}

/** Stdin queued towards the API server beyond which the upload waits for the socket. */
const UPLOAD_WINDOW = 1024 * 1024;
/** How long a stopped upload's command gets to exit before its connection is closed anyway. */
const STOP_WAIT_MS = 10_000;

/**
 * Writes `source` to `tmpPath` in the container (argv, no shell), as `method` says. Stops and reports
 * `tooLarge` as soon as more than `maxBytes` arrived; the caller then removes the temporary file.
 */
export async function uploadTo(
  client: KubeClient,
  t: FileTarget,
  tmpPath: string,
  source: AsyncIterable<Buffer>,
  maxBytes: number,
  method: UploadMethod = { kind: 'tee' },
): Promise<UploadOutcome> {
  const hash = createHash('sha256');
  let bytes = 0;
  let stderr = '';
  let stdout = '';
  let status: ExecStatus | null = null;
  let resolveExit!: (s: ExecStatus) => void;
  const exited = new Promise<ExecStatus>((r) => (resolveExit = r));
  const conn = await openExec(
    client,
    {
      namespace: t.namespace,
      pod: t.pod,
      container: t.execContainer,
      command: uploadCommand(t, tmpPath, method),
      stdin: true,
      tty: false,
    },
    {
      // tee-sha256 prints only the digest; tee echoes the upload back (dropped).
      stdout: (data) => {
        if (method.kind === 'tee-sha256' && stdout.length < STDERR_KEEP)
          stdout += data.toString('utf8').slice(0, STDERR_KEEP - stdout.length);
      },
      stderr: (data) => {
        if (stderr.length < STDERR_KEEP)
          stderr += data.toString('utf8').slice(0, STDERR_KEEP - stderr.length);
      },
      exit: (s) => {
        status = s;
        resolveExit(s);
      },
    },
  );
  const result = (error?: string, tooLarge = false, cutShort = false): UploadOutcome => ({
    bytes,
    sha256: hash.digest('hex'),
    exitCode: status ? exitCodeOf(status) : null,
    error,
    stderr,
    status,
    tooLarge,
    cutShort,
    containerSha256: method.kind === 'tee-sha256' ? parseSha256Output(stdout) : null,
  });
  // Ends the command before the caller removes its temporary file: stdin ends (tar fails on the
  // cut archive, tee stops) and its exit is awaited, so nothing it still writes lands after the removal.
  const stop = async () => {
    if (status === null && (await conn.closeStdin())) {
      await Promise.race([exited, new Promise((r) => setTimeout(r, STOP_WAIT_MS).unref())]);
    }
    conn.close();
  };
  const limit = method.kind === 'tar' ? Math.min(maxBytes, method.size) : maxBytes;
  try {
    if (method.kind === 'tar') {
      const name = baseName(tmpPath);
      const header = tarFileHeader({
        name,
        size: method.size,
        mode: 0o644,
        mtime: Math.floor(Date.now() / 1000),
      });
      await conn.writeStreaming(header, UPLOAD_WINDOW);
    }
    for await (const chunk of source) {
      if (status !== null) break;
      bytes += chunk.length;
      if (bytes > limit) {
        await stop();
        // More than the archive's header announced can only be a body beyond its Content-Length.
        return result(`larger than the limit of ${limit} bytes`, bytes > maxBytes);
      }
      hash.update(chunk);
      await conn.writeStreaming(chunk, UPLOAD_WINDOW);
    }
    if (method.kind === 'tar' && status === null) {
      if (bytes !== method.size) {
        // An archive cut short must not end cleanly: tar fails on the missing bytes.
        await stop();
        return result(`the upload ended after ${bytes} of ${method.size} bytes`, false, true);
      }
      await conn.writeStreaming(Buffer.concat([tarPadding(bytes), tarEnd()]), UPLOAD_WINDOW);
    }
  } catch (err) {
    await stop();
    return result(`the upload was interrupted: ${(err as Error).message}`, false, true);
  }
  if (status === null && !(await conn.closeStdin())) {
    conn.close();
    throw new PodscopeError(
      502,
      'The API server does not support closing stdin (exec protocol v5.channel.k8s.io); uploads need it.',
    );
  }
  const final = await exited;
  conn.close();
  if (final.kind !== 'success') {
    const tool = method.kind === 'tar' ? 'tar' : 'tee';
    return result(
      final.kind === 'failure' ? final.message : stderr.trim().split('\n').pop() || `${tool} failed`,
    );
  }
  return result();
}
