// What a single sign-on session holds, decided without I/O: the person an ID token's claims name, the
// credential kept sealed in the session row (ID token, refresh token, expiry), when to refresh it, and
// how long the session may last. oidc-login.ts carries these answers out.
import type { IdentityMode, OidcSettings } from './oidc-settings.js';

export class ClaimError extends Error {
  override readonly name = 'ClaimError';
}

export interface OidcPerson {
  /** `<issuer>#<sub>`: stable, unlike the email or the username. */
  subject: string;
  sub: string;
  username: string;
  email: string | null;
  groups: string[];
}

/** A name Kubernetes sees (user or group): printable, no control characters, bounded. */
const NAME = /^[\x21-\x7e](?:[\x20-\x7e]{0,254}[\x21-\x7e])?$/;
// Unicode is fine in token mode (the name never travels in a header), not in impersonation headers.
const ANY_NAME = /^[^\x00-\x1f\x7f]{1,256}$/u;
export const MAX_GROUPS = 500;

/**
 * The person of verified ID token claims. Refuses (ClaimError, with a sentence for the person) what
 * Kubernetes would misread: no username claim, a `system:` name (reserved for Kubernetes' own users and
 * groups — impersonating one could reach far beyond the person's rights), an unverified email used as
 * the username, names that cannot be sent as impersonation headers.
 */
export function personFromClaims(
  claims: Record<string, unknown>,
  settings: Pick<OidcSettings, 'issuer' | 'usernameClaim' | 'groupsClaim' | 'identityMode'>,
): OidcPerson {
  const nameOk = settings.identityMode === 'impersonation' ? NAME : ANY_NAME;
  const sub = claims['sub'];
  if (typeof sub !== 'string' || sub === '' || sub.length > 255) {
    throw new ClaimError('the ID token has no subject (sub)');
  }
  const rawUser = claims[settings.usernameClaim];
  if (typeof rawUser !== 'string' || rawUser === '') {
    throw new ClaimError(
      `the ID token has no "${settings.usernameClaim}" claim, which names you to Kubernetes (ask for the scope that carries it)`,
    );
  }
  if (!nameOk.test(rawUser)) {
    throw new ClaimError(
      `your "${settings.usernameClaim}" (${JSON.stringify(rawUser.slice(0, 80))}) cannot be a Kubernetes user name here`,
    );
  }
  if (rawUser.startsWith('system:')) {
    throw new ClaimError(
      `your "${settings.usernameClaim}" starts with "system:", which Kubernetes reserves for itself`,
    );
  }
  if (settings.usernameClaim === 'email' && claims['email_verified'] === false) {
    throw new ClaimError('the provider has not verified your email address, which names you to Kubernetes');
  }
  const rawGroups = claims[settings.groupsClaim];
  let groups: string[];
  if (rawGroups === undefined || rawGroups === null) groups = [];
  else if (typeof rawGroups === 'string') groups = [rawGroups];
  else if (Array.isArray(rawGroups) && rawGroups.every((g) => typeof g === 'string'))
    groups = rawGroups as string[];
  else throw new ClaimError(`the "${settings.groupsClaim}" claim is not a list of group names`);
  groups = [...new Set(groups)];
  if (groups.length > MAX_GROUPS) {
    throw new ClaimError(`you are in ${groups.length} groups; Podscope takes at most ${MAX_GROUPS}`);
  }
  for (const group of groups) {
    if (!nameOk.test(group))
      throw new ClaimError(
        `the group ${JSON.stringify(group.slice(0, 80))} cannot be a Kubernetes group name here`,
      );
    if (group.startsWith('system:')) {
      throw new ClaimError(
        `the group "${group}" starts with "system:", which Kubernetes reserves for itself`,
      );
    }
  }
  const rawEmail = claims['email'];
  const email = typeof rawEmail === 'string' && rawEmail !== '' && rawEmail.length <= 320 ? rawEmail : null;
  return { subject: `${settings.issuer}#${sub}`, sub, username: rawUser, email, groups };
}

/** What the session row keeps sealed. */
export interface OidcCredential {
  idToken: string;
  /** Null when the provider gave none (no offline_access): the session ends with the ID token. */
  refreshToken: string | null;
  /** The ID token's `iat` and `exp`, ms since the epoch. */
  idTokenIssuedAt: number;
  idTokenExpiresAt: number;
  /** When the refresh token stops working, if the provider said so (`refresh_expires_in`). */
  refreshExpiresAt: number | null;
}

export function serializeCredential(credential: OidcCredential): string {
  return JSON.stringify({ v: 1, ...credential });
}

export function parseCredential(text: string): OidcCredential {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error('not a single sign-on credential');
  }
  const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  if (
    raw?.['v'] !== 1 ||
    typeof raw['idToken'] !== 'string' ||
    !(raw['refreshToken'] === null || typeof raw['refreshToken'] === 'string') ||
    !num(raw['idTokenIssuedAt']) ||
    !num(raw['idTokenExpiresAt']) ||
    !(raw['refreshExpiresAt'] === null || num(raw['refreshExpiresAt']))
  ) {
    throw new Error('not a single sign-on credential');
  }
  return {
    idToken: raw['idToken'],
    refreshToken: raw['refreshToken'] as string | null,
    idTokenIssuedAt: raw['idTokenIssuedAt'] as number,
    idTokenExpiresAt: raw['idTokenExpiresAt'] as number,
    refreshExpiresAt: raw['refreshExpiresAt'] as number | null,
  };
}

/** At most this long before the ID token expires, a request refreshes it first. */
export const REFRESH_MARGIN_MS = 60 * 1000;

/**
 * How long before expiry a token is refreshed: 60 s, or half its lifetime when that is shorter (a
 * 60-second token is not refreshed on every request).
 */
export function refreshMarginMs(
  credential: Pick<OidcCredential, 'idTokenIssuedAt' | 'idTokenExpiresAt'>,
): number {
  const lifetime = credential.idTokenExpiresAt - credential.idTokenIssuedAt;
  return Math.max(0, Math.min(REFRESH_MARGIN_MS, Math.floor(lifetime / 2)));
}

/**
 * `use`: the ID token has time left. `refresh`: refresh it before this request goes on. `expired`:
 * it is (nearly) over and there is no refresh token: the session ends.
 */
export type RefreshDecision = 'use' | 'refresh' | 'expired';

export function refreshDecision(credential: OidcCredential, now: Date): RefreshDecision {
  const left = credential.idTokenExpiresAt - now.getTime();
  if (left > refreshMarginMs(credential)) return 'use';
  if (credential.refreshToken !== null) return 'refresh';
  return left > 0 ? 'use' : 'expired';
}

/**
 * The absolute deadline of a new session: the configured one, but never beyond what the provider
 * allows — the ID token's expiry without a refresh token, the refresh token's when it is known.
 */
export function oidcSessionExpiry(credential: OidcCredential, now: Date, absoluteMs: number): Date {
  let at = now.getTime() + absoluteMs;
  if (credential.refreshToken === null) at = Math.min(at, credential.idTokenExpiresAt);
  if (credential.refreshExpiresAt !== null) at = Math.min(at, credential.refreshExpiresAt);
  return new Date(at);
}

/** The claims of a JWT, not verified (openid-client verified the token already; used for `iat`/`exp`). */
export function jwtClaims(token: string): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('not a JWT');
  const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw new Error('not a JWT');
  return claims as Record<string, unknown>;
}

/**
 * The credential of a token endpoint response (code or refresh grant) whose ID token was verified. A
 * refresh that sends no new refresh token keeps the previous one (and what was known of its expiry).
 */
export function credentialFrom(
  tokens: { id_token?: string; refresh_token?: string; refresh_expires_in?: unknown },
  claims: Record<string, unknown>,
  now: Date,
  previous: OidcCredential | null = null,
): OidcCredential {
  if (tokens.id_token === undefined) throw new ClaimError('the provider sent no ID token');
  const exp = claims['exp'];
  const iat = claims['iat'];
  if (typeof exp !== 'number' || !Number.isFinite(exp))
    throw new ClaimError('the ID token has no expiry (exp)');
  const refreshIn = tokens.refresh_expires_in;
  const fresh = tokens.refresh_token !== undefined && tokens.refresh_token !== '';
  return {
    idToken: tokens.id_token,
    refreshToken: fresh ? tokens.refresh_token! : (previous?.refreshToken ?? null),
    idTokenIssuedAt: typeof iat === 'number' && Number.isFinite(iat) ? iat * 1000 : now.getTime(),
    idTokenExpiresAt: exp * 1000,
    refreshExpiresAt:
      typeof refreshIn === 'number' && refreshIn > 0
        ? now.getTime() + refreshIn * 1000
        : fresh
          ? null
          : (previous?.refreshExpiresAt ?? null),
  };
}

/** Whether calls carry the person's ID token (token mode) or Podscope's credentials plus impersonation. */
export function usesIdToken(mode: IdentityMode): boolean {
  return mode === 'token';
}
