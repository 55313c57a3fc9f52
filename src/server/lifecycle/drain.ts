// The order of a graceful shutdown (SIGTERM, a rolling upgrade): readiness goes false and no new
// connection is taken; audited sessions end with their records closed ("server shutdown") and their
// recordings flushed; every other browser stream is told to reconnect; requests in flight finish; the
// app closes (timers, pools, the audit store). All of it within one deadline, set below the pod's
// termination grace period, so the kubelet never has to SIGKILL a replica that is still writing records.

/** The stages, in the order they run. A step registers under one; steps of one stage run together. */
export const DRAIN_STAGES = [
  'stop-accepting',
  'end-sessions',
  'close-streams',
  'finish-requests',
  'close-app',
] as const;
export type DrainStage = (typeof DRAIN_STAGES)[number];

export interface DrainStep {
  stage: DrainStage;
  /** For the log: "terminals", "debug leases", "browser streams"… */
  name: string;
  /** Resolves when done. `signal` aborts when the deadline has passed (the process is about to exit). */
  run(signal: AbortSignal): Promise<void>;
}

export type StepOutcome = 'done' | 'failed' | 'timed-out' | 'skipped';

export interface DrainReport {
  /** Every step finished (done or failed) before the deadline. */
  completed: boolean;
  elapsedMs: number;
  steps: { stage: DrainStage; name: string; outcome: StepOutcome; ms: number; error?: string }[];
}

/** The close code and reason every browser stream gets: 1012 "Service Restart" (RFC 6455 §7.4, IANA). */
export const SHUTDOWN_CLOSE_CODE = 1012;
export const SHUTDOWN_CLOSE_REASON = 'server shutting down, reconnect';
/** What the audit record of a session ended by a shutdown says (its `error`, first words). */
export const SHUTDOWN_AUDIT_REASON = 'server shutdown';

/** Default seconds from the signal to the exit; the chart's grace period is this + its preStop + margin. */
export const DEFAULT_SHUTDOWN_TIMEOUT_SECONDS = 20;
export const MAX_SHUTDOWN_TIMEOUT_SECONDS = 3600;

/** Steps in stage order; within a stage, in the order they were registered. */
export function orderDrainSteps(steps: readonly DrainStep[]): DrainStep[] {
  return steps
    .map((step, index) => ({ step, index }))
    .sort(
      (a, b) => DRAIN_STAGES.indexOf(a.step.stage) - DRAIN_STAGES.indexOf(b.step.stage) || a.index - b.index,
    )
    .map(({ step }) => step);
}

/** What a signal does: the first starts the drain, a second (impatient operator, kubelet) exits at once. */
export function signalAction(draining: boolean): 'drain' | 'exit-now' {
  return draining ? 'exit-now' : 'drain';
}

/** `--shutdown-timeout`: whole seconds, 1..3600. */
export function parseShutdownTimeout(
  raw: string | undefined,
): { ok: true; seconds: number } | { ok: false; error: string } {
  if (raw === undefined) return { ok: true, seconds: DEFAULT_SHUTDOWN_TIMEOUT_SECONDS };
  const seconds = Number(raw);
  if (!/^\d{1,4}$/.test(raw) || seconds < 1 || seconds > MAX_SHUTDOWN_TIMEOUT_SECONDS) {
    return {
      ok: false,
      error: `--shutdown-timeout takes whole seconds from 1 to ${MAX_SHUTDOWN_TIMEOUT_SECONDS} (got "${raw}")`,
    };
  }
  return { ok: true, seconds };
}

export interface RunDrainOptions {
  deadlineMs: number;
  now?: () => number;
  log?: { info(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void };
}

/**
 * Runs the stages in order, the steps of a stage side by side, each bounded by what is left of the
 * deadline. A step that fails is logged and the drain goes on (a broken audit store must not keep the
 * streams open); once the deadline has passed, the rest is skipped and the report says not completed.
 */
export async function runDrain(steps: readonly DrainStep[], opts: RunDrainOptions): Promise<DrainReport> {
  const now = opts.now ?? Date.now;
  const started = now();
  const deadline = started + opts.deadlineMs;
  const controller = new AbortController();
  const report: DrainReport = { completed: true, elapsedMs: 0, steps: [] };
  const ordered = orderDrainSteps(steps);
  for (const stage of DRAIN_STAGES) {
    const group = ordered.filter((s) => s.stage === stage);
    if (group.length === 0) continue;
    const left = deadline - now();
    if (left <= 0 || !report.completed) {
      for (const s of group) report.steps.push({ stage, name: s.name, outcome: 'skipped', ms: 0 });
      report.completed = false;
      continue;
    }
    const results = await Promise.all(group.map((s) => runStep(s, left, controller.signal, now)));
    for (const r of results) {
      report.steps.push(r);
      if (r.outcome === 'timed-out') report.completed = false;
      if (r.outcome === 'failed') opts.log?.warn({ step: r.name, err: r.error }, 'shutdown step failed');
    }
    if (!report.completed) controller.abort();
    opts.log?.info(
      { stage, ms: now() - started },
      `shutdown: ${stage} ${report.completed ? 'done' : 'timed out'}`,
    );
  }
  report.elapsedMs = now() - started;
  return report;
}

async function runStep(
  step: DrainStep,
  budgetMs: number,
  signal: AbortSignal,
  now: () => number,
): Promise<DrainReport['steps'][number]> {
  const start = now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timed-out'>((resolve) => {
    timer = setTimeout(() => resolve('timed-out'), budgetMs);
  });
  try {
    const outcome = await Promise.race([step.run(signal).then(() => 'done' as const), timeout]);
    return { stage: step.stage, name: step.name, outcome, ms: now() - start };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return { stage: step.stage, name: step.name, outcome: 'failed', ms: now() - start, error };
  } finally {
    clearTimeout(timer);
  }
}
