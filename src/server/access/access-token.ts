// The per-start secret (as Jupyter does): printed in the URL the user opens, exchanged once for an
// HttpOnly cookie, or sent by scripts as `Authorization: Bearer`. Pure functions, no Fastify.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes, URL-safe: fits in a query string without escaping. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Constant-time comparison. Both sides are hashed first, so neither the content nor the length of the
 * expected token leaks through timing.
 */
export function tokenMatches(expected: string, given: string | undefined | null): boolean {
  if (given === undefined || given === null || given === '') return false;
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(given, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/**
 * The cookie's name includes the server's port: cookies are shared by every port of a host, so two
 * Podscopes on one machine would otherwise overwrite each other's.
 */
export function cookieName(serverPort: number): string {
  return `podscope-token-${serverPort}`;
}

/** HttpOnly (no script reads it), SameSite=Strict (no other site's page or link sends it), whole site. */
export function sessionCookie(name: string, token: string): string {
  return `${name}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}

/** The value of cookie `name` in a Cookie header (the first one, as browsers put the most specific first). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return m?.[1];
}

/**
 * Splits `?token=` off a request URL (path + query). `rest` is the same URL without it, safe to use as a
 * redirect: it always starts with exactly one '/', so it can never point at another host.
 */
export function splitTokenParam(url: string): { token: string | undefined; rest: string } {
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const path = '/' + rawPath.replace(/^[/\\]+/, '');
  if (q === -1) return { token: undefined, rest: path };
  const params = new URLSearchParams(url.slice(q + 1));
  const tokens = params.getAll('token');
  params.delete('token');
  const query = params.toString();
  return {
    token: tokens.length === 1 ? tokens[0] : tokens.length > 1 ? '' : undefined,
    rest: query === '' ? path : `${path}?${query}`,
  };
}
