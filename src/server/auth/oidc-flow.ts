// A sign-in in progress (authorization code flow with PKCE): the state, nonce and code verifier made at
// /auth/login and checked at /auth/callback. They travel in a short-lived cookie, sealed (AES-256-GCM
// with the session key every replica has, bound to its purpose), so no replica keeps anything in memory:
// a sign-in started on one replica completes on any other. Pure.
import { readCookie } from '../access/access-token.js';
import type { CookieSettings } from './session-cookie.js';
import { SealError, type CredentialSealer } from './session-crypto.js';

/** How long a person may spend at the provider's login form. */
export const FLOW_TTL_MS = 10 * 60 * 1000;

/** The additional data a flow is sealed with: a sealed flow is never a session credential, nor the reverse. */
const FLOW_BINDING = 'podscope-oidc-login-flow';

export interface LoginFlow {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** Where the app was when sign-in started (a path of this server). */
  returnTo: string;
  /** ms since the epoch. */
  expiresAt: number;
}

export class FlowError extends Error {
  override readonly name = 'FlowError';
}

/**
 * SameSite=Lax, unlike the session cookie: the provider sends the browser back to /auth/callback with a
 * top-level GET from its own site, and a Strict cookie would stay behind. HttpOnly; Secure over HTTPS,
 * where the `__Host-` prefix also pins it to this host.
 */
export function flowCookieName(settings: CookieSettings): string {
  return settings.secure ? '__Host-podscope-login-flow' : 'podscope-login-flow';
}

function attributes(settings: CookieSettings): string {
  return `Path=/; HttpOnly; SameSite=Lax${settings.secure ? '; Secure' : ''}`;
}

export function flowSetCookie(settings: CookieSettings, sealed: string): string {
  return `${flowCookieName(settings)}=${sealed}; Max-Age=${FLOW_TTL_MS / 1000}; ${attributes(settings)}`;
}

export function flowClearCookie(settings: CookieSettings): string {
  return `${flowCookieName(settings)}=; Max-Age=0; ${attributes(settings)}`;
}

export function sealFlow(sealer: CredentialSealer, flow: LoginFlow): string {
  return sealer.seal(JSON.stringify(flow), FLOW_BINDING);
}

const TOKEN = /^[A-Za-z0-9_-]{20,128}$/;

/** The flow a Cookie header carries; throws FlowError with the reason (missing, changed, expired). */
export function openFlow(
  sealer: CredentialSealer,
  settings: CookieSettings,
  cookieHeader: string | undefined,
  now: Date,
): LoginFlow {
  const sealed = readCookie(cookieHeader, flowCookieName(settings));
  if (sealed === undefined || sealed === '') {
    throw new FlowError(
      'this browser has no sign-in in progress (it was started in another browser, finished already, or ' +
        'the browser does not keep cookies for Podscope)',
    );
  }
  let text: string;
  try {
    text = sealer.open(sealed, FLOW_BINDING);
  } catch (err) {
    if (err instanceof SealError)
      throw new FlowError('the sign-in cookie was changed or is not from this Podscope');
    throw err;
  }
  let flow: Partial<LoginFlow>;
  try {
    flow = JSON.parse(text) as Partial<LoginFlow>;
  } catch {
    throw new FlowError('the sign-in cookie is not readable');
  }
  if (
    typeof flow.state !== 'string' ||
    !TOKEN.test(flow.state) ||
    typeof flow.nonce !== 'string' ||
    !TOKEN.test(flow.nonce) ||
    typeof flow.codeVerifier !== 'string' ||
    !TOKEN.test(flow.codeVerifier) ||
    typeof flow.returnTo !== 'string' ||
    typeof flow.expiresAt !== 'number'
  ) {
    throw new FlowError('the sign-in cookie is not readable');
  }
  if (now.getTime() >= flow.expiresAt) {
    throw new FlowError(`the sign-in took longer than ${FLOW_TTL_MS / 60_000} minutes`);
  }
  return { ...(flow as LoginFlow), returnTo: safeReturnTo(flow.returnTo) };
}

/**
 * Where to go after signing in: a path of this server only (never another site: no `//host`, no
 * `/\host`, no scheme), and never back into the sign-in itself. Anything else: the start page.
 */
export function safeReturnTo(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length > 2048) return '/';
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return '/';
  if (/[\x00-\x1f\x7f\\]/.test(raw)) return '/';
  let url: URL;
  try {
    url = new URL(raw, 'http://podscope.invalid');
  } catch {
    return '/';
  }
  if (url.host !== 'podscope.invalid' || url.pathname.startsWith('/auth/')) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}
