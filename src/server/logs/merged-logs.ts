// Merged output of many containers (a workload, or any label selector): the matching pods'
// containers followed at once (up to a limit; the rest are named), interleaved by timestamp, new pods
// picked up as they appear. Bounded everywhere: sources by the limit, queued output by bytes, state by
// the pods that exist; and no promise is left unobserved — a failure ends the stream with an error.
import type { V1LabelSelector, V1Pod } from '@kubernetes/client-node';
import type { LogLine, LogStreamMessage } from '../../shared/api.js';
import type { Limits } from '../config/limits.js';
import { badRequest, KubeApiError, notFound, toErrorBody } from '../http/errors.js';
import type { KubeClient } from '../kube/kube-client.js';
import { listWatch } from '../kube/list-watch.js';
import { streamContainerLogs, type LogSink, type LogWindow } from './container-logs.js';
import { MergeQueue, type MergeQueueOptions } from './merge-queue.js';
import {
  describeSummary,
  displayName,
  MergedSourceSet,
  sourcesOf,
  type LogSourceRef,
} from './merged-sources.js';

export const WORKLOAD_KINDS = ['deployment', 'statefulset', 'daemonset', 'replicaset', 'job'];
const KIND_PATH: Record<string, string> = {
  deployment: '/apis/apps/v1/namespaces/NS/deployments/',
  statefulset: '/apis/apps/v1/namespaces/NS/statefulsets/',
  daemonset: '/apis/apps/v1/namespaces/NS/daemonsets/',
  replicaset: '/apis/apps/v1/namespaces/NS/replicasets/',
  job: '/apis/batch/v1/namespaces/NS/jobs/',
};

/** A workload's spec.selector as a label-selector string. */
export function selectorString(sel: V1LabelSelector | undefined): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sel?.matchLabels ?? {})) parts.push(`${k}=${v}`);
  for (const e of sel?.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

export async function workloadSelector(
  client: KubeClient,
  ns: string,
  kind: string,
  name: string,
  signal?: AbortSignal,
) {
  const path = `${KIND_PATH[kind]!.replace('NS', ns)}${encodeURIComponent(name)}`;
  let obj: { spec?: { selector?: V1LabelSelector } };
  try {
    obj = await client.json({ path, signal });
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 404)
      throw notFound(`There is no ${kind} "${name}" in namespace "${ns}".`);
    throw err;
  }
  const selector = selectorString(obj.spec?.selector);
  if (!selector) throw badRequest(`The ${kind} "${name}" has an empty selector; it would match every pod.`);
  return selector;
}

export interface MergedWindow {
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: string;
  follow: boolean;
}

export interface MergedLogOptions {
  limits: Pick<Limits, 'mergedLogSources' | 'mergedLogPendingBytes'>;
  log: { warn(obj: unknown, msg?: string): void };
  /** Overrides of the queue's timing and message size (tests). */
  queue?: Partial<Omit<MergeQueueOptions, 'maxPendingBytes'>>;
}

/** Where the merged stream's messages go: a JsonSocket, or anything else with the same `send`. */
export interface MessageSink {
  send(message: LogStreamMessage): Promise<void>;
}

type Marker = Extract<LogStreamMessage, { type: 'marker' }>;

const now = () => new Date().toISOString();

/** One merged stream: owns its sources' tasks, the queue to the browser and the stop signal. */
class MergedLogStream {
  private readonly stop = new AbortController();
  private readonly queue: MergeQueue;
  private readonly sources: MergedSourceSet;
  private readonly tasks = new Set<Promise<void>>();
  private fatal: { error: unknown } | null = null;
  private lastSummary: string | null = null;
  private snapshotTaken = false;

  constructor(
    private readonly client: KubeClient,
    private readonly ns: string,
    private readonly window: MergedWindow,
    sink: MessageSink,
    private readonly opts: MergedLogOptions,
  ) {
    this.queue = new MergeQueue((m) => sink.send(m), {
      ...opts.queue,
      maxPendingBytes: opts.limits.mergedLogPendingBytes,
    });
    this.sources = new MergedSourceSet(opts.limits.mergedLogSources);
  }

  /** Streams until the browser leaves (follow) or every source is read; throws what ended it early. */
  async run(selector: string, signal: AbortSignal): Promise<string> {
    const onAbort = () => this.stop.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) this.stop.abort();
    const loop = this.queue.run().catch((err: unknown) => this.fail(err));
    let why = 'stream closed';
    try {
      why = this.window.follow ? await this.followAll(selector) : await this.readAll(selector);
      if (!this.stop.signal.aborted) await this.queue.flush();
    } catch (err) {
      this.fail(err);
    } finally {
      // Closing the queue first releases sources waiting for room, so they see the stop at once.
      this.stop.abort();
      this.queue.close();
      await Promise.all([...this.tasks]);
      await loop;
      signal.removeEventListener('abort', onAbort);
    }
    if (this.fatal) throw this.fatal.error;
    return why;
  }

  /**
   * The first failure wins; it stops every source and the watch, and `run` throws it. Once stopping
   * (the browser left, or an earlier failure), later errors are consequences and are dropped.
   */
  private fail(error: unknown): void {
    if (this.fatal || this.stop.signal.aborted) return;
    this.fatal = { error };
    this.stop.abort();
  }

  private async readAll(selector: string): Promise<string> {
    const list = await this.client.json<{ items: V1Pod[] }>({
      path: `/api/v1/namespaces/${this.ns}/pods`,
      query: { labelSelector: selector },
      signal: this.stop.signal,
    });
    await this.offerAll(sourcesOf(list.items), false);
    const { shown, total } = this.sources.summary();
    while (this.tasks.size > 0) await Promise.all([...this.tasks]);
    return total > shown
      ? `end of output of ${shown} of ${total} sources (the limit of a merged stream)`
      : `end of output of ${list.items.length} pod(s)`;
  }

  private async followAll(selector: string): Promise<string> {
    let watchFatal: Error | null = null;
    await listWatch<V1Pod>(
      this.client,
      `/api/v1/namespaces/${this.ns}/pods`,
      { labelSelector: selector },
      {
        onSnapshot: async (items) => {
          const first = !this.snapshotTaken;
          this.snapshotTaken = true;
          // A relist (after a watch gap) may lack pods deleted meanwhile: forget them.
          if (!first) this.sources.retainPods(new Set(items.map((p) => p.metadata?.uid ?? '')));
          await this.offerAll(sourcesOf(items), !first);
        },
        onEvent: async (type, pod) => {
          if (type === 'DELETED') {
            this.sources.podGone(pod.metadata?.uid ?? pod.metadata?.name ?? '');
            await this.sendSummary();
          } else {
            await this.offerAll(sourcesOf([pod]), true);
          }
        },
        onFatal: (err) => {
          watchFatal = err;
        },
      },
      this.stop.signal,
    );
    if (watchFatal) throw watchFatal;
    return 'stream closed';
  }

  /** Follows what fits under the limit, announces what does not (`isNew`: appeared after the start). */
  private async offerAll(refs: LogSourceRef[], isNew: boolean): Promise<void> {
    for (const ref of refs) {
      const verdict = this.sources.offer(ref);
      if (verdict === 'follow') {
        this.start(ref, isNew ? { follow: this.window.follow } : this.window, isNew ? 'new' : null);
      } else if (verdict === 'omit' && isNew) {
        await this.queue.message({
          type: 'marker',
          kind: 'source-omitted',
          message:
            `new source ${displayName(ref)} not shown: this stream already follows ` +
            `${this.sources.limit} sources, its limit`,
          ts: now(),
          source: ref.source,
        });
      }
    }
    await this.sendSummary();
  }

  /** Sends the shown/omitted summary when it changed, while capped (and once when no longer capped). */
  private async sendSummary(): Promise<void> {
    const s = this.sources.summary();
    const capped = s.total > s.shown;
    if (!capped && this.lastSummary === null) return;
    const key = JSON.stringify(s);
    if (key === this.lastSummary) return;
    this.lastSummary = capped ? key : null;
    await this.queue.message({ type: 'sources', message: describeSummary(s), ...s });
  }

  private start(ref: LogSourceRef, window: LogWindow, announce: 'new' | 'promoted' | null): void {
    const task: Promise<void> = this.followSource(ref, window, announce).then(() => {
      this.tasks.delete(task);
    });
    this.tasks.add(task);
  }

  /** Reads one source to its end. Never rejects: a failure that concerns the whole stream ends it. */
  private async followSource(
    ref: LogSourceRef,
    window: LogWindow,
    announce: 'new' | 'promoted' | null,
  ): Promise<void> {
    const signal = this.stop.signal;
    const name = displayName(ref);
    const marker = (kind: Marker['kind'], message: string, ts = now()) =>
      this.queue.message({ type: 'marker', kind, message, ts, source: ref.source });
    try {
      if (announce === 'new') await marker('source-added', `new source: ${name}`);
      if (announce === 'promoted') {
        await marker('source-added', `now showing ${name}, in place of a source that ended (new lines only)`);
      }
      const sink: LogSink = {
        lines: (lines: LogLine[]) => this.queue.lines(lines.map((l) => ({ ...l, source: ref.source }))),
        marker: (kind, message, ts) => marker(kind, `${name}: ${message}`, ts),
      };
      let why: string;
      try {
        why = await streamContainerLogs(
          this.client,
          { namespace: this.ns, pod: ref.source.pod, container: ref.source.container },
          window,
          sink,
          signal,
        );
      } catch (err) {
        // No credentials or no RBAC for pods/log is the same for every pod: say it once, for the stream.
        if (err instanceof KubeApiError && (err.status === 401 || err.status === 403)) throw err;
        if (signal.aborted) return;
        const body = toErrorBody(err);
        if (body.status >= 500) this.opts.log.warn({ err, source: name }, 'merged log source failed');
        why = body.error;
      }
      if (signal.aborted) return;
      await marker('source-ended', `${name}: ${why}`);
      const next = this.sources.finished(ref.key);
      if (next && this.window.follow && !signal.aborted) {
        this.start(next, { follow: true, tailLines: 0 }, 'promoted');
        await this.sendSummary();
      }
    } catch (err) {
      this.fail(err);
    }
  }
}

/**
 * Streams the merged output of the pods matching `selector` to `sink`. Resolves with a sentence saying
 * why it ended; rejects (for the route to send as the final error) when a failure ended it early.
 */
export function streamMergedLogs(
  client: KubeClient,
  ns: string,
  selector: string,
  window: MergedWindow,
  sink: MessageSink,
  signal: AbortSignal,
  opts: MergedLogOptions,
): Promise<string> {
  return new MergedLogStream(client, ns, window, sink, opts).run(selector, signal);
}
