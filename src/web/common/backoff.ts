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

/**
 * The close code a server sends when it stops on purpose (SIGTERM, a rolling upgrade): 1012 "Service
 * Restart". Its streams should come back at once, on another replica, not after a backoff.
 */
export const SERVICE_RESTART = 1012;

/**
 * Delay before reconnecting after a close with `code`: a server restart is answered promptly (spread
 * over `restartSpreadMs`, so the tabs of a stopped replica do not arrive in the same millisecond) and
 * does not count as a failed attempt; anything else backs off as `reconnectDelay` does.
 */
export function delayAfterClose(
  code: number,
  attempt: number,
  options: BackoffOptions & { restartSpreadMs?: number } = {},
): { inMs: number; countsAsFailure: boolean } {
  if (code === SERVICE_RESTART) {
    const { restartSpreadMs = 1000, random = Math.random } = options;
    return { inMs: Math.round(random() * restartSpreadMs), countsAsFailure: false };
  }
  return { inMs: reconnectDelay(attempt, options), countsAsFailure: true };
}
