/**
 * Where login sessions live: rows in the audit database (SQLite locally, PostgreSQL for replicas), never
 * in one process's memory, so a cookie from one replica is good on every other and a logout on one
 * ends the session on all. Both stores implement this (failures are AuditStoreErrors, as
 * for audit records) and pass `runLoginSessionStoreContract`
 * (login-session-store.contract.ts).
 *
 * A session is a person (subject, username, uid, groups, extra — what Kubernetes says about them) and
 * the credential Podscope uses towards Kubernetes for them, sealed (session-crypto.ts): the person's
 * own bearer token (token login, `bearer-token`), or what single sign-on got from the OpenID provider
 * (`oidc`: the ID token, the refresh token and the ID token's expiry, src/server/auth/oidc-session.ts).
 */
import { AuditStoreError } from '../audit/audit-store.js';

export const CREDENTIAL_KINDS = ['bearer-token', 'oidc'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

export interface LoginSessionRow {
  /** SHA-256 of the cookie's id (hex). */
  idHash: string;
  /**
   * Who the person is, stable across logins: `kubernetes:<uid>` (or `kubernetes-user:<name>`) for token
   * login, `<issuer>#<sub>` for single sign-on.
   */
  subject: string;
  username: string;
  /** Single sign-on: the email address the provider asserts (null otherwise). */
  email: string | null;
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
   * Single sign-on refresh, step 1: takes the session's refresh lease for `holder` until `leaseUntil`,
   * only while its credential is still `expectedCredential` (nobody refreshed it meanwhile), no lease
   * is held at `now`, and the session has not expired. Resolves whether `holder` has the lease: of
   * concurrent callers on any replica, exactly one does.
   */
  claimLoginSessionRefresh(
    idHash: string,
    expectedCredential: string,
    holder: string,
    now: Date,
    leaseUntil: Date,
  ): Promise<boolean>;
  /**
   * Step 2: stores the refreshed credential and person and frees the lease, if `holder` still holds it
   * and the row exists (resolves false otherwise: signed out meanwhile). The absolute deadline only
   * moves earlier; the idle deadline is capped by it.
   */
  finishLoginSessionRefresh(idHash: string, holder: string, update: LoginSessionRefresh): Promise<boolean>;
  /** Frees `holder`'s lease without a change (the provider could not be reached; the old token still works). */
  releaseLoginSessionRefresh(idHash: string, holder: string): Promise<void>;
  /**
   * Counts one login attempt from `clientKey` in the window starting at `windowStart` and resolves with
   * the window's count so far, this one included. Shared by every replica using the database.
   */
  countLoginAttempt(clientKey: string, windowStart: Date): Promise<number>;
}

/** What a refresh changes in a session. */
export interface LoginSessionRefresh {
  sealedCredential: string;
  username: string;
  email: string | null;
  groups: string[];
  expiresAt: Date;
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
  if (row.email !== null && typeof row.email !== 'string') throw invalid('email must be a string or null');
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

/** Checks a refresh before either store writes it. */
export function validateLoginSessionRefresh(holder: string, update: LoginSessionRefresh): void {
  const invalid = (what: string) => new AuditStoreError('invalid', `invalid login session refresh: ${what}`);
  validateRefreshHolder(holder);
  for (const field of ['sealedCredential', 'username'] as const) {
    if (typeof update[field] !== 'string' || update[field] === '') throw invalid(`${field} is empty`);
  }
  if (update.email !== null && typeof update.email !== 'string') throw invalid('email');
  if (!Array.isArray(update.groups) || update.groups.some((g) => typeof g !== 'string'))
    throw invalid('groups must be a list of strings');
  if (!(update.expiresAt instanceof Date) || Number.isNaN(update.expiresAt.getTime()))
    throw invalid('expiresAt is not a date');
}

export function validateRefreshHolder(holder: string): void {
  if (typeof holder !== 'string' || holder === '' || holder.length > 256) {
    throw new AuditStoreError('invalid', 'invalid refresh lease holder: it must be 1 to 256 characters');
  }
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
