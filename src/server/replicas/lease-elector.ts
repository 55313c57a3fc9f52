// Leader election, the I/O part: every `retryMs` reads the Lease, asks lease-decision.ts what to do, and
// writes with the resourceVersion it read (a concurrent writer makes ours fail with 409 Conflict: we did
// not win this round). Uses Podscope's own identity. A failed round (API server unreachable, RBAC) is
// logged once per kind of failure and retried; we stop counting as leader `renewDeadlineMs` after our
// last successful renewal, before anyone else may take over.
import { KubeApiError } from '../http/errors.js';
import type { KubeClient } from '../kube/kube-client.js';
import {
  decideLease,
  releasedSpec,
  stillLeading,
  type LeaseObject,
  type LeaseSpec,
  type Observation,
} from './lease-decision.js';

export interface LeaseElectorOptions {
  client: KubeClient;
  namespace: string;
  name: string;
  /** This replica's identity (written as holderIdentity). */
  identity: string;
  leaseDurationMs: number;
  /** How long after the last renewal we keep acting as leader; < leaseDurationMs. */
  renewDeadlineMs: number;
  /** How often to read/renew. */
  retryMs: number;
  log: { info(o: unknown, m?: string): void; warn(o: unknown, m?: string): void };
  now?: () => number;
  /** Called when leadership starts or ends. */
  onChange?: (leading: boolean) => void;
}

export class LeaseElector {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private observed: Observation | null = null;
  private lastRenewedAt: number | null = null;
  private held: { spec: LeaseSpec; resourceVersion: string } | null = null;
  private wasLeading = false;
  private lastFailure = '';
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly o: LeaseElectorOptions) {
    if (!(o.renewDeadlineMs < o.leaseDurationMs))
      throw new RangeError('renewDeadlineMs must be < leaseDurationMs');
    this.now = o.now ?? Date.now;
  }

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.o.namespace)}/leases`;
  }

  isLeader(): boolean {
    const leading = !this.stopped && stillLeading(this.lastRenewedAt, this.now(), this.o.renewDeadlineMs);
    if (leading !== this.wasLeading) {
      this.wasLeading = leading;
      this.o.log.info(
        { lease: `${this.o.namespace}/${this.o.name}`, replica: this.o.identity },
        leading ? 'this replica is the leader' : 'this replica is no longer the leader',
      );
      this.o.onChange?.(leading);
    }
    return leading;
  }

  start(): void {
    if (this.timer || this.stopped) return;
    void this.tryOnce();
    this.timer = setInterval(() => void this.tryOnce(), this.o.retryMs);
    this.timer.unref();
  }

  /** One round (or the one under way). Never rejects. */
  tryOnce(): Promise<void> {
    this.round ??= this.doRound()
      .catch((err: unknown) => this.failed(err))
      .finally(() => {
        this.round = undefined;
        this.isLeader();
      });
    return this.round;
  }

  private failed(err: unknown): void {
    const what = err instanceof KubeApiError ? `${err.status} ${err.reason ?? ''}` : (err as Error).message;
    if (what !== this.lastFailure) {
      this.lastFailure = what;
      this.o.log.warn(
        { err, lease: `${this.o.namespace}/${this.o.name}` },
        'leader election: could not read or write the Lease',
      );
    }
  }

  private async doRound(): Promise<void> {
    if (this.stopped) return;
    let lease: LeaseObject | null;
    try {
      lease = await this.o.client.json<LeaseObject>({
        path: `${this.path}/${encodeURIComponent(this.o.name)}`,
        timeoutMs: this.o.retryMs,
      });
    } catch (err) {
      if (!(err instanceof KubeApiError && err.status === 404)) throw err;
      lease = null;
    }
    const now = this.now();
    const decision = decideLease({
      lease,
      me: this.o.identity,
      now,
      previous: this.observed,
      settings: { leaseDurationMs: this.o.leaseDurationMs },
    });
    this.observed = decision.observation;
    if (decision.kind === 'follow') {
      this.lastRenewedAt = null;
      this.held = null;
      return;
    }
    const body: LeaseObject = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.o.name,
        namespace: this.o.namespace,
        ...(lease?.metadata?.resourceVersion ? { resourceVersion: lease.metadata.resourceVersion } : {}),
        labels: { 'app.kubernetes.io/managed-by': 'podscope' },
      },
      spec: decision.spec,
    };
    let written: LeaseObject;
    try {
      written =
        decision.kind === 'create'
          ? await this.o.client.json<LeaseObject>({
              method: 'POST',
              path: this.path,
              body,
              timeoutMs: this.o.retryMs,
            })
          : await this.o.client.json<LeaseObject>({
              method: 'PUT',
              path: `${this.path}/${encodeURIComponent(this.o.name)}`,
              body,
              timeoutMs: this.o.retryMs,
            });
    } catch (err) {
      // 409: someone else wrote first (created it, renewed, or took it over): not ours this round.
      if (err instanceof KubeApiError && err.status === 409) {
        this.lastRenewedAt = null;
        this.held = null;
        return;
      }
      throw err;
    }
    // Leadership counts from before the write was sent: the others' clocks started no later than that.
    this.lastRenewedAt = now;
    this.held = { spec: decision.spec, resourceVersion: written.metadata?.resourceVersion ?? '' };
    this.lastFailure = '';
  }

  /** Stops; if we hold the Lease, hands it back so a follower takes over at once. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.round;
    this.stopped = true;
    const held = this.held;
    const leading = stillLeading(this.lastRenewedAt, this.now(), this.o.renewDeadlineMs);
    this.lastRenewedAt = null;
    this.isLeader();
    if (held === null || !leading) return;
    try {
      await this.o.client.json({
        method: 'PUT',
        path: `${this.path}/${encodeURIComponent(this.o.name)}`,
        body: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.o.name, namespace: this.o.namespace, resourceVersion: held.resourceVersion },
          spec: releasedSpec(held.spec, this.now()),
        },
        timeoutMs: 3000,
      });
    } catch (err) {
      // A conflict means someone else holds it already; anything else: it expires on its own.
      this.o.log.warn({ err }, 'leader election: could not release the Lease');
    }
  }
}
