// Whether this replica should get traffic (`/readyz`): every check must pass. Results are kept for a
// short while and concurrent probes share one run, so a burst of anonymous probes costs one API server
// request, not one each.

export interface ReadinessCheck {
  /** Shown in the probe's answer, e.g. "kubernetes-api". */
  name: string;
  /** Resolves when healthy; rejects with the reason (logged, never sent to the anonymous caller). */
  run(signal: AbortSignal): Promise<void>;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  /** The failure's message (for the log). */
  error?: string;
}

export interface Readiness {
  ready: boolean;
  checks: CheckResult[];
}

export interface ReadinessOptions {
  /** How long one result is reused (default 1 s). */
  cacheMs?: number;
  /** A check that takes longer than this fails (default 3 s). */
  timeoutMs?: number;
  now?: () => number;
  /** Told when a check changes between passing and failing (not on every probe). */
  onChange?: (result: CheckResult) => void;
}

export class ReadinessProbe {
  private last: { at: number; result: Readiness } | undefined;
  private running: Promise<Readiness> | undefined;
  private readonly previous = new Map<string, boolean>();
  private readonly cacheMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(
    private readonly checks: readonly ReadinessCheck[],
    private readonly opts: ReadinessOptions = {},
  ) {
    this.cacheMs = opts.cacheMs ?? 1000;
    this.timeoutMs = opts.timeoutMs ?? 3000;
    this.now = opts.now ?? Date.now;
  }

  check(): Promise<Readiness> {
    if (this.last && this.now() - this.last.at < this.cacheMs) return Promise.resolve(this.last.result);
    this.running ??= this.runAll().finally(() => (this.running = undefined));
    return this.running;
  }

  private async runAll(): Promise<Readiness> {
    const checks = await Promise.all(this.checks.map((c) => this.runOne(c)));
    const result = { ready: checks.every((c) => c.ok), checks };
    this.last = { at: this.now(), result };
    for (const c of checks) {
      if (this.previous.get(c.name) !== c.ok) this.opts.onChange?.(c);
      this.previous.set(c.name, c.ok);
    }
    return result;
  }

  private async runOne(check: ReadinessCheck): Promise<CheckResult> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Settled before the abort: a check that gives up quietly when aborted has still failed.
        reject(new Error(`no answer within ${this.timeoutMs} ms`));
        controller.abort();
      }, this.timeoutMs);
    });
    try {
      await Promise.race([check.run(controller.signal), timeout]);
      return { name: check.name, ok: true };
    } catch (err) {
      return { name: check.name, ok: false, error: err instanceof Error ? err.message : String(err) };
    } finally {
      clearTimeout(timer);
    }
  }
}
