/**
 * Where login sessions live: rows in the audit database (SQLite locally, PostgreSQL for replicas), never
 * in one process's memory, so a cookie from one replica is good on every other and a logout on one
 * ends the session on all. Both stores implement this (failures are AuditStoreErrors, as
 * for audit records) and pass `runLoginSessionStoreContract`
 * (login-session-store.contract.ts).
 *
 * A session is a person (subject, username, uid, groups, extra — what Kubernetes says about them) and
 * the credential Podscope uses towards Kubernetes for them, sealed (session-crypto.ts). Today the only
 * credential is the person's own bearer token (token login); OpenID Connect (issue 11) adds others
 * under another `credentialKind`, with the same rows.
 */
import { AuditStoreError } from '../audit/audit-store.js';

export const CREDENTIAL_KINDS = ['bearer-token'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

export interface LoginSessionRow {
  /** SHA-256 of the cookie's id (hex). */
  idHash: string;
  /** Who the person is, stable across logins: `kubernetes:<uid>` (or `kubernetes-user:<name>`) for token login. */
  subject: string;
  username: string;
  uid: string | null;
  groups: string[];
  extra: Record<string, string[]>;
  /** The cluster the credential is for. */
  cluster: string;
  credentialKind: CredentialKind;
  /** The credential, encrypted and bound to idHash. */
  sealedCredential: string;
  /** Where the login came from, for people reading the table. */
  clientAddress: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  idleExpiresAt: Date;
  expiresAt: Date;
}

export interface LoginSessionStore {
  createLoginSession(row: LoginSessionRow): Promise<void>;
  /** The row, whatever its deadlines (the caller judges them); undefined when there is none. */
  getLoginSession(idHash: string): Promise<LoginSessionRow | undefined>;
  /**
   * Records a use: `lastSeenAt` and a later idle deadline. Resolves false when the row is gone or has
   * expired at `seenAt` (a touch never brings a session back).
   */
  touchLoginSession(idHash: string, seenAt: Date, idleExpiresAt: Date): Promise<boolean>;
  /** Logout. Resolves whether there was a row. */
  deleteLoginSession(idHash: string): Promise<boolean>;
  /** Deletes every session past either deadline at `now`, and login-attempt counts older than `attemptsBefore`. */
  deleteExpiredLoginSessions(now: Date, attemptsBefore: Date): Promise<number>;
  /**
   * Counts one login attempt from `clientKey` in the window starting at `windowStart` and resolves with
   * the window's count so far, this one included. Shared by every replica using the database.
   */
  countLoginAttempt(clientKey: string, windowStart: Date): Promise<number>;
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** Checks a row before either store writes it. */
export function validateLoginSessionRow(row: LoginSessionRow): void {
  const invalid = (what: string) => new AuditStoreError('invalid', `invalid login session: ${what}`);
  if (!HEX_SHA256.test(row.idHash)) throw invalid('idHash must be a SHA-256 in hex');
  for (const field of ['subject', 'username', 'cluster', 'sealedCredential'] as const) {
    if (typeof row[field] !== 'string' || row[field] === '') throw invalid(`${field} is empty`);
  }
  if (row.uid !== null && typeof row.uid !== 'string') throw invalid('uid must be a string or null');
  if (!Array.isArray(row.groups) || row.groups.some((g) => typeof g !== 'string'))
    throw invalid('groups must be a list of strings');
  if (
    typeof row.extra !== 'object' ||
    row.extra === null ||
    Object.values(row.extra).some((v) => !Array.isArray(v) || v.some((s) => typeof s !== 'string'))
  ) {
    throw invalid('extra must map names to lists of strings');
  }
  if (!CREDENTIAL_KINDS.includes(row.credentialKind))
    throw invalid(`unknown credential kind "${String(row.credentialKind)}"`);
  for (const field of ['createdAt', 'lastSeenAt', 'idleExpiresAt', 'expiresAt'] as const) {
    if (!(row[field] instanceof Date) || Number.isNaN(row[field].getTime()))
      throw invalid(`${field} is not a date`);
  }
  if (row.clientAddress !== null && typeof row.clientAddress !== 'string') throw invalid('clientAddress');
}

export function validateIdHash(idHash: string): void {
  if (!HEX_SHA256.test(idHash)) throw new AuditStoreError('invalid', 'invalid login session id hash');
}

export function validateClientKey(clientKey: string): void {
  if (typeof clientKey !== 'string' || clientKey === '' || clientKey.length > 256) {
    throw new AuditStoreError('invalid', 'invalid login attempt: the client key must be 1 to 256 characters');
  }
}

/** Whether a store keeps login sessions (the two real ones do; a test's fake audit store may not). */
export function isLoginSessionStore(value: unknown): value is LoginSessionStore {
  const v = value as Partial<LoginSessionStore> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.createLoginSession === 'function' &&
    typeof v.getLoginSession === 'function' &&
    typeof v.countLoginAttempt === 'function'
  );
}
