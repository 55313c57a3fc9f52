// Bounds on what one request or stream may hold open or buffer ("nothing unbounded"). Defaults suit a
// workstation against one cluster; the `limits` section of the config file and AppOptions change them.

export interface Limits {
  /** Most pod×container streams one merged log stream follows at once; the rest are named, not shown. */
  mergedLogSources: number;
  /** Bytes of log lines a merged stream may hold for the browser before it stops reading upstream. */
  mergedLogPendingBytes: number;
  /** Connections per cluster for short API requests (GET/PATCH/POST of objects and lists). */
  kubeRequestConnections: number;
  /**
   * HTTP/1.1 connections per cluster for long-lived requests (log follows, watches) — used through a
   * proxy or when the API server does not speak HTTP/2; more wait for a free one.
   */
  kubeStreamConnections: number;
  /**
   * Long-lived requests open at once per cluster over HTTP/2 (where they share a few connections);
   * more wait for one to end. Each holds at most one 64 KiB flow-control window of unread data.
   */
  kubeStreams: number;
}

export const DEFAULT_LIMITS: Limits = {
  mergedLogSources: 50,
  mergedLogPendingBytes: 4 * 1024 * 1024,
  kubeRequestConnections: 64,
  kubeStreamConnections: 256,
  kubeStreams: 2048,
};

const LIMIT_KEYS = Object.keys(DEFAULT_LIMITS) as (keyof Limits)[];

/** Defaults completed by `partial`; every value must be a positive integer (a misspelt key is an error). */
export function resolveLimits(partial: unknown = {}): Limits {
  if (typeof partial !== 'object' || partial === null || Array.isArray(partial)) {
    throw new Error('limits must be an object');
  }
  const out: Limits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(partial)) {
    if (!LIMIT_KEYS.includes(key as keyof Limits)) {
      throw new Error(`unknown limit "${key}" (known: ${LIMIT_KEYS.join(', ')})`);
    }
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
      throw new Error(`limits.${key} must be a positive integer`);
    }
    out[key as keyof Limits] = value;
  }
  return out;
}
