// Deletes expired pod copies and node debug pods in every cluster, with Podscope's own identity: once at
// start (so pods left by a crashed or restarted Podscope go) and then periodically — on the leader only,
// when there are several replicas. Only pods carrying Podscope's marks and a passed expiry are touched,
// and each only if it is still the version read (a lease renewed by any replica in between wins).
//
// It also ends the audit session of every copy or node debug pod that is gone, whoever deleted it and
// however: its one chance right after a delete (here, at a lease's expiry or at the user's request) can
// fail — the audit store down for a moment, a delete whose answer was lost — and no replica owns these
// sessions, so replica-lost recovery never ends them. Without this the record stayed open for good.
import type { V1Pod } from '@kubernetes/client-node';
import { MAX_PAGE_SIZE } from '../audit/audit-store.js';
import { DEBUG_POD_SELECTOR, isExpired, readMarks } from '../../shared/debug/debug-pod-marks.js';
import type { ServerContext } from '../context.js';
import type { ClusterRegistry } from '../kube/cluster-registry.js';
import type { DebugConfig } from './debug-config.js';
import { endAudit } from '../policy/gate.js';
import { deleteDebugPod } from './debug-pods.js';

/** The kinds of session that live as long as a pod of Podscope's, not as long as a replica. */
const POD_SESSION_KINDS = ['copy', 'node-debug'] as const;

export const POD_GONE = 'the pod is gone';

export interface ReapedPod {
  cluster: string;
  namespace: string;
  pod: string;
}

export class DebugPodReaper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<ReapedPod[]> | undefined;

  constructor(
    private readonly registry: ClusterRegistry,
    private readonly ctx: Pick<ServerContext, 'audit' | 'log' | 'leadership'>,
    private readonly config: DebugConfig,
    private readonly now: () => Date = () => new Date(),
  ) {}

  start(): void {
    if (this.timer) return;
    void this.reapOnce();
    this.timer = setInterval(() => void this.reapOnce(), this.config.reaperIntervalMs);
    this.timer.unref();
  }

  /** One pass over all clusters; concurrent calls share the pass in progress. */
  reapOnce(): Promise<ReapedPod[]> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<ReapedPod[]> {
    const reaped: ReapedPod[] = [];
    if (!this.ctx.leadership.isLeader()) return reaped;
    for (const info of this.registry.list()) {
      const client = this.registry.get(info.name).client(null);
      let pods: V1Pod[];
      const listedAt = this.now();
      try {
        pods = (
          await client.json<{ items: V1Pod[] }>({
            path: '/api/v1/pods',
            query: { labelSelector: DEBUG_POD_SELECTOR },
            timeoutMs: 15_000,
          })
        ).items;
      } catch (err) {
        this.ctx.log.debug({ err, cluster: info.name }, 'reaper: cannot list debug pods');
        continue;
      }
      const now = this.now();
      for (const pod of pods) {
        const p = pod as Parameters<typeof readMarks>[0];
        if (pod.metadata?.deletionTimestamp || !isExpired(p, now, 2 * this.config.podTtlMs)) continue;
        const marks = readMarks(p)!;
        try {
          if (!this.ctx.leadership.isLeader()) break;
          if (
            await deleteDebugPod(client, marks.namespace, marks.name, pod.metadata?.resourceVersion ?? '')
          ) {
            reaped.push({ cluster: info.name, namespace: marks.namespace, pod: marks.name });
            this.ctx.log.info(
              { cluster: info.name, pod: `${marks.namespace}/${marks.name}` },
              'reaper: deleted an expired debug pod',
            );
            if (
              marks.session &&
              (await this.ctx.audit.getSession(marks.session).catch(() => undefined))?.endedAt === null
            ) {
              await endAudit(this.ctx, marks.session, { error: 'expired: deleted by the reaper' });
            }
          }
        } catch (err) {
          this.ctx.log.warn(
            { err, pod: `${marks.namespace}/${marks.name}` },
            'reaper: could not delete an expired debug pod',
          );
        }
      }
      await this.endSessionsOfGonePods(info.name, pods, listedAt);
    }
    return reaped;
  }

  /** Ends the open copy and node debug sessions in `cluster` whose pod was not among `pods` (listed at `listedAt`). */
  private async endSessionsOfGonePods(cluster: string, pods: V1Pod[], listedAt: Date): Promise<void> {
    const present = new Set<string>();
    for (const pod of pods) {
      const session = readMarks(pod as Parameters<typeof readMarks>[0])?.session;
      if (session) present.add(session);
    }
    try {
      const open = await this.ctx.audit.openSessions({
        kinds: POD_SESSION_KINDS,
        cluster,
        // A session is started before its pod is created: one younger than this may have its creation
        // still in flight (Podscope gives up on it after podCreateTimeoutMs), not a pod gone.
        startedBefore: new Date(listedAt.getTime() - 1.5 * this.config.podCreateTimeoutMs),
        limit: MAX_PAGE_SIZE, // oldest first: more live copies than this in one cluster is not a case
      });
      for (const s of open) {
        if (present.has(s.id) || !this.ctx.leadership.isLeader()) continue;
        await endAudit(this.ctx, s.id, { error: POD_GONE });
        this.ctx.log.info(
          { cluster, session: s.id, pod: `${s.namespace}/${s.pod}` },
          'reaper: ended the session of a pod gone',
        );
      }
    } catch (err) {
      this.ctx.log.warn({ err, cluster }, 'reaper: could not end the sessions of pods gone');
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}
