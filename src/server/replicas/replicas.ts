// This process among Podscope's replicas: it heartbeats in the audit store, takes part in leader election
// on a coordination.k8s.io Lease (platform mode), and while it leads, closes the sessions of replicas that
// went silent. Local mode (no election configured): the one process is always the leader.
//
// Why heartbeats in the audit database and not a Lease per replica: the sessions to recover live there,
// so "open sessions whose replica is silent" is one query on one clock (PostgreSQL's now(), immune to
// skew between replicas); it needs no RBAC to create Lease objects of arbitrary names, leaves no objects
// behind in the cluster, and works the same with SQLite. A replica that cannot reach the database
// cannot write audit records either, so it runs no risky session worth keeping alive.
import type { ClusterInfo } from '../../shared/api.js';
import type { AuditStore, ReplicaId } from '../audit/audit-store.js';
import type { ReplicasConfig } from '../config/podscope-config.js';
import type { ClusterRegistry } from '../kube/cluster-registry.js';
import { endTaggedProcesses } from '../terminal/container-probes.js';
import { LeaseElector } from './lease-elector.js';
import { mayDeclareLost, nextHealthySince, replicaLostEnd, sessionsToRecover } from './replica-health.js';
import { endSessionSurvivingOutage } from '../audit/end-session.js';

export interface Leadership {
  /** Whether this process may run the leader's duties now (re-asked before each duty). */
  isLeader(): boolean;
}

export interface LeaderElectionSettings {
  /** The cluster (registry name) and namespace of the Lease; null namespace: the cluster's default one. */
  cluster: string;
  namespace: string;
  name: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryMs: number;
}

export interface ReplicaSettings {
  heartbeatMs: number;
  /** A replica silent this long is lost: its sessions are closed. The goal is ≤ 60 s in all. */
  lostAfterMs: number;
  /** How often the leader looks for silent replicas. */
  recoveryIntervalMs: number;
  leaderElection: LeaderElectionSettings | null;
}

type Log = { info(o: unknown, m?: string): void; warn(o: unknown, m?: string): void };

export class Replicas implements Leadership {
  private readonly elector: LeaseElector | null;
  private health: { healthySince: number | null; lastSuccess: number | null } = {
    healthySince: null,
    lastSuccess: null,
  };
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private recoveryTimer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private recovering: Promise<number> | undefined;
  private heartbeatFailed = false;
  private stopped = false;

  constructor(
    readonly id: ReplicaId,
    private readonly deps: { audit: AuditStore; registry: ClusterRegistry; log: Log },
    readonly settings: ReplicaSettings,
    private readonly now: () => number = Date.now,
  ) {
    const le = settings.leaderElection;
    this.elector =
      le === null
        ? null
        : new LeaseElector({
            client: deps.registry.get(le.cluster).client(null),
            namespace: le.namespace,
            name: le.name,
            identity: id,
            leaseDurationMs: le.leaseDurationMs,
            renewDeadlineMs: le.renewDeadlineMs,
            retryMs: le.retryMs,
            log: deps.log,
            now,
          });
  }

  isLeader(): boolean {
    return !this.stopped && (this.elector === null || this.elector.isLeader());
  }

  start(): void {
    if (this.heartbeatTimer || this.stopped) return;
    void this.beat();
    this.heartbeatTimer = setInterval(() => void this.beat(), this.settings.heartbeatMs);
    this.heartbeatTimer.unref();
    this.elector?.start();
    this.recoveryTimer = setInterval(() => void this.recoverOnce(), this.settings.recoveryIntervalMs);
    this.recoveryTimer.unref();
  }

  /** One heartbeat (or the one under way). Never rejects. */
  beat(): Promise<void> {
    this.beating ??= this.deps.audit
      .heartbeat(this.id)
      .then(
        () => {
          this.health = nextHealthySince(this.health, this.now(), true, 2 * this.settings.heartbeatMs);
          if (this.heartbeatFailed) this.deps.log.info({ replica: this.id }, 'replica heartbeat works again');
          this.heartbeatFailed = false;
        },
        (err: unknown) => {
          this.health = nextHealthySince(this.health, this.now(), false, 2 * this.settings.heartbeatMs);
          if (!this.heartbeatFailed)
            this.deps.log.warn({ err, replica: this.id }, 'replica heartbeat failed');
          this.heartbeatFailed = true;
        },
      )
      .finally(() => (this.beating = undefined));
    return this.beating;
  }

  /**
   * If we lead and have been watching long enough, closes the sessions of silent replicas: ends their
   * tagged processes (with Podscope's own identity) and their records ("replica lost"). Returns how many
   * it closed. Never rejects.
   */
  recoverOnce(): Promise<number> {
    this.recovering ??= this.recover()
      .catch((err: unknown) => {
        this.deps.log.warn({ err }, 'could not recover the sessions of lost replicas');
        return 0;
      })
      .finally(() => (this.recovering = undefined));
    return this.recovering;
  }

  private async recover(): Promise<number> {
    const { lostAfterMs } = this.settings;
    if (!this.isLeader() || !mayDeclareLost(this.health.healthySince, this.now(), lostAfterMs)) return 0;
    const sessions = sessionsToRecover(
      await this.deps.audit.sessionsOfSilentReplicas(lostAfterMs, 100),
      this.id,
    );
    let closed = 0;
    for (const s of sessions) {
      if (!this.isLeader()) break;
      const tag = typeof s.details['cleanupTag'] === 'string' ? s.details['cleanupTag'] : null;
      let failure: string | null =
        s.kind === 'exec' && tag === null ? 'the image had no `env`, so they could not be found' : null;
      if (tag !== null && s.container !== null) {
        try {
          const client = this.deps.registry.get(s.cluster).client(null);
          failure = await endTaggedProcesses(
            client,
            { namespace: s.namespace, pod: s.pod, container: s.container },
            tag,
          );
        } catch (err) {
          failure = (err as Error).message;
        }
      }
      const end = replicaLostEnd(s, {
        by: this.id,
        lostAfterMs,
        now: new Date(this.now()),
        failure,
        hadProcesses: s.kind === 'exec',
      });
      if (await endSessionSurvivingOutage(this.deps.audit, s.id, end, this.deps.log)) closed += 1;
      this.deps.log.info(
        { session: s.id, lostReplica: s.replica, failure },
        'closed a session of a lost replica',
      );
    }
    return closed;
  }

  /** Stops the timers and hands the Lease back if we hold it. Safe to call twice. */
  async stop(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    clearInterval(this.recoveryTimer);
    await this.recovering;
    this.stopped = true;
    await this.beating;
    await this.elector?.stop();
  }
}

/**
 * The settings from the config file's `replicas` section. The Lease lives in the current cluster (in a
 * pod: the one it runs in), in the configured namespace or that cluster's default one.
 */
export function resolveReplicaSettings(
  config: ReplicasConfig,
  clusters: Pick<ClusterInfo, 'name' | 'current' | 'defaultNamespace'>[],
): ReplicaSettings {
  const heartbeatMs = config.heartbeatSeconds * 1000;
  const le = config.leaderElection;
  let leaderElection: LeaderElectionSettings | null = null;
  if (le !== null) {
    const home = clusters.find((c) => c.current) ?? clusters[0];
    if (home === undefined) throw new Error('leader election needs a cluster to keep its Lease in');
    const leaseDurationMs = config.leaseDurationSeconds * 1000;
    leaderElection = {
      cluster: home.name,
      namespace: le.namespace ?? home.defaultNamespace ?? 'default',
      name: le.name,
      leaseDurationMs,
      // As client-go's defaults (15 s / 10 s / 2 s) in proportion: stop leading well before anyone may
      // take over, and try often enough to renew twice within the deadline.
      renewDeadlineMs: Math.round((leaseDurationMs * 2) / 3),
      retryMs: Math.max(1000, Math.round(leaseDurationMs / 5)),
    };
  }
  return {
    heartbeatMs,
    lostAfterMs: config.lostAfterSeconds * 1000,
    recoveryIntervalMs: heartbeatMs,
    leaderElection,
  };
}
