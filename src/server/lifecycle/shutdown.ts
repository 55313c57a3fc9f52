// The server's shutdown: the capabilities register what they must do when it stops (end their audited
// sessions, stop renewing leases…), the CLI starts the drain on SIGTERM/SIGINT. See drain.ts for the order.
import { runDrain, type DrainReport, type DrainStage, type RunDrainOptions } from './drain.js';

export class Shutdown {
  private readonly steps: { stage: DrainStage; name: string; run: (signal: AbortSignal) => Promise<void> }[] =
    [];
  private running: Promise<DrainReport> | undefined;
  private readonly listeners = new Set<() => void>();

  /** True from the moment the drain starts: readiness fails, new streams are refused. */
  get draining(): boolean {
    return this.running !== undefined;
  }

  /** Adds a step to run when the server stops. */
  add(stage: DrainStage, name: string, run: (signal: AbortSignal) => Promise<void>): void {
    this.steps.push({ stage, name, run });
  }

  /** Called once, synchronously, when the drain starts (before any step). */
  onStart(listener: () => void): void {
    this.listeners.add(listener);
  }

  /** Starts the drain (or joins the one under way). */
  drain(opts: RunDrainOptions): Promise<DrainReport> {
    if (this.running) return this.running;
    this.running = Promise.resolve().then(() => runDrain(this.steps, opts));
    for (const listener of this.listeners) listener();
    return this.running;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** What runs when the server stops (app.ts decorates every app with one). */
    shutdown: Shutdown;
  }
}
