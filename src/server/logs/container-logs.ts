// Streams one container's output like `kubectl logs [-f] [--previous]`, and better: a follow
// survives restarts (marker + the new instance's output) and dropped connections (resume from the
// last timestamp with no line lost or repeated). Always reads with timestamps=true; the browser
// decides whether to show them.
import type { V1ContainerStateTerminated, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { LogLine } from '../../shared/api.js';
import { LineSplitter } from '../../shared/logs/line-splitter.js';
import { LogResumeTracker } from '../../shared/logs/resume.js';
import { KubeApiError } from '../http/errors.js';
import { isDroppedUpstream, type KubeClient, type QueryValue } from '../kube/kube-client.js';
import { containerStatus, getPod, podPath, waitForPod } from '../kube/pods.js';
import { describeKubeletFollowError, kubeletFollowError } from './kubelet-errors.js';

export interface LogTarget {
  namespace: string;
  pod: string;
  container: string;
}

export interface LogWindow {
  follow: boolean;
  previous?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  /** RFC3339; used by a browser that reconnects after losing its own connection. */
  sinceTime?: string;
}

export type MarkerKind = 'restarted' | 'exited' | 'reconnected';

export interface LogSink {
  /** Resolves when the receiver can take more (back-pressure). */
  lines(lines: LogLine[]): Promise<void>;
  marker(kind: MarkerKind, message: string, ts: string): Promise<void>;
}

/** Node's native UTF-8 decoder (same U+FFFD replacement as the portable one), for throughput. */
const nodeDecode = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');

/** How long a finished stream waits for the pod status to say why it ended. */
const STATUS_SETTLE_MS = 3000;

export function describeTermination(t: V1ContainerStatus['lastState'] | undefined): string {
  const term = t?.terminated;
  if (!term) return 'exit code unknown';
  return `exit code ${term.exitCode}${term.reason ? ` (${term.reason})` : ''}`;
}

/** Reads one log request to its end, passing new lines to the sink. Returns how many were delivered. */
async function pump(
  client: KubeClient,
  target: LogTarget,
  query: Record<string, QueryValue>,
  tracker: LogResumeTracker,
  sink: LogSink,
  signal: AbortSignal,
  /** Following: the kubelet's own error at the end of the body (kubelet-errors.ts) goes here instead of
   *  being a line. Without it, such text is a line as any other. */
  onKubeletError?: (error: string) => void,
): Promise<number> {
  const res = await client.stream({
    path: `${podPath(target.namespace, target.pod)}/log`,
    query: { container: target.container, timestamps: true, ...query },
    signal,
  });
  const onAbort = () => res.destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  const splitter = new LineSplitter({ decode: nodeDecode });
  let delivered = 0;
  const deliver = async (raw: string[]) => {
    const batch: LogLine[] = [];
    for (const r of raw) {
      // Every line of the container's starts with its timestamp (a digit); the kubelet's errors with
      // "failed to" — checked before the tracker sees them, so they count as no line.
      if (onKubeletError && r.charCodeAt(0) === 102 /* f */) {
        const kubeletError = kubeletFollowError(r);
        if (kubeletError !== null) {
          onKubeletError(kubeletError);
          continue;
        }
      }
      const line = tracker.acceptRaw(r);
      if (line !== null) batch.push(line);
    }
    if (batch.length > 0) {
      delivered += batch.length;
      await sink.lines(batch);
    }
  };
  try {
    for await (const chunk of res) await deliver(splitter.push(chunk as Buffer));
    await deliver(splitter.flush());
  } catch (err) {
    // A dropped upstream connection ends this request; the caller decides whether to resume.
    if (signal.aborted) return delivered;
    if (!isDroppedUpstream(err)) throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
    res.destroy();
  }
  return delivered;
}

type Outcome =
  | { kind: 'new-instance'; status: V1ContainerStatus; pod: V1Pod }
  | { kind: 'ended'; status: V1ContainerStatus; pod: V1Pod };

function classify(pod: V1Pod, container: string, currentId: string): Outcome | undefined {
  const s = containerStatus(pod, container);
  if (!s) return undefined;
  if (s.containerID && s.containerID !== currentId && (s.state?.running || s.state?.terminated)) {
    return { kind: 'new-instance', status: s, pod };
  }
  const endedNow = s.containerID === currentId && s.state?.terminated;
  const endedBefore = s.state?.waiting && s.lastState?.terminated?.containerID === currentId;
  if (endedNow || endedBefore) return { kind: 'ended', status: s, pod };
  return undefined;
}

function willRestart(pod: V1Pod, status: V1ContainerStatus, isInit: boolean): boolean {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return false;
  const exit = (status.state?.terminated ?? status.lastState?.terminated)?.exitCode;
  if (isInit && exit === 0) return false;
  if (policy === 'Never') return false;
  if (policy === 'OnFailure') return exit !== 0;
  return true;
}

/**
 * The state of the instance that has just ended and is still the container's current one (it has not
 * restarted yet), or undefined. Then `previous` should read the current instance (see below).
 */
export async function justEndedInstance(
  client: KubeClient,
  target: LogTarget,
  signal?: AbortSignal,
): Promise<V1ContainerStateTerminated | undefined> {
  const pod = await getPod(client, target.namespace, target.pod, signal);
  return containerStatus(pod, target.container)?.state?.terminated;
}

/**
 * The instance before the running one, as `kubectl logs --previous` — except right after a crash: while
 * the status still shows the just-ended instance as the current (terminated) one, the kubelet's
 * `previous` means the instance before *that*, which its garbage collector has usually removed
 * already — and the kubelet then answers 200 with "unable to retrieve container logs for …" as the
 * body (seen for 10+ s of every crash loop on the local cluster; `kubectl logs --previous` prints it
 * too). What the user asks for then is the instance that just ended: read it as the current one.
 */
async function streamPreviousInstance(
  client: KubeClient,
  target: LogTarget,
  query: Record<string, QueryValue>,
  tracker: LogResumeTracker,
  sink: LogSink,
  signal: AbortSignal,
): Promise<string> {
  const ended = await justEndedInstance(client, target, signal);
  if (!ended) {
    await pump(client, target, query, tracker, sink, signal);
    return 'end of the previous instance’s output';
  }
  await pump(client, target, { ...query, previous: undefined }, tracker, sink, signal);
  await sink.marker(
    'exited',
    `container exited — ${describeTermination({ terminated: ended })}`,
    ended.finishedAt ? new Date(ended.finishedAt).toISOString() : new Date().toISOString(),
  );
  return 'end of the output of the instance that just ended (it has not restarted yet)';
}

/** Streams a container's log per `window`; resolves with a sentence saying why the stream ended. */
export async function streamContainerLogs(
  client: KubeClient,
  target: LogTarget,
  window: LogWindow,
  sink: LogSink,
  signal: AbortSignal,
  /** The pod as the caller just read it (saves a round trip); read here when absent. */
  known?: V1Pod,
): Promise<string> {
  const tracker = new LogResumeTracker();
  const firstQuery: Record<string, QueryValue> = {
    previous: window.previous || undefined,
    tailLines: window.tailLines,
    sinceSeconds: window.sinceTime ? undefined : window.sinceSeconds,
    sinceTime: window.sinceTime,
  };
  if (window.previous) return streamPreviousInstance(client, target, firstQuery, tracker, sink, signal);
  if (!window.follow) {
    await pump(client, target, firstQuery, tracker, sink, signal);
    return 'end of output';
  }

  // The follow keeps only what it needs of the pod, not the pod itself: a parsed pod is ~12 KiB of
  // objects (managed fields, spec, status), held for as long as the follow lasts — the largest part of
  // a follow's memory when it was kept. `known` stops being referenced once this function returns.
  const start = followStart(known ?? (await getPod(client, target.namespace, target.pod, signal)), target);
  return followContainer(client, target, firstQuery, start, tracker, sink, signal);
}

/** What a follow needs of the pod it starts from. */
interface FollowStart {
  isInit: boolean;
  /** The instance being read ('' when the status names none). */
  containerId: string;
}

function followStart(pod: V1Pod, target: LogTarget): FollowStart {
  const isInit = (pod.spec?.initContainers ?? []).some((c) => c.name === target.container);
  // In CrashLoopBackOff the status may name only the last, terminated instance.
  const initial = containerStatus(pod, target.container);
  return { isInit, containerId: initial?.containerID || initial?.lastState?.terminated?.containerID || '' };
}

function exitedMarker(sink: LogSink, term: V1ContainerStatus['lastState'] | undefined): Promise<void> {
  return sink.marker(
    'exited',
    `container exited — ${describeTermination(term)}`,
    term?.terminated?.finishedAt
      ? new Date(term.terminated.finishedAt).toISOString()
      : new Date().toISOString(),
  );
}

/** The follow itself: reads, resumes after drops, and goes on across restarts until `signal`. */
async function followContainer(
  client: KubeClient,
  target: LogTarget,
  firstQuery: Record<string, QueryValue>,
  start: FollowStart,
  tracker: LogResumeTracker,
  sink: LogSink,
  signal: AbortSignal,
): Promise<string> {
  const isInit = start.isInit;
  let currentId = start.containerId;
  let query: Record<string, QueryValue> = { ...firstQuery, follow: true };

  while (!signal.aborted) {
    let kubeletError: string | null = null;
    try {
      await pump(client, target, query, tracker, sink, signal, (e) => (kubeletError = e));
    } catch (err) {
      // 400: the container is not running (yet/any more); decide from its status below.
      if (!(err instanceof KubeApiError) || err.status !== 400 || currentId === '') throw err;
    }
    if (signal.aborted) break;

    let outcome = await waitForPod(
      client,
      target.namespace,
      target.pod,
      (p) => classify(p, target.container, currentId),
      signal,
      STATUS_SETTLE_MS,
    );
    if (outcome === null) return 'the pod was deleted';
    if (signal.aborted) break;
    if (outcome === undefined) {
      // Still the same running instance: the connection dropped. Resume after the last line.
      const since = tracker.beginResume();
      query = { follow: true, ...(since ? { sinceTime: since } : firstQuery) };
      await sink.marker(
        'reconnected',
        kubeletError === null
          ? 'log stream reconnected — resumed after the last line received'
          : `log stream reconnected — ${describeKubeletFollowError(kubeletError)}; resumed after the last line received`,
        new Date().toISOString(),
      );
      continue;
    }
    if (outcome.kind === 'new-instance') {
      // Restarted before its end was seen (the first restart comes at once): the instance followed
      // gets its exit marker all the same, before the restart's.
      const last = outcome.status.lastState;
      if (currentId !== '' && last?.terminated?.containerID === currentId) await exitedMarker(sink, last);
    } else {
      await exitedMarker(
        sink,
        outcome.status.state?.terminated ? outcome.status.state : outcome.status.lastState,
      );
      if (!willRestart(outcome.pod, outcome.status, isInit))
        return 'the container has terminated and will not restart';
      outcome = await waitForPod(
        client,
        target.namespace,
        target.pod,
        (p) => {
          const o = classify(p, target.container, currentId);
          return o?.kind === 'new-instance' ? o : undefined;
        },
        signal,
        24 * 3600_000,
      );
      if (outcome === null) return 'the pod was deleted';
      if (!outcome) break;
    }
    const previous = outcome.status.lastState;
    await sink.marker(
      'restarted',
      `container restarted — ${describeTermination(previous)}`,
      outcome.status.state?.running?.startedAt
        ? new Date(outcome.status.state.running.startedAt).toISOString()
        : new Date().toISOString(),
    );
    currentId = outcome.status.containerID ?? '';
    // The new instance's whole output: it began after the last line we delivered.
    query = { follow: true };
  }
  return 'stream closed';
}
