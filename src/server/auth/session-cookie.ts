// The login session's cookie: an opaque id, HttpOnly (no script reads it), SameSite=Strict (no other
// site's page or link sends it), Secure when people reach Podscope over HTTPS. Pure.
import { readCookie } from '../access/access-token.js';
import { isSessionIdShape } from './login-session.js';

export interface CookieSettings {
  /** From the configured public URL (https:), never from X-Forwarded-Proto, which anyone can send. */
  secure: boolean;
}

/**
 * With Secure, the `__Host-` prefix also makes the browser refuse the cookie unless it is Secure, has
 * Path=/ and no Domain, so no sibling subdomain over plain HTTP can plant or overwrite it.
 */
export function sessionCookieName(settings: CookieSettings): string {
  return settings.secure ? '__Host-podscope-session' : 'podscope-session';
}

function attributes(settings: CookieSettings): string {
  return `Path=/; HttpOnly; SameSite=Strict${settings.secure ? '; Secure' : ''}`;
}

/** Set-Cookie for a new session. No Max-Age: the cookie ends with the browser; the row ends on its own. */
export function sessionSetCookie(settings: CookieSettings, id: string): string {
  return `${sessionCookieName(settings)}=${id}; ${attributes(settings)}`;
}

/** Set-Cookie that makes the browser drop the session cookie. */
export function sessionClearCookie(settings: CookieSettings): string {
  return `${sessionCookieName(settings)}=; Max-Age=0; ${attributes(settings)}`;
}

/** The session id a Cookie header carries, if it has the shape of one (anything else is ignored). */
export function sessionIdFromCookie(
  settings: CookieSettings,
  header: string | undefined,
): string | undefined {
  const value = readCookie(header, sessionCookieName(settings));
  return isSessionIdShape(value) ? value : undefined;
}

/** Whether a configured public URL means the browser talks HTTPS. */
export function cookieSettingsFor(publicUrl: URL | null): CookieSettings {
  return { secure: publicUrl?.protocol === 'https:' };
}
