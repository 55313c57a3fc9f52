// The optional config file (`podscope --config podscope.json`). JSON, so no parser dependency; unknown
// top-level sections are rejected, because a misspelt security setting must not be silently ignored.
import { readFileSync } from 'node:fs';
import { checkDatabaseUrl } from '../audit/database-url.js';
import {
  DEFAULT_EXEC_POLICY_CONFIG,
  parseExecPolicyConfig,
  type ExecPolicyConfig,
} from '../policy/exec-policy.js';
import { DEFAULT_LIMITS, resolveLimits, type Limits } from './limits.js';
import { parseDebugConfigSection, type DebugConfigSection } from '../debug/debug-config.js';
import { validateNamespaceName } from '../../shared/validation/names.js';
import { DEFAULT_AUTH_CONFIG, parseAuthConfig, type AuthConfig } from '../auth/auth-config.js';

export interface RecordingConfig {
  /**
   * Size cap of one session recording, in bytes. At the cap the recording stops (the session goes on),
   * the browser is told, and the audit record marks the recording as cut short.
   */
  maxBytes: number;
}

export interface DatabaseConfig {
  /**
   * PostgreSQL for the audit records and recordings (platform mode: shared by every replica), e.g.
   * `postgresql://podscope:…@db:5432/podscope`; null keeps them in SQLite and files in the data dir.
   * `--database-url` and `PODSCOPE_DATABASE_URL` take precedence.
   */
  url: string | null;
}

export interface AuditConfig {
  /**
   * Days an audit record and its recording are kept after the session started; ended sessions older are
   * deleted (at start and every hour). Null: kept forever.
   */
  retentionDays: number | null;
  /**
   * Groups whose members read everyone's audit records (and whose opening of another person's recording
   * is itself recorded); everyone else signed in reads their own. Local mode (nobody signs in) reads all.
   */
  auditorGroups: string[];
}

export interface ReplicasConfig {
  /**
   * The coordination.k8s.io Lease the replicas elect their leader on (in the cluster Podscope runs in;
   * namespace null: that cluster's default namespace). Null: no election — the one process leads (local
   * mode; in a pod, --in-cluster turns it on with the name `podscope-leader`).
   */
  leaderElection: { namespace: string | null; name: string } | null;
  /** How often each replica writes its heartbeat. */
  heartbeatSeconds: number;
  /** A replica silent this long is lost: the leader closes its sessions ("replica lost"). */
  lostAfterSeconds: number;
  /** How long a leader's Lease lasts without renewal before another replica takes over. */
  leaseDurationSeconds: number;
}

export interface PodscopeConfig {
  execPolicy: ExecPolicyConfig;
  recording: RecordingConfig;
  limits: Limits;
  /** Debug images, the node debug namespace, the file transfer cap; the rest keeps its defaults. */
  debug: DebugConfigSection;
  database: DatabaseConfig;
  audit: AuditConfig;
  replicas: ReplicasConfig;
  /** Login sessions (token-login mode): idle and absolute timeouts, login attempts per client. */
  auth: AuthConfig;
}

export const DEFAULT_RECORDING_MAX_BYTES = 256 * 1024 * 1024;
/** Below this a recording would hold little more than its header. */
export const MIN_RECORDING_MAX_BYTES = 1024;

export const DEFAULT_RECORDING_CONFIG: RecordingConfig = { maxBytes: DEFAULT_RECORDING_MAX_BYTES };

/** A hundred years: more is a typo. */
export const MAX_RETENTION_DAYS = 36_500;

export const DEFAULT_CONFIG: PodscopeConfig = {
  execPolicy: DEFAULT_EXEC_POLICY_CONFIG,
  recording: DEFAULT_RECORDING_CONFIG,
  limits: DEFAULT_LIMITS,
  debug: {},
  database: { url: null },
  audit: { retentionDays: null, auditorGroups: [] },
  // With these, a lost replica's sessions are closed within about 45 s even when it was the leader
  // (15 s for the Lease to expire, 5 s to the next round, 30 s of silence overlapping those, 5 s to the
  // next recovery pass): the goal is ≤ 60 s.
  replicas: { leaderElection: null, heartbeatSeconds: 5, lostAfterSeconds: 30, leaseDurationSeconds: 15 },
  auth: DEFAULT_AUTH_CONFIG,
};

export function parseConfig(raw: unknown): PodscopeConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error('the config must be a JSON object');
  }
  const sections = ['execPolicy', 'recording', 'limits', 'debug', 'database', 'audit', 'replicas', 'auth'];
  for (const key of Object.keys(raw)) {
    if (!sections.includes(key)) {
      throw new Error(`unknown config section "${key}" (known: ${sections.join(', ')})`);
    }
  }
  const obj = raw as Record<string, unknown>;
  return {
    execPolicy: parseExecPolicyConfig(obj['execPolicy']),
    recording: parseRecordingConfig(obj['recording']),
    limits: resolveLimits(obj['limits'] ?? {}),
    debug: parseDebugConfigSection(obj['debug']),
    database: parseDatabaseConfig(obj['database']),
    audit: parseAuditConfig(obj['audit']),
    replicas: parseReplicasConfig(obj['replicas']),
    auth: parseAuthConfig(obj['auth']),
  };
}

const LEASE_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * The `replicas` section: `{ "leaderElection": { "namespace": "podscope", "name": "podscope-leader" },
 * "heartbeatSeconds": 5, "lostAfterSeconds": 30, "leaseDurationSeconds": 15 }`, every field optional.
 */
export function parseReplicasConfig(raw: unknown): ReplicasConfig {
  const d = DEFAULT_CONFIG.replicas;
  if (raw === undefined) return d;
  const obj = section(raw, 'replicas', [
    'leaderElection',
    'heartbeatSeconds',
    'lostAfterSeconds',
    'leaseDurationSeconds',
  ]);
  const seconds = (
    key: 'heartbeatSeconds' | 'lostAfterSeconds' | 'leaseDurationSeconds',
    min: number,
    max: number,
  ) => {
    const v = obj[key];
    if (v === undefined) return d[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new Error(
        `replicas.${key} must be a whole number of seconds from ${min} to ${max} (got ${JSON.stringify(v)})`,
      );
    }
    return v;
  };
  const heartbeatSeconds = seconds('heartbeatSeconds', 1, 60);
  const lostAfterSeconds = seconds('lostAfterSeconds', 3, 3600);
  const leaseDurationSeconds = seconds('leaseDurationSeconds', 3, 300);
  if (lostAfterSeconds < 3 * heartbeatSeconds) {
    throw new Error(
      'replicas.lostAfterSeconds must be at least 3 heartbeats (a late heartbeat is not a lost replica)',
    );
  }
  let leaderElection: ReplicasConfig['leaderElection'] = null;
  const le = obj['leaderElection'];
  if (le !== undefined && le !== null) {
    const o = section(le, 'replicas.leaderElection', ['namespace', 'name']);
    const name = o['name'] ?? 'podscope-leader';
    if (typeof name !== 'string' || !LEASE_NAME.test(name)) {
      throw new Error(`replicas.leaderElection.name must be a Lease name (got ${JSON.stringify(name)})`);
    }
    const namespace = o['namespace'] ?? null;
    if (namespace !== null) {
      const checked = typeof namespace === 'string' ? validateNamespaceName(namespace) : null;
      if (!checked?.ok) {
        throw new Error(`replicas.leaderElection.namespace: ${checked?.error ?? 'must be a namespace name'}`);
      }
    }
    leaderElection = { namespace: namespace as string | null, name };
  }
  return { leaderElection, heartbeatSeconds, lostAfterSeconds, leaseDurationSeconds };
}

function section(raw: unknown, where: string, allowed: string[]): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new Error(`${where} must be an object`);
  const obj = raw as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw new Error(`${where} has an unknown field "${key}" (allowed: ${allowed.join(', ')})`);
    }
  }
  return obj;
}

/** The `database` section: `{ "url": "postgresql://…" }`. */
export function parseDatabaseConfig(raw: unknown): DatabaseConfig {
  if (raw === undefined) return DEFAULT_CONFIG.database;
  const url = section(raw, 'database', ['url'])['url'];
  if (url === undefined || url === null) return DEFAULT_CONFIG.database;
  return { url: checkDatabaseUrl(url, 'database.url') };
}

/** Most auditor groups accepted: more is a mistake, and each request checks them all. */
export const MAX_AUDITOR_GROUPS = 100;

/** The `audit` section: `{ "retentionDays": 365, "auditorGroups": ["platform-admins"] }`, each optional. */
export function parseAuditConfig(raw: unknown): AuditConfig {
  if (raw === undefined) return DEFAULT_CONFIG.audit;
  const obj = section(raw, 'audit', ['retentionDays', 'auditorGroups']);
  return {
    retentionDays: parseRetentionDays(obj['retentionDays']),
    auditorGroups: parseAuditorGroups(obj['auditorGroups']),
  };
}

function parseRetentionDays(days: unknown): number | null {
  if (days === undefined || days === null) return null;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_RETENTION_DAYS) {
    throw new Error(
      `audit.retentionDays must be a whole number of days from 1 to ${MAX_RETENTION_DAYS} (got ${JSON.stringify(days)})`,
    );
  }
  return days;
}

/**
 * Group names as Kubernetes and the identity provider assert them: 1 to 256 characters, no control
 * characters, no surrounding spaces (a group " admins" would silently match nobody), no repeats.
 */
function parseAuditorGroups(raw: unknown): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.length > MAX_AUDITOR_GROUPS) {
    throw new Error(`audit.auditorGroups must be a list of at most ${MAX_AUDITOR_GROUPS} group names`);
  }
  const groups: string[] = [];
  for (const g of raw as unknown[]) {
    if (
      typeof g !== 'string' ||
      g === '' ||
      g.length > 256 ||
      g.trim() !== g ||
      /[\u0000-\u001f\u007f]/.test(g)
    ) {
      throw new Error(
        `audit.auditorGroups: ${JSON.stringify(g)} is not a group name (1 to 256 characters, no control characters or surrounding spaces)`,
      );
    }
    if (groups.includes(g)) throw new Error(`audit.auditorGroups names "${g}" twice`);
    groups.push(g);
  }
  return groups;
}

/** The `recording` section: `{ "maxBytes": 268435456 }` (a whole number of bytes, at least 1024). */
export function parseRecordingConfig(raw: unknown, where = 'recording'): RecordingConfig {
  if (raw === undefined) return DEFAULT_RECORDING_CONFIG;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new Error(`${where} must be an object`);
  const obj = raw as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (key !== 'maxBytes') throw new Error(`${where} has an unknown field "${key}" (allowed: maxBytes)`);
  }
  const maxBytes = obj['maxBytes'];
  if (maxBytes === undefined) return DEFAULT_RECORDING_CONFIG;
  if (typeof maxBytes !== 'number' || !Number.isSafeInteger(maxBytes) || maxBytes < MIN_RECORDING_MAX_BYTES) {
    throw new Error(
      `${where}.maxBytes must be a whole number of bytes, at least ${MIN_RECORDING_MAX_BYTES} (got ${JSON.stringify(maxBytes)})`,
    );
  }
  return { maxBytes };
}

/** Reads and validates the file; the error names the file and what is wrong in it. */
export function loadConfig(path: string): PodscopeConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read the config file ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return parseConfig(raw);
  } catch (err) {
    throw new Error(`invalid config file ${path}: ${(err as Error).message}`, { cause: err });
  }
}
