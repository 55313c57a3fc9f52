// What Podscope tells Prometheus (`/metrics`): open browser streams and their bytes by kind, audited
// sessions started and ended by kind and outcome, API server request latency and errors by verb and
// resource, whether the replica is shutting down, and prom-client's process metrics. Labels take a few
// fixed values each: no pod, namespace, user or path ever becomes a label (a series per pod or person
// would grow without bound and say who did what, which is the audit log's job, not the metrics').
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { SESSION_KINDS, type AuditStore, type SessionEnd, type SessionKind } from '../audit/audit-store.js';
import type { KubeRequestObservation } from '../kube/kube-client.js';
import { kubeRequestLabels, statusClass } from '../kube/request-labels.js';
import { SHUTDOWN_AUDIT_REASON } from '../lifecycle/drain.js';
import { STREAM_KINDS, type StreamKind, type StreamObserver } from '../ws/open-streams.js';

export type SessionOutcome = 'ok' | 'error' | 'refused' | 'shutdown';

/** How a session ended, in one word: refused (policy/RBAC), shutdown (the server stopped), error, ok. */
export function sessionOutcome(end: Partial<SessionEnd>): SessionOutcome {
  if (end.outcome?.['result'] === 'refused') return 'refused';
  if (end.error?.startsWith(SHUTDOWN_AUDIT_REASON)) return 'shutdown';
  return end.error === undefined ? 'ok' : 'error';
}

/** Why a request to the API server counts as an error; null when it does not. */
export function kubeErrorReason(status: number | null): 'no-answer' | 'server-error' | 'throttled' | null {
  if (status === null) return 'no-answer';
  if (status === 429) return 'throttled';
  return status >= 500 ? 'server-error' : null;
}

export class PodscopeMetrics implements StreamObserver {
  readonly registry = new Registry();
  private readonly openStreams: Gauge<'kind'>;
  private readonly streamsOpened: Counter<'kind'>;
  private readonly streamBytes: Counter<'kind' | 'direction'>;
  private readonly sessionsStarted: Counter<'kind'>;
  private readonly sessionsEnded: Counter<'kind' | 'outcome'>;
  private readonly auditWriteFailures: Counter<'operation'>;
  private readonly kubeDuration: Histogram<'verb' | 'resource' | 'code_class'>;
  private readonly kubeErrors: Counter<'verb' | 'resource' | 'reason'>;
  private readonly shuttingDown: Gauge;

  constructor(opts: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.openStreams = new Gauge({
      name: 'podscope_open_streams',
      help: 'Browser WebSockets open now, by kind (logs, merged-logs, events, pods, terminal, debug-lease)',
      labelNames: ['kind'],
      registers,
    });
    this.streamsOpened = new Counter({
      name: 'podscope_streams_opened_total',
      help: 'Browser WebSockets accepted, by kind',
      labelNames: ['kind'],
      registers,
    });
    this.streamBytes = new Counter({
      name: 'podscope_stream_bytes_total',
      help: 'Bytes of WebSocket messages, by kind and direction (in: from browsers, out: to browsers)',
      labelNames: ['kind', 'direction'],
      registers,
    });
    this.sessionsStarted = new Counter({
      name: 'podscope_audited_sessions_started_total',
      help: 'Audit records opened by this replica (terminals, debug containers, copies, file transfers…)',
      labelNames: ['kind'],
      registers,
    });
    this.sessionsEnded = new Counter({
      name: 'podscope_audited_sessions_ended_total',
      help: 'Audit records this replica opened and closed, by kind and outcome (ok, error, refused, shutdown)',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    this.auditWriteFailures = new Counter({
      name: 'podscope_audit_write_failures_total',
      help: 'Audit store writes that failed (a failed start refuses the action)',
      labelNames: ['operation'],
      registers,
    });
    this.kubeDuration = new Histogram({
      name: 'podscope_kube_request_duration_seconds',
      help: 'Time to the response headers of API server requests, by verb, resource and status class',
      labelNames: ['verb', 'resource', 'code_class'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.kubeErrors = new Counter({
      name: 'podscope_kube_request_errors_total',
      help: 'API server requests without an answer, answered 5xx, or throttled (429)',
      labelNames: ['verb', 'resource', 'reason'],
      registers,
    });
    this.shuttingDown = new Gauge({
      name: 'podscope_shutting_down',
      help: '1 while this replica drains after SIGTERM',
      registers,
    });
    // Zero series from the start, so rate() and absent() work before the first stream of a kind.
    for (const kind of STREAM_KINDS) {
      this.openStreams.set({ kind }, 0);
      this.streamsOpened.inc({ kind }, 0);
      for (const direction of ['in', 'out']) this.streamBytes.inc({ kind, direction }, 0);
    }
    for (const kind of SESSION_KINDS) this.sessionsStarted.inc({ kind }, 0);
    this.shuttingDown.set(0);
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  opened(kind: StreamKind): void {
    this.openStreams.inc({ kind });
    this.streamsOpened.inc({ kind });
  }

  closed(kind: StreamKind): void {
    this.openStreams.dec({ kind });
  }

  bytes(kind: StreamKind, direction: 'in' | 'out', count: number): void {
    if (count > 0) this.streamBytes.inc({ kind, direction }, count);
  }

  kubeRequest(o: KubeRequestObservation): void {
    const { verb, resource } = kubeRequestLabels(o.method, o.path, o.query);
    this.kubeDuration.observe({ verb, resource, code_class: statusClass(o.status) }, o.seconds);
    const reason = kubeErrorReason(o.status);
    if (reason !== null) this.kubeErrors.inc({ verb, resource, reason });
  }

  setShuttingDown(): void {
    this.shuttingDown.set(1);
  }

  /**
   * The same store, counting the sessions this replica starts and ends. Ends of sessions it did not
   * start (recovery of a dead replica's records) are not counted, so started − ended is what is open here.
   */
  meterAuditStore<S extends AuditStore>(store: S): S {
    const kinds = new Map<string, SessionKind>();
    const fail = (operation: string, err: unknown) => {
      this.auditWriteFailures.inc({ operation });
      throw err;
    };
    return new Proxy(store, {
      get: (target, prop, receiver) => {
        if (prop === 'startSession') {
          return async (rec: Parameters<AuditStore['startSession']>[0]) => {
            const id = await target.startSession(rec).catch((err: unknown) => fail('start', err));
            kinds.set(id, rec.kind);
            this.sessionsStarted.inc({ kind: rec.kind });
            return id;
          };
        }
        if (prop === 'endSession') {
          return async (id: string, end: SessionEnd) => {
            await target.endSession(id, end).catch((err: unknown) => fail('end', err));
            const kind = kinds.get(id);
            if (kind === undefined) return;
            kinds.delete(id);
            this.sessionsEnded.inc({ kind, outcome: sessionOutcome(end) });
          };
        }
        if (prop === 'addCommand') {
          return (...args: Parameters<AuditStore['addCommand']>) =>
            target.addCommand(...args).catch((err: unknown) => fail('command', err));
        }
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
