/**
 * Audit retention: deletes ended sessions — records, commands and recordings — that started more than
 * `retentionDays` ago, at start and then every `intervalMs` (an hour). Sessions still open are never
 * deleted. With several replicas each runs it; a pass is idempotent, so two at once only repeat work.
 * A failed pass (database down) is logged and the next one tries again.
 */
import type { AuditStore } from './audit-store.js';

const DAY_MS = 24 * 60 * 60 * 1000;
export const RETENTION_INTERVAL_MS = 60 * 60 * 1000;

/** The start time before which ended sessions are deleted. */
export function retentionCutoff(nowMs: number, retentionDays: number): Date {
  return new Date(nowMs - retentionDays * DAY_MS);
}

export interface RetentionJobOptions {
  store: Pick<AuditStore, 'deleteEndedSessionsStartedBefore'>;
  retentionDays: number;
  intervalMs?: number;
  now?: () => number;
  log: { info(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void };
}

export class RetentionJob {
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<number | undefined> | undefined;
  private stopped = false;

  constructor(private readonly options: RetentionJobOptions) {
    const days = options.retentionDays;
    if (!Number.isInteger(days) || days < 1) throw new RangeError('retentionDays must be a whole number ≥ 1');
  }

  /** Runs a pass now and then every interval. */
  start(): void {
    if (this.timer !== undefined || this.stopped) return;
    void this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), this.options.intervalMs ?? RETENTION_INTERVAL_MS);
    this.timer.unref();
  }

  /**
   * One pass (or the one under way): how many sessions it deleted, undefined if it failed. Never rejects.
   */
  runOnce(): Promise<number | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops the timer and waits for a pass under way. Safe to call twice. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  private async pass(): Promise<number | undefined> {
    const { store, retentionDays, log } = this.options;
    const cutoff = retentionCutoff((this.options.now ?? Date.now)(), retentionDays);
    try {
      const deleted = await store.deleteEndedSessionsStartedBefore(cutoff);
      if (deleted > 0) log.info({ deleted, cutoff, retentionDays }, 'audit retention deleted old sessions');
      return deleted;
    } catch (err) {
      log.warn({ err, cutoff }, 'audit retention failed; it runs again at the next interval');
      return undefined;
    }
  }
}
