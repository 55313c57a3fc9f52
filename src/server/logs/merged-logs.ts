// Merged output of many containers (a workload, or any label selector): every matching pod's
// containers followed at once, interleaved by timestamp, new pods picked up as they appear.
import type { V1LabelSelector, V1Pod } from '@kubernetes/client-node';
import type { LogLine, LogStreamMessage } from '../../shared/api.js';
import { compareTimestamps } from '../../shared/logs/timestamps.js';
import { badRequest, KubeApiError, notFound } from '../http/errors.js';
import type { KubeClient } from '../kube/kube-client.js';
import { listWatch } from '../kube/list-watch.js';
import type { JsonSocket } from '../ws/json-socket.js';
import { streamContainerLogs } from './container-logs.js';

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

/** Collects lines from many sources and sends them in timestamp order every FLUSH_MS. */
class TimeOrderedBatcher {
  private pending: LogLine[] = [];
  private waiters: (() => void)[] = [];
  private flushing = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly sock: JsonSocket,
    private readonly maxPending = 20_000,
    flushMs = 200,
  ) {
    this.timer = setInterval(() => void this.flush(), flushMs);
  }

  /** Resolves once the lines fit under the cap: a fast source waits for the browser. */
  async add(lines: LogLine[]): Promise<void> {
    this.pending.push(...lines);
    if (this.pending.length > this.maxPending) await new Promise<void>((r) => this.waiters.push(r));
  }

  async flush(): Promise<void> {
    if (this.flushing || this.pending.length === 0) return;
    this.flushing = true;
    const batch = this.pending.sort((a, b) => compareTimestamps(a.ts, b.ts));
    this.pending = [];
    await this.sock.send({ type: 'lines', lines: batch } satisfies LogStreamMessage);
    this.flushing = false;
    for (const w of this.waiters.splice(0)) w();
  }

  stop(): void {
    clearInterval(this.timer);
    for (const w of this.waiters.splice(0)) w();
  }
}

export async function streamMergedLogs(
  client: KubeClient,
  ns: string,
  selector: string,
  window: { tailLines?: number; sinceSeconds?: number; sinceTime?: string; follow: boolean },
  sock: JsonSocket,
  signal: AbortSignal,
): Promise<string> {
  const batcher = new TimeOrderedBatcher(sock);
  const running = new Map<string, Promise<void>>();
  let snapshotTaken = false;

  const follow = (pod: V1Pod, fromSnapshot: boolean) => {
    const podName = pod.metadata?.name ?? '';
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    for (const s of statuses) {
      const key = `${podName}/${s.name}`;
      if (running.has(key) || !s.containerID) continue;
      const source = { pod: podName, container: s.name };
      const sink = {
        lines: (lines: LogLine[]) => batcher.add(lines.map((l) => ({ ...l, source }))),
        marker: async (kind: string, message: string, ts: string) => {
          await batcher.flush();
          await sock.send({
            type: 'marker',
            kind: kind as 'restarted',
            message: `${podName}/${s.name}: ${message}`,
            ts,
            source,
          });
        },
      };
      const task = (async () => {
        if (!fromSnapshot) {
          await sock.send({
            type: 'marker',
            kind: 'source-added',
            message: `new source: ${key}`,
            ts: new Date().toISOString(),
            source,
          });
        }
        const w = fromSnapshot
          ? {
              follow: window.follow,
              tailLines: window.tailLines,
              sinceSeconds: window.sinceSeconds,
              sinceTime: window.sinceTime,
            }
          : { follow: window.follow };
        let why: string;
        try {
          why = await streamContainerLogs(
            client,
            { namespace: ns, pod: podName, container: s.name },
            w,
            sink,
            signal,
          );
        } catch (err) {
          why = err instanceof Error ? err.message : String(err);
        }
        await batcher.flush();
        if (!signal.aborted) {
          await sock.send({
            type: 'marker',
            kind: 'source-ended',
            message: `${key}: ${why}`,
            ts: new Date().toISOString(),
            source,
          });
        }
      })();
      running.set(key, task);
    }
  };

  try {
    if (!window.follow) {
      const list = await client.json<{ items: V1Pod[] }>({
        path: `/api/v1/namespaces/${ns}/pods`,
        query: { labelSelector: selector },
        signal,
      });
      list.items.forEach((p) => follow(p, true));
      await Promise.all(running.values());
      await batcher.flush();
      return `end of output of ${list.items.length} pod(s)`;
    }
    let fatal: Error | null = null;
    await listWatch<V1Pod>(
      client,
      `/api/v1/namespaces/${ns}/pods`,
      { labelSelector: selector },
      {
        onSnapshot: (items) => {
          items.forEach((p) => follow(p, !snapshotTaken));
          snapshotTaken = true;
        },
        onEvent: (type, p) => {
          if (type !== 'DELETED') follow(p, false);
        },
        onFatal: (err) => {
          fatal = err;
        },
      },
      signal,
    );
    if (fatal) throw fatal;
    return 'stream closed';
  } finally {
    batcher.stop();
  }
}
