// The lifecycle of the pods Podscope creates for debugging (pod copies and node debug pods). A browser
// holds a lease (a WebSocket) while it uses one. The lease itself lives on the pod, where every replica
// sees it: while a browser holds the pod, the replica it is connected to pushes the expiry annotation
// `leaseGraceMs` ahead, every third of that. A pod is deleted only once its annotation has expired — by
// the replica where its last lease ended, after the grace period, or by the leader's reaper (which also
// covers a replica killed while holding it) — and only with a precondition on the resourceVersion read,
// so a renewal by another replica in between wins over the deletion.
import type { V1Pod } from '@kubernetes/client-node';
import { expiryPatch, isExpired, readMarks, type DebugPodInfo } from '../../shared/debug/debug-pod-marks.js';
import type { ServerContext } from '../context.js';
import { KubeApiError, PodscopeError } from '../http/errors.js';
import type { KubeClient } from '../kube/kube-client.js';
import { getPod, podPath } from '../kube/pods.js';
import type { DebugConfig } from './debug-config.js';
import { endAudit } from '../policy/gate.js';

interface LeaseEntry {
  client: KubeClient;
  count: number;
  deleteTimer?: NodeJS.Timeout;
  renewTimer?: NodeJS.Timeout;
  session: string | null;
}

export type DeleteReason = 'deleted by the user' | 'lease expired' | 'expired: deleted by the reaper';

/** Five random characters for a debug pod's name (`crashloop-debug-x1y2z`). */
export function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 7).padEnd(5, '0');
}

/**
 * Deletes a Podscope debug pod (quickly: its main process is a sleep that ignores SIGTERM). With
 * `resourceVersion`, only if the pod is still that version (a lease renewed since makes it false).
 */
export async function deleteDebugPod(
  client: KubeClient,
  namespace: string,
  pod: string,
  resourceVersion?: string,
): Promise<boolean> {
  try {
    await client.json({
      method: 'DELETE',
      path: podPath(namespace, pod),
      query: { gracePeriodSeconds: 1 },
      ...(resourceVersion === undefined
        ? {}
        : {
            body: {
              apiVersion: 'v1',
              kind: 'DeleteOptions',
              gracePeriodSeconds: 1,
              preconditions: { resourceVersion },
            },
          }),
    });
    return true;
  } catch (err) {
    if (
      err instanceof KubeApiError &&
      (err.status === 404 || (err.status === 409 && resourceVersion !== undefined))
    )
      return false;
    throw err;
  }
}

/** Deletes the pod if its expiry has passed and nobody renewed it since it was read. */
export async function deleteIfExpired(
  client: KubeClient,
  namespace: string,
  pod: string,
  maxAgeMs: number,
  now: () => Date = () => new Date(),
): Promise<{ deleted: boolean; session: string | null }> {
  let p: V1Pod;
  try {
    p = await getPod(client, namespace, pod);
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 404) return { deleted: false, session: null };
    throw err;
  }
  const marks = readMarks(p as Parameters<typeof readMarks>[0]);
  if (marks === null || p.metadata?.deletionTimestamp) return { deleted: false, session: null };
  if (!isExpired(p as Parameters<typeof isExpired>[0], now(), maxAgeMs))
    return { deleted: false, session: marks.session };
  const deleted = await deleteDebugPod(client, namespace, pod, p.metadata?.resourceVersion ?? '');
  return { deleted, session: marks.session };
}

/** The pod if it is a Podscope debug pod; 404 if missing, 400 for any other pod. */
export async function getDebugPod(
  client: KubeClient,
  namespace: string,
  pod: string,
  signal?: AbortSignal,
): Promise<{ pod: V1Pod; marks: DebugPodInfo }> {
  const p = await getPod(client, namespace, pod, signal);
  const marks = readMarks(p as Parameters<typeof readMarks>[0]);
  if (!marks) {
    throw new PodscopeError(
      400,
      `Pod "${pod}" is not a Podscope pod copy or node debug pod; Podscope only deletes or leases pods it made.`,
    );
  }
  return { pod: p, marks };
}

export class DebugPodLeases {
  private readonly entries = new Map<string, LeaseEntry>();
  private closed = false;

  constructor(
    private readonly ctx: Pick<ServerContext, 'audit' | 'log'>,
    private readonly config: DebugConfig,
  ) {}

  private key(client: KubeClient, namespace: string, pod: string): string {
    return `${client.cluster.name}/${namespace}/${pod}`;
  }

  isLeased(client: KubeClient, namespace: string, pod: string): boolean {
    return (this.entries.get(this.key(client, namespace, pod))?.count ?? 0) > 0;
  }

  /**
   * A new pod nobody holds yet: it is deleted after the grace period unless a lease arrives (the
   * browser opens one as soon as it has the pod's name).
   */
  track(client: KubeClient, namespace: string, pod: string, session: string | null): void {
    if (this.closed) return;
    const key = this.key(client, namespace, pod);
    const entry: LeaseEntry = { client, count: 0, session };
    this.entries.set(key, entry);
    // The pod's expiry starts the same grace, so any replica (or the reaper) agrees when it ends.
    client
      .json({
        method: 'PATCH',
        path: podPath(namespace, pod),
        body: expiryPatch(new Date(Date.now() + this.config.leaseGraceMs)),
        contentType: 'application/merge-patch+json',
      })
      .catch((err: unknown) =>
        this.ctx.log.warn({ err, pod }, 'could not start the lease grace of a debug pod'),
      );
    this.scheduleDelete(namespace, pod, entry);
  }

  /** Takes a lease; the returned function releases it (safe to call twice). */
  acquire(
    client: KubeClient,
    namespace: string,
    pod: string,
    session: string | null,
    onGone: (why: string) => void,
    onRenewed: (expiresAt: Date) => void,
  ): () => void {
    const key = this.key(client, namespace, pod);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { client, count: 0, session };
      this.entries.set(key, entry);
    }
    const e = entry;
    e.count += 1;
    if (e.deleteTimer) clearTimeout(e.deleteTimer);
    e.deleteTimer = undefined;
    const renew = async () => {
      const expiresAt = new Date(Date.now() + this.config.leaseGraceMs);
      try {
        await e.client.json({
          method: 'PATCH',
          path: podPath(namespace, pod),
          body: expiryPatch(expiresAt),
          contentType: 'application/merge-patch+json',
        });
        onRenewed(expiresAt);
      } catch (err) {
        if (err instanceof KubeApiError && err.status === 404) onGone(`Pod "${pod}" no longer exists.`);
        else this.ctx.log.warn({ err, pod }, 'could not renew the expiry of a debug pod');
      }
    };
    void renew();
    const every = Math.max(500, Math.floor(this.config.leaseGraceMs / 3));
    if (!e.renewTimer) e.renewTimer = setInterval(() => void renew(), every);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      e.count -= 1;
      if (e.count > 0 || this.closed) return;
      if (e.renewTimer) clearInterval(e.renewTimer);
      e.renewTimer = undefined;
      this.scheduleDelete(namespace, pod, e);
    };
  }

  private scheduleDelete(namespace: string, pod: string, e: LeaseEntry): void {
    if (e.deleteTimer) clearTimeout(e.deleteTimer);
    // A moment past the grace: the last renewal pushed the expiry at most `leaseGraceMs` ahead.
    e.deleteTimer = setTimeout(() => {
      e.deleteTimer = undefined;
      if (e.count > 0) return;
      // expireNow() logs a failure; rethrown here it would be an unhandled rejection (the process ends).
      this.expireNow(e.client, namespace, pod).catch(() => undefined);
    }, this.config.leaseGraceMs + 1000);
    e.deleteTimer.unref();
  }

  /**
   * The grace of a pod nobody here holds has run out: deletes it if its expiry on the pod has passed
   * too, i.e. no other replica holds it. If one does, the pod is left to that replica (or the reaper).
   */
  private async expireNow(client: KubeClient, namespace: string, pod: string): Promise<void> {
    const key = this.key(client, namespace, pod);
    const e = this.entries.get(key);
    if (e && e.count > 0) return;
    this.entries.delete(key);
    try {
      const { deleted, session } = await deleteIfExpired(client, namespace, pod, 2 * this.config.podTtlMs);
      const s = e?.session ?? session;
      if (deleted && s) await endAudit(this.ctx, s, { outcome: { ended: 'lease expired' } });
    } catch (err) {
      this.ctx.log.warn({ err, pod, namespace }, 'could not delete a debug pod whose lease expired');
      throw err;
    }
  }

  /** Deletes the pod now and ends its audit session. */
  async remove(client: KubeClient, namespace: string, pod: string, why: DeleteReason): Promise<boolean> {
    const key = this.key(client, namespace, pod);
    const e = this.entries.get(key);
    if (e) {
      if (e.deleteTimer) clearTimeout(e.deleteTimer);
      if (e.renewTimer) clearInterval(e.renewTimer);
      this.entries.delete(key);
    }
    let session = e?.session ?? null;
    let existed: boolean;
    try {
      if (session === null) {
        const found = await getDebugPod(client, namespace, pod).catch(() => null);
        session = found?.marks.session ?? null;
      }
      existed = await deleteDebugPod(client, namespace, pod);
    } catch (err) {
      this.ctx.log.warn({ err, pod, namespace }, 'could not delete a debug pod');
      throw err;
    }
    if (existed && session) {
      await endAudit(
        this.ctx,
        session,
        why === 'deleted by the user' || why === 'lease expired'
          ? { outcome: { ended: why } }
          : { error: why },
      );
    }
    return existed;
  }

  /**
   * Stops all timers. Pods without a lease here are deleted now if their expiry has passed; leased
   * ones, and those within their grace (a browser may take the lease on another replica), are left to
   * their expiry and the leader's reaper.
   */
  async close(): Promise<void> {
    this.closed = true;
    const pending: Promise<unknown>[] = [];
    for (const [key, e] of this.entries) {
      if (e.renewTimer) clearInterval(e.renewTimer);
      if (e.deleteTimer) {
        clearTimeout(e.deleteTimer);
        const [, namespace, pod] = key.split('/') as [string, string, string];
        pending.push(this.expireNow(e.client, namespace, pod).catch(() => undefined));
      }
    }
    this.entries.clear();
    await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, 5000).unref())]);
  }
}
