// The server log: one JSON object per line (pino, through Fastify) with an ISO time, the level as a
// word and the request id, so a log collector can parse and join it without rules of its own. Secrets
// never reach it: the access token (in `?token=` of the first URL, in Authorization, in the cookie),
// other cookies and credentials are cut out before a line is written.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyServerOptions } from 'fastify';

export const REDACTED = '[REDACTED]';

/** Paths pino blanks in any logged object (headers logged whole, or one level down). */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'req.headers["x-podscope-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  '*.headers.authorization',
  '*.headers.cookie',
  'authorization',
  'cookie',
  'token',
  'password',
  '*.token',
  '*.password',
];

/** Query parameters whose values are secrets (the access token of the URL Podscope prints). */
const SECRET_PARAMS = ['token', 'access_token'];

/** The URL with the values of secret query parameters replaced. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = decodeURIComponentSafe(eq === -1 ? pair : pair.slice(0, eq));
      return SECRET_PARAMS.includes(name.toLowerCase())
        ? `${pair.slice(0, eq === -1 ? pair.length : eq)}=${REDACTED}`
        : pair;
    });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A request id a proxy or client sent (X-Request-Id) is kept when it is short and plain; else a new one. */
export function requestId(incoming: string | string[] | undefined): string {
  const value = Array.isArray(incoming) ? incoming[0] : incoming;
  return value !== undefined && /^[A-Za-z0-9._:-]{1,64}$/.test(value) ? value : randomUUID();
}

export function loggerOptions(
  level: string,
  stream?: NodeJS.WritableStream,
): Pick<FastifyServerOptions, 'logger' | 'genReqId'> {
  return {
    logger: {
      level,
      ...(stream === undefined ? {} : { stream }),
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      formatters: { level: (label: string) => ({ level: label }) },
      serializers: {
        // Fastify's own fields, with the URL's token cut out (no headers: they carry the credentials).
        req: (req: {
          method?: string;
          url?: string;
          host?: string;
          ip?: string;
          socket?: { remotePort?: number };
        }) => ({
          method: req.method,
          url: redactUrl(req.url ?? ''),
          host: req.host,
          remoteAddress: req.ip,
          remotePort: req.socket?.remotePort,
        }),
      },
    },
    genReqId: (req: IncomingMessage) => requestId(req.headers['x-request-id']),
  };
}
