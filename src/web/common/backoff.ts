// Reconnect delays: exponential with jitter, so a restarted server is not hit by every tab at once.

export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  random?: () => number;
}

/** Delay before reconnect attempt number `attempt` (0-based). Between 50% and 100% of the exponential step. */
export function reconnectDelay(attempt: number, options: BackoffOptions = {}): number {
  const { baseMs = 500, maxMs = 15_000, random = Math.random } = options;
  const step = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attempt, 30)));
  return Math.round(step * (0.5 + random() * 0.5));
}
