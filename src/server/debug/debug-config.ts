// Settings of debug containers, pod copies, node debugging and file transfer. Defaults suit local mode;
// tests shorten the timers.
import { DEBUG_PROFILES, DEFAULT_PROFILE, type DebugProfile } from '../../shared/debug/profiles.js';

export interface DebugConfig {
  /** Images a debug container, copy or node pod may run; the first is the default. */
  images: string[];
  defaultProfile: DebugProfile;
  /** How long a copy/node pod lives without renewal (the reaper deletes it after). */
  podTtlMs: number;
  /** How long a copy/node pod survives without a lease (browser gone) before it is deleted. */
  leaseGraceMs: number;
  /** How often the reaper looks for expired copies/node pods (also once at start). */
  reaperIntervalMs: number;
  /** Namespace of node debug pods: one where users may create privileged pods. */
  nodeDebugNamespace: string;
  /** How long to wait for a debug container or pod to run. */
  startTimeoutMs: number;
  /** Largest file or directory archive a download or upload may move. */
  maxFileBytes: number;
}

export const DEFAULT_DEBUG_CONFIG: DebugConfig = {
  images: ['podscope.local/debug-tools:1', 'podscope.local/app:1'],
  defaultProfile: DEFAULT_PROFILE,
  podTtlMs: 60 * 60_000,
  leaseGraceMs: 30_000,
  reaperIntervalMs: 60_000,
  nodeDebugNamespace: 'default',
  startTimeoutMs: 90_000,
  maxFileBytes: 1024 ** 3,
};

export function resolveDebugConfig(partial: Partial<DebugConfig> = {}): DebugConfig {
  const c = { ...DEFAULT_DEBUG_CONFIG, ...partial };
  if (c.images.length === 0) throw new Error('debug config: at least one debug image is needed');
  if (!DEBUG_PROFILES.includes(c.defaultProfile)) {
    throw new Error(`debug config: unknown profile "${String(c.defaultProfile)}"`);
  }
  for (const k of [
    'podTtlMs',
    'leaseGraceMs',
    'reaperIntervalMs',
    'startTimeoutMs',
    'maxFileBytes',
  ] as const) {
    if (!Number.isSafeInteger(c[k]) || c[k] <= 0)
      throw new Error(`debug config: ${k} must be a positive integer`);
  }
  return c;
}
