// A person's login session, decided without I/O: the opaque id the browser holds, the hash the
// database keys it by, and when a session has expired (idle or absolute). The store and the HTTP side
// (login-sessions.ts, routes.ts) only carry these answers out.
import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits: the cookie's value, never stored (the database keeps its hash). */
export const SESSION_ID_BYTES = 32;
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export function newSessionId(): string {
  return randomBytes(SESSION_ID_BYTES).toString('base64url');
}

/** Whether a cookie value can be a session id at all (anything else is not looked up). */
export function isSessionIdShape(value: string | undefined): value is string {
  return value !== undefined && SESSION_ID.test(value);
}

/**
 * The key of a session's row. A plain SHA-256 suffices (no salt, no slow hash): the id has 256 bits of
 * entropy, so a leaked table cannot be turned back into cookies.
 */
export function hashSessionId(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex');
}

export interface SessionTimeouts {
  /** A session unused for this long ends. */
  idleMs: number;
  /** A session ends this long after login, however busy. */
  absoluteMs: number;
}

export const DEFAULT_SESSION_TIMEOUTS: SessionTimeouts = {
  idleMs: 60 * 60 * 1000,
  absoluteMs: 12 * 60 * 60 * 1000,
};

/** How often a busy session's idle deadline is pushed back (one database write per session per minute). */
export const TOUCH_INTERVAL_MS = 60 * 1000;

export interface SessionTimes {
  createdAt: Date;
  lastSeenAt: Date;
  idleExpiresAt: Date;
  expiresAt: Date;
}

/**
 * The deadlines of a session that starts `now`. A credential that expires sooner (a token's `exp`)
 * brings the absolute deadline forward: past it Kubernetes would refuse every call anyway.
 */
export function newSessionTimes(
  now: Date,
  timeouts: SessionTimeouts,
  credentialExpiresAt: Date | null,
): SessionTimes {
  const absolute = now.getTime() + timeouts.absoluteMs;
  const expiresAt = Math.min(absolute, credentialExpiresAt?.getTime() ?? absolute);
  return {
    createdAt: now,
    lastSeenAt: now,
    idleExpiresAt: new Date(Math.min(now.getTime() + timeouts.idleMs, expiresAt)),
    expiresAt: new Date(expiresAt),
  };
}

export type SessionVerdict = { kind: 'valid' } | { kind: 'expired'; why: 'idle' | 'absolute' };

/** Whether a session may still be used at `now` (a deadline is exclusive: at it, the session is over). */
export function judgeSession(
  times: Pick<SessionTimes, 'idleExpiresAt' | 'expiresAt'>,
  now: Date,
): SessionVerdict {
  if (now.getTime() >= times.expiresAt.getTime()) return { kind: 'expired', why: 'absolute' };
  if (now.getTime() >= times.idleExpiresAt.getTime()) return { kind: 'expired', why: 'idle' };
  return { kind: 'valid' };
}

/**
 * The new idle deadline when a valid session is used at `now`, or null when the last push was less than
 * TOUCH_INTERVAL_MS ago (the deadline then stays up to a minute early, which is the cheaper error).
 */
export function touchDue(
  times: Pick<SessionTimes, 'lastSeenAt' | 'expiresAt'>,
  now: Date,
  timeouts: SessionTimeouts,
): Date | null {
  if (now.getTime() - times.lastSeenAt.getTime() < TOUCH_INTERVAL_MS) return null;
  return new Date(Math.min(now.getTime() + timeouts.idleMs, times.expiresAt.getTime()));
}

/**
 * The `exp` of a JWT (ServiceAccount and OIDC tokens are JWTs), read without verifying anything: it is
 * only used to end the session no later than the token. Null when the token is not a JWT or has none.
 */
export function jwtExpiry(token: string): Date | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { exp?: unknown };
    if (typeof payload.exp !== 'number' || !Number.isFinite(payload.exp) || payload.exp <= 0) return null;
    const at = new Date(payload.exp * 1000);
    return Number.isNaN(at.getTime()) ? null : at;
  } catch {
    return null;
  }
}
