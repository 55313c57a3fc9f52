// Settings of debug containers, pod copies, node debugging and file transfer. Defaults suit local mode;
// tests shorten the timers.
import { DEBUG_PROFILES, DEFAULT_PROFILE, type DebugProfile } from '../../shared/debug/profiles.js';
import { quote, validateNamespaceName } from '../../shared/validation/names.js';

export interface DebugConfig {
  /** Images a debug container, copy or node pod may run; the first is the default. */
  images: string[];
  defaultProfile: DebugProfile;
  /**
   * The longest a Podscope pod whose expiry annotation someone made unreadable may live: the reaper
   * deletes it twice this long after its creation.
   */
  podTtlMs: number;
  /**
   * How long a copy/node pod survives without a lease (browser gone, or the replica holding it killed)
   * before it is deleted. While a browser holds it, the replica it is connected to pushes the pod's
   * expiry annotation this far ahead, every third of it: every replica sees the same lease.
   */
  leaseGraceMs: number;
  /** How often the reaper (on the leader) looks for expired copies/node pods (also once at start). */
  reaperIntervalMs: number;
  /** Namespace of node debug pods: one where users may create privileged pods. */
  nodeDebugNamespace: string;
  /**
   * How long to wait for the API server to answer the creation of a copy or node debug pod. The reaper
   * counts on it: a copy or node debug session older than 1.5 times this whose pod is not there has lost
   * its pod (its creation cannot still be in flight), and the reaper ends it.
   */
  podCreateTimeoutMs: number;
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
  reaperIntervalMs: 10_000,
  nodeDebugNamespace: 'default',
  podCreateTimeoutMs: 60_000,
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
    'podCreateTimeoutMs',
    'startTimeoutMs',
    'maxFileBytes',
  ] as const) {
    if (!Number.isSafeInteger(c[k]) || c[k] <= 0)
      throw new Error(`debug config: ${k} must be a positive integer`);
  }
  return c;
}

/**
 * The expiry a new copy/node pod is created with: long enough for it to start and for the browser to
 * take its lease; from then on the lease moves it.
 */
export function initialExpiry(
  createdAt: Date,
  config: Pick<DebugConfig, 'startTimeoutMs' | 'leaseGraceMs'>,
): Date {
  return new Date(createdAt.getTime() + config.startTimeoutMs + config.leaseGraceMs);
}

/** What the config file's `debug` section may set (the timers stay code defaults). */
export type DebugConfigSection = Partial<Pick<DebugConfig, 'images' | 'nodeDebugNamespace' | 'maxFileBytes'>>;

// A container image reference as Kubernetes accepts one: [registry[:port]/]path[:tag][@digest].
const IMAGE_REFERENCE =
  /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const MAX_IMAGES = 50;

/**
 * The config file's `debug` section: `{ "images": [...], "nodeDebugNamespace": "…", "maxFileBytes": n }`.
 * `images` are the only images a debug container, copy or node pod may run (the first is the default).
 */
export function parseDebugConfigSection(raw: unknown, where = 'debug'): DebugConfigSection {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new Error(`${where} must be an object`);
  const obj = raw as Record<string, unknown>;
  const allowed = ['images', 'nodeDebugNamespace', 'maxFileBytes'];
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw new Error(`${where} has an unknown field "${key}" (allowed: ${allowed.join(', ')})`);
    }
  }
  const out: DebugConfigSection = {};
  const images = obj['images'];
  if (images !== undefined) {
    if (!Array.isArray(images) || images.length === 0 || images.length > MAX_IMAGES) {
      throw new Error(`${where}.images must be a list of 1 to ${MAX_IMAGES} image references`);
    }
    out.images = images.map((image, i) => {
      if (typeof image !== 'string' || image.length > 512 || !IMAGE_REFERENCE.test(image)) {
        throw new Error(`${where}.images[${i}] is not an image reference (got ${quote(String(image))})`);
      }
      return image;
    });
  }
  const ns = obj['nodeDebugNamespace'];
  if (ns !== undefined) {
    const checked = typeof ns === 'string' ? validateNamespaceName(ns) : null;
    if (!checked?.ok) {
      throw new Error(`${where}.nodeDebugNamespace: ${checked?.error ?? 'must be a namespace name'}`);
    }
    out.nodeDebugNamespace = checked.value;
  }
  const max = obj['maxFileBytes'];
  if (max !== undefined) {
    if (typeof max !== 'number' || !Number.isSafeInteger(max) || max <= 0) {
      throw new Error(`${where}.maxFileBytes must be a positive whole number of bytes`);
    }
    out.maxFileBytes = max;
  }
  return out;
}
