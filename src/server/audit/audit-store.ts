/**
 * The audit trail of risky actions (exec, debug, pod copies, file transfers): one record per session,
 * written *before* the stream opens, closed when it ends, with the command lines typed in between, and
 * the session's recording.
 *
 * The interface knows nothing of its storage: SQLite (recordings as files beside it) in local mode,
 * PostgreSQL (recordings in the database, so every replica serves them) in platform mode. Both must pass
 * `runAuditStoreContract` (audit-store.contract.ts).
 */

import type { Readable } from 'node:stream';
import { COMMAND_FLAGS, type CommandFlag } from '../../shared/exec/command-line.js';

/** Opaque and unique across stores (a UUID), so recordings can be named after it. */
export type SessionId = string;

import {
  KUBE_AUTH_METHODS,
  SESSION_KINDS,
  type KubeAuthMethod,
  type KubeIdentity,
  type SessionKind,
} from '../../shared/audit/api.js';

export { KUBE_AUTH_METHODS, SESSION_KINDS, type KubeAuthMethod, type KubeIdentity, type SessionKind };

/**
 * Who acted: the person, and the identity Podscope used towards Kubernetes for them. Optional fields are
 * absent (not null) when unknown, and read back the same way; records written before they were kept
 * read back without them.
 */
export interface Identity {
  /** The username (Kubernetes RBAC names the person by it); `kubeconfig:<user>` in local mode. */
  user: string;
  groups: string[];
  /** Single sign-on: the person's stable id at the provider, `<issuer>#<sub>`. */
  subject?: string;
  email?: string;
  /** How and as whom Kubernetes was called; absent where no Kubernetes call is made (`audit-view`). */
  kube?: KubeIdentity;
}

/** Longest subject, email, username or group kept (longer ones are refused, not cut). */
export const MAX_IDENTITY_FIELD = 1024;

export interface SessionStart {
  identity: Identity;
  startedAt: Date;
  cluster: string;
  namespace: string;
  pod: string;
  /** Null where the action targets no container (e.g. creating a pod copy). */
  container: string | null;
  kind: SessionKind;
  /** The argv that runs (never a shell string); empty where nothing is executed. */
  command: string[];
  /** Which policy allowed it, e.g. `production: non-root exec`. */
  policy: string;
  /** The browser's address as the server saw it (after trusted proxies), if known. */
  clientAddress: string | null;
  /** Anything else worth keeping (debug image, profile, file path…): must be JSON. */
  details?: Record<string, unknown>;
  /**
   * The Podscope process (replica) that runs the session: if its heartbeat stops, the leader ends the
   * session as "replica lost" (src/server/replicas/). Absent: null, no replica watches over it.
   */
  replica?: ReplicaId | null;
}

/** One Podscope process: `<pod or host name>-<random>`, new at every start (see replica-identity.ts). */
export type ReplicaId = string;

export interface SessionEnd {
  /** Null when the command's exit status is unknown (socket dropped, status missing). */
  exitCode: number | null;
  endedAt: Date;
  /** Bytes the user sent (stdin / upload) and received (stdout+stderr / download). */
  bytesIn: number;
  bytesOut: number;
  error?: string;
  /** What the action produced, known only at the end (e.g. size and sha256 of a transferred file). */
  outcome?: Record<string, unknown>;
}

export interface CommandRecord {
  line: string;
  /** Milliseconds since the session started. */
  at: number;
  flags: CommandFlag[];
}

export interface SessionRecord extends SessionStart {
  id: SessionId;
  details: Record<string, unknown>;
  replica: ReplicaId | null;
  endedAt: Date | null;
  exitCode: number | null;
  bytesIn: number | null;
  bytesOut: number | null;
  error: string | null;
  outcome: Record<string, unknown> | null;
  /**
   * Where the recording is kept, for people reading the record: a file (SQLite store) or
   * `postgresql:recording_chunks/<id>` (PostgreSQL store); null when there is none. Read it with
   * `readRecording`.
   */
  recordingPath: string | null;
  /** When the recording stopped at its size cap (the session went on unrecorded); null: not cut short. */
  recordingTruncatedAt: Date | null;
}

export interface SessionWithCommands extends SessionRecord {
  commands: CommandRecord[];
}

export interface SessionFilter {
  /** The person's username. */
  user?: string;
  /** The person's single sign-on subject (`<issuer>#<sub>`). */
  subject?: string;
  cluster?: string;
  namespace?: string;
  pod?: string;
  kind?: SessionKind;
  /** Sessions started at or after this instant. */
  from?: Date;
  /** Sessions started before this instant. */
  to?: Date;
  /** Page size: 1 to MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE if absent. */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  before?: string;
}

export interface OpenSessionsQuery {
  kinds: readonly SessionKind[];
  cluster: string;
  startedBefore: Date;
  limit?: number;
}

export interface SessionPage {
  /** Newest first. */
  sessions: SessionRecord[];
  /** Pass as `before` to get the next (older) page; null when there is none. */
  nextCursor: string | null;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/**
 * Where a recording's bytes go. `write` appends: once it resolves, the bytes are visible to every reader
 * of the store and survive a crash of Podscope. `sync` makes everything written so far survive a crash of
 * the machine that stores it (fsync; a flushed WAL). One writer per recording, one call at a time.
 */
export interface RecordingSink {
  write(data: Uint8Array): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface AuditStore {
  /** Connects (and migrates) now, so a server can report a broken store at start and when asked if ready. */
  check(): Promise<void>;
  /**
   * Durably records the start of a session and returns its id. Rejects (AuditStoreError 'unavailable')
   * if the record cannot be written: the caller must then refuse to open the stream.
   */
  startSession(rec: SessionStart): Promise<SessionId>;
  /** Records the end. A second call for the same session changes nothing. Rejects for an unknown id. */
  endSession(id: SessionId, end: SessionEnd): Promise<void>;
  addCommand(id: SessionId, command: CommandRecord): Promise<void>;
  /**
   * Creates the session's recording, empty, names it on the record (`recordingPath`) and returns where to
   * append to it. Rejects 'not-found' for an unknown id and 'invalid' when the session has one already
   * (a recording is never overwritten).
   */
  createRecording(id: SessionId): Promise<RecordingSink>;
  /**
   * The recording's bytes in order — while the session runs, what has been written so far. Undefined when
   * the session has no recording; rejects 'not-found' for an unknown id or a recording gone missing.
   */
  readRecording(id: SessionId): Promise<Readable | undefined>;
  /**
   * Marks the recording as cut short by its size cap at `at`: the session went on unrecorded. The first
   * mark stays. Rejects 'not-found' for an unknown id.
   */
  markRecordingTruncated(id: SessionId, at: Date): Promise<void>;
  listSessions(filter?: SessionFilter): Promise<SessionPage>;
  /** The session with its commands in the order they were typed, or undefined. */
  getSession(id: SessionId): Promise<SessionWithCommands | undefined>;
  /**
   * Retention: deletes the sessions that started before `cutoff` and have ended, with their commands and
   * recordings, and returns how many. A session still open is kept whatever its age.
   */
  deleteEndedSessionsStartedBefore(cutoff: Date): Promise<number>;
  /**
   * Records that `replica` is alive now, on the store's clock (PostgreSQL's `now()`, so replicas' clocks
   * never disagree about it). Rejects 'invalid' for an id that is not a replica id.
   */
  heartbeat(replica: ReplicaId): Promise<void>;
  /**
   * Open sessions whose replica has not sent a heartbeat for `silentForMs` (on the store's clock; a
   * replica that never sent one counts from the session's start), oldest first, at most `limit` (1 to
   * MAX_PAGE_SIZE, default DEFAULT_PAGE_SIZE). Sessions without a replica are never listed.
   */
  sessionsOfSilentReplicas(silentForMs: number, limit?: number): Promise<SessionRecord[]>;
  /**
   * Open sessions of the given kinds in `cluster` that started before `startedBefore`, oldest first, at
   * most `limit` (1 to MAX_PAGE_SIZE, default DEFAULT_PAGE_SIZE). The debug pod reaper ends those of pod
   * copies and node debug pods whose pod is gone. Rejects 'invalid' for no kinds or an unknown one.
   */
  openSessions(query: OpenSessionsQuery): Promise<SessionRecord[]>;
  close(): Promise<void>;
}

export type AuditStoreErrorCode = 'unavailable' | 'not-found' | 'invalid';

export class AuditStoreError extends Error {
  override readonly name = 'AuditStoreError';
  constructor(
    readonly code: AuditStoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Checks a session start before any implementation writes it. Throws AuditStoreError 'invalid'. */
export function validateSessionStart(rec: SessionStart): void {
  const invalid = (what: string) => new AuditStoreError('invalid', `invalid audit session start: ${what}`);
  validateIdentity(rec.identity, invalid);
  if (!(rec.startedAt instanceof Date) || Number.isNaN(rec.startedAt.getTime()))
    throw invalid('startedAt is not a date');
  for (const field of ['cluster', 'namespace', 'pod'] as const) {
    if (typeof rec[field] !== 'string' || rec[field] === '') throw invalid(`${field} is empty`);
  }
  if (rec.container !== null && (typeof rec.container !== 'string' || rec.container === '')) {
    throw invalid('container must be a name or null');
  }
  if (!SESSION_KINDS.includes(rec.kind)) throw invalid(`unknown kind "${String(rec.kind)}"`);
  if (!Array.isArray(rec.command) || rec.command.some((a) => typeof a !== 'string')) {
    throw invalid('command must be an argv list of strings');
  }
  if (typeof rec.policy !== 'string') throw invalid('policy must be a string');
  if (rec.clientAddress !== null && typeof rec.clientAddress !== 'string') throw invalid('clientAddress');
  if (rec.details !== undefined) detailsJson(rec.details);
  if (rec.replica !== undefined && rec.replica !== null) validateReplicaId(rec.replica);
}

const isName = (v: unknown): v is string =>
  typeof v === 'string' && v !== '' && v.length <= MAX_IDENTITY_FIELD;
const isNameList = (v: unknown): v is string[] =>
  Array.isArray(v) &&
  v.length <= 1000 &&
  v.every((g) => typeof g === 'string' && g.length <= MAX_IDENTITY_FIELD);

function validateIdentity(identity: Identity | undefined, invalid: (what: string) => AuditStoreError): void {
  if (typeof identity?.user !== 'string' || identity.user === '') throw invalid('identity.user is empty');
  if (!isName(identity.user)) throw invalid(`identity.user is longer than ${MAX_IDENTITY_FIELD} characters`);
  if (!isNameList(identity.groups)) throw invalid('identity.groups must be a list of strings');
  for (const field of ['subject', 'email'] as const) {
    if (identity[field] !== undefined && !isName(identity[field])) {
      throw invalid(`identity.${field} must be 1 to ${MAX_IDENTITY_FIELD} characters when present`);
    }
  }
  const kube = identity.kube;
  if (kube === undefined) return;
  if (typeof kube !== 'object' || kube === null || !KUBE_AUTH_METHODS.includes(kube.method)) {
    throw invalid(`identity.kube.method must be one of ${KUBE_AUTH_METHODS.join(', ')}`);
  }
  if (!isName(kube.user)) throw invalid('identity.kube.user is empty');
  if (!isNameList(kube.groups)) throw invalid('identity.kube.groups must be a list of strings');
}

/** A replica id: 1 to 253 characters of a DNS name plus `-`, `_`, `.` (pod names and random suffixes). */
export function validateReplicaId(replica: unknown): ReplicaId {
  if (typeof replica !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/.test(replica)) {
    throw new AuditStoreError('invalid', `invalid replica id ${JSON.stringify(replica)}`);
  }
  return replica;
}

/** Checks the arguments of sessionsOfSilentReplicas and returns the page size. */
export function validateSilentQuery(silentForMs: number, limit: number | undefined): number {
  if (!Number.isSafeInteger(silentForMs) || silentForMs < 0) {
    throw new AuditStoreError('invalid', 'silentForMs must be a whole number of milliseconds ≥ 0');
  }
  const n = limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) {
    throw new AuditStoreError('invalid', `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  return n;
}

/** Checks the arguments of openSessions and returns the page size. */
export function validateOpenSessionsQuery(q: OpenSessionsQuery): number {
  if (q.kinds.length === 0 || q.kinds.some((k) => !SESSION_KINDS.includes(k))) {
    throw new AuditStoreError('invalid', `kinds must be one or more of ${SESSION_KINDS.join(', ')}`);
  }
  if (typeof q.cluster !== 'string' || q.cluster === '') {
    throw new AuditStoreError('invalid', 'cluster must be a cluster name');
  }
  if (!(q.startedBefore instanceof Date) || Number.isNaN(q.startedBefore.getTime())) {
    throw new AuditStoreError('invalid', 'startedBefore must be a valid time');
  }
  return validateSilentQuery(0, q.limit);
}

/** Serialises `details`, insisting on a plain JSON object. */
export function detailsJson(details: Record<string, unknown> | undefined): string {
  if (details === undefined) return '{}';
  if (typeof details !== 'object' || details === null || Array.isArray(details)) {
    throw new AuditStoreError('invalid', 'invalid audit session start: details must be a JSON object');
  }
  try {
    return JSON.stringify(details);
  } catch (cause) {
    throw new AuditStoreError('invalid', 'invalid audit session start: details cannot be written as JSON', {
      cause,
    });
  }
}

export function validateSessionEnd(end: SessionEnd): void {
  const invalid = (what: string) => new AuditStoreError('invalid', `invalid audit session end: ${what}`);
  if (!(end.endedAt instanceof Date) || Number.isNaN(end.endedAt.getTime()))
    throw invalid('endedAt is not a date');
  if (end.exitCode !== null && !Number.isInteger(end.exitCode))
    throw invalid('exitCode must be an integer or null');
  for (const field of ['bytesIn', 'bytesOut'] as const) {
    if (!Number.isSafeInteger(end[field]) || end[field] < 0)
      throw invalid(`${field} must be a count of bytes`);
  }
  if (end.error !== undefined && typeof end.error !== 'string') throw invalid('error must be a string');
}

export function validateCommand(command: CommandRecord): void {
  const invalid = (what: string) => new AuditStoreError('invalid', `invalid audit command: ${what}`);
  if (typeof command.line !== 'string') throw invalid('line must be a string');
  if (!Number.isFinite(command.at) || command.at < 0)
    throw invalid('at must be milliseconds since the start');
  if (!Array.isArray(command.flags) || command.flags.some((f) => !COMMAND_FLAGS.includes(f))) {
    throw invalid(`flags must be among ${COMMAND_FLAGS.join(', ')}`);
  }
}

export function validateCutoff(cutoff: Date): void {
  if (!(cutoff instanceof Date) || Number.isNaN(cutoff.getTime())) {
    throw new AuditStoreError('invalid', 'invalid retention cutoff: not a date');
  }
}

/** Checks a filter and returns its page size. */
export function validateFilter(filter: SessionFilter): number {
  const invalid = (what: string) => new AuditStoreError('invalid', `invalid audit session filter: ${what}`);
  const limit = filter.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw invalid(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  for (const field of ['from', 'to'] as const) {
    const value = filter[field];
    if (value !== undefined && (!(value instanceof Date) || Number.isNaN(value.getTime()))) {
      throw invalid(`${field} is not a date`);
    }
  }
  for (const field of ['user', 'subject'] as const) {
    const value = filter[field];
    if (value !== undefined && !isName(value))
      throw invalid(`${field} must be 1 to ${MAX_IDENTITY_FIELD} characters`);
  }
  if (filter.kind !== undefined && !SESSION_KINDS.includes(filter.kind)) {
    throw invalid(`unknown kind "${String(filter.kind)}"`);
  }
  return limit;
}

/** An identity as both stores keep it: one column per field, null where absent. */
export interface IdentityColumns {
  user_name: string;
  user_groups: string[];
  user_subject: string | null;
  user_email: string | null;
  kube_method: KubeAuthMethod | null;
  kube_user: string | null;
  kube_groups: string[] | null;
}

export function identityColumns(identity: Identity): IdentityColumns {
  return {
    user_name: identity.user,
    user_groups: identity.groups,
    user_subject: identity.subject ?? null,
    user_email: identity.email ?? null,
    kube_method: identity.kube?.method ?? null,
    kube_user: identity.kube?.user ?? null,
    kube_groups: identity.kube?.groups ?? null,
  };
}

/**
 * The identity of a stored row; fields that are null are left out. The newer columns are undefined in a
 * database opened with fewer migrations (as the migration tests do) and read as null.
 */
export function identityFromColumns(row: {
  [K in keyof IdentityColumns]: K extends 'user_name' | 'user_groups'
    ? IdentityColumns[K]
    : IdentityColumns[K] | undefined;
}): Identity {
  const identity: Identity = { user: row.user_name, groups: row.user_groups };
  const subject = row.user_subject ?? null;
  const email = row.user_email ?? null;
  const method = row.kube_method ?? null;
  const kubeUser = row.kube_user ?? null;
  if (subject !== null) identity.subject = subject;
  if (email !== null) identity.email = email;
  if (method !== null && kubeUser !== null) {
    identity.kube = { method, user: kubeUser, groups: row.kube_groups ?? [] };
  }
  return identity;
}
