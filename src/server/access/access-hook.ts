// The thin Fastify side of access control: every HTTP request and WebSocket upgrade (which
// @fastify/websocket routes through the same hooks before upgrading) is decided by decideAccess, and
// every response carries the security headers.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decideAccess, refusalPage, type AccessPolicy, type AccessRequest } from './access-decision.js';
import { splitTokenParam } from './access-token.js';
import { isAllowedHostHeader, type HostAllowlist } from './host-allowlist.js';
import { securityHeaders } from './security-headers.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A GET that runs a command in a container: cross-site requests are refused like a POST's. */
    runsCommand?: boolean;
    /** The route streams its body raw (not JSON); it still gets the cross-site checks. */
    rawBody?: boolean;
  }
}

const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** The port the connection came in on; 0 once the socket is gone (a response to a dropped upload). */
const serverPort = (req: FastifyRequest): number => req.raw.socket?.localPort ?? 0;

function accessRequest(req: FastifyRequest): AccessRequest {
  const config = req.routeOptions.config ?? {};
  return {
    method: req.method,
    url: req.url,
    serverPort: serverPort(req),
    host: header(req, 'host'),
    origin: header(req, 'origin'),
    secFetchSite: header(req, 'sec-fetch-site'),
    authorization: header(req, 'authorization'),
    cookie: header(req, 'cookie'),
    contentType: header(req, 'content-type'),
    accept: header(req, 'accept'),
    // Any upgrade request counts, also one to a path that is not a WebSocket route.
    webSocket: req.ws || header(req, 'upgrade')?.toLowerCase() === 'websocket',
    runsCommand: config.runsCommand === true,
    rawBody: config.rawBody === true,
  };
}

export function registerAccessControl(app: FastifyInstance, policy: AccessPolicy): void {
  // Bodies are JSON or, for routes marked rawBody, raw: a text/plain body (what a cross-site <form> can
  // send without a preflight) is never parsed.
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (req, reply) => {
    const decision = decideAccess(policy, accessRequest(req));
    if (decision.kind === 'allow') {
      if (decision.setCookie !== undefined) void reply.header('Set-Cookie', decision.setCookie);
      // The token is the server's business, not one of the route's query parameters.
      if (decision.tokenInQuery) delete (req.query as Record<string, unknown>)['token'];
      return;
    }
    void reply.header('Cache-Control', 'no-store');
    if (decision.kind === 'redirect') {
      return reply
        .code(302)
        .header('Set-Cookie', decision.setCookie)
        .header('Location', decision.location)
        .send();
    }
    if (decision.status === 401) void reply.header('WWW-Authenticate', 'Bearer realm="podscope"');
    if (decision.page) {
      return reply
        .code(decision.status)
        .type('text/html; charset=utf-8')
        .send(refusalPage(decision.status, decision.message, splitTokenParam(req.url).rest));
    }
    return reply.code(decision.status).send({ status: decision.status, error: decision.message });
  });

  app.addHook('onSend', async (req, reply, payload) => {
    void reply.headers(headersFor(policy.hosts, req));
    return payload;
  });
}

/** The security headers for a response to `req` (connect-src names its host only if we answer to it). */
function headersFor(hosts: HostAllowlist, req: FastifyRequest): Record<string, string> {
  const host = header(req, 'host');
  return securityHeaders(isAllowedHostHeader(hosts, host, serverPort(req)) ? host : undefined);
}

/**
 * Fastify's `frameworkErrors`: URLs its router refuses before any hook runs (a malformed %-escape, a
 * path segment over maxParamLength). Answered as every other error, with a sentence and the security
 * headers, without echoing the URL; no route handler is reached.
 */
export function frameworkErrorHandler(hosts: HostAllowlist) {
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply): void => {
    const [status, error] =
      err.code === 'FST_ERR_BAD_URL'
        ? [400, 'The URL is not valid: it has a malformed %-escape.']
        : err.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? [414, 'A part of the URL is too long.']
          : [500, 'Podscope hit an internal error; the server log has the details.'];
    void reply.code(status).headers(headersFor(hosts, req)).send({ status, error });
  };
}
