// The config file's `auth` section: how long login sessions last, how many login attempts a client
// gets, and single sign-on's provider (`oidc`, see oidc-settings.ts). Which login mode runs, the session
// key and the public URL are command-line settings (cli.ts).
import { DEFAULT_SESSION_TIMEOUTS, type SessionTimeouts } from './login-session.js';
import { parseOidcConfigSection, type OidcConfigSection } from './oidc-settings.js';
import { DEFAULT_STREAM_CHECK_MS } from './session-streams.js';

export interface LoginAttemptLimit {
  /** Attempts (good or bad) one client address may make per window. */
  perClient: number;
  windowMs: number;
}

export interface AuthConfig {
  timeouts: SessionTimeouts;
  loginAttempts: LoginAttemptLimit;
  /**
   * How often the sessions of open streams (terminals, log follows, watches) are looked up, so a session
   * ended elsewhere (another replica, a timeout) closes them; a sign-out on this replica closes at once.
   */
  streamCheckMs: number;
  /** `--auth oidc`: the provider settings of the config file (flags and environment complete them). */
  oidc: OidcConfigSection | null;
}

export const DEFAULT_LOGIN_ATTEMPTS: LoginAttemptLimit = { perClient: 10, windowMs: 60_000 };

export const DEFAULT_AUTH_CONFIG: AuthConfig = {
  timeouts: DEFAULT_SESSION_TIMEOUTS,
  loginAttempts: DEFAULT_LOGIN_ATTEMPTS,
  streamCheckMs: DEFAULT_STREAM_CHECK_MS,
  oidc: null,
};

const MINUTE = 60_000;

function wholeNumber(value: unknown, where: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${where} must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)})`);
  }
  return value;
}

function object(raw: unknown, where: string, allowed: string[]): Record<string, unknown> {
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

/**
 * `{ "idleTimeoutMinutes": 60, "absoluteTimeoutMinutes": 720,
 *    "loginAttempts": { "perClient": 10, "windowSeconds": 60 }, "streamCheckSeconds": 15,
 *    "oidc": { "issuer": "https://login.example.com", "clientId": "podscope", … } }` — every field optional.
 */
export function parseAuthConfig(raw: unknown): AuthConfig {
  if (raw === undefined) return DEFAULT_AUTH_CONFIG;
  const obj = object(raw, 'auth', [
    'idleTimeoutMinutes',
    'absoluteTimeoutMinutes',
    'loginAttempts',
    'streamCheckSeconds',
    'oidc',
  ]);
  const idle =
    obj['idleTimeoutMinutes'] === undefined
      ? DEFAULT_SESSION_TIMEOUTS.idleMs
      : wholeNumber(obj['idleTimeoutMinutes'], 'auth.idleTimeoutMinutes', 1, 7 * 24 * 60) * MINUTE;
  const absolute =
    obj['absoluteTimeoutMinutes'] === undefined
      ? DEFAULT_SESSION_TIMEOUTS.absoluteMs
      : wholeNumber(obj['absoluteTimeoutMinutes'], 'auth.absoluteTimeoutMinutes', 1, 30 * 24 * 60) * MINUTE;
  if (idle > absolute) {
    throw new Error('auth.idleTimeoutMinutes cannot be longer than auth.absoluteTimeoutMinutes');
  }
  let loginAttempts = DEFAULT_LOGIN_ATTEMPTS;
  if (obj['loginAttempts'] !== undefined) {
    const a = object(obj['loginAttempts'], 'auth.loginAttempts', ['perClient', 'windowSeconds']);
    loginAttempts = {
      perClient:
        a['perClient'] === undefined
          ? DEFAULT_LOGIN_ATTEMPTS.perClient
          : wholeNumber(a['perClient'], 'auth.loginAttempts.perClient', 1, 100_000),
      windowMs:
        a['windowSeconds'] === undefined
          ? DEFAULT_LOGIN_ATTEMPTS.windowMs
          : wholeNumber(a['windowSeconds'], 'auth.loginAttempts.windowSeconds', 1, 24 * 3600) * 1000,
    };
  }
  const streamCheckMs =
    obj['streamCheckSeconds'] === undefined
      ? DEFAULT_STREAM_CHECK_MS
      : wholeNumber(obj['streamCheckSeconds'], 'auth.streamCheckSeconds', 1, 3600) * 1000;
  const oidc = obj['oidc'] === undefined ? null : parseOidcConfigSection(obj['oidc']);
  return { timeouts: { idleMs: idle, absoluteMs: absolute }, loginAttempts, streamCheckMs, oidc };
}

/** The start of the fixed window `now` falls in: every replica computes the same one. */
export function attemptWindowStart(now: Date, windowMs: number): Date {
  return new Date(Math.floor(now.getTime() / windowMs) * windowMs);
}

/** Seconds until the window ends, for Retry-After (at least 1). */
export function retryAfterSeconds(now: Date, windowMs: number): number {
  const end = attemptWindowStart(now, windowMs).getTime() + windowMs;
  return Math.max(1, Math.ceil((end - now.getTime()) / 1000));
}
