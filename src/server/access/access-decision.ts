// Who may drive this server, decided per request from its method, URL and headers alone (pure; the
// Fastify hook in access-hook.ts only carries the answer out). In order:
//   0. GET/HEAD of exactly /healthz or /readyz (kubelet probes, addressed to the pod IP, no token):
//      allowed; they answer nothing but "ok"/"ready" and the names of the checks
//   1. Host must be one of ours (defeats DNS rebinding)                                    → else 403
//   2. the per-start token: ?token= (exchanged for a cookie), Authorization: Bearer, or the cookie → else 401
//   3. cross-site requests that change something or run a command (POST/PUT/PATCH/DELETE, WebSocket
//      upgrades, GETs that exec in a container) need our own Origin, or Sec-Fetch-Site same-origin/none
//                                                                                          → else 403
//   4. POST/PUT/PATCH bodies are JSON (except routes that stream a raw body: the file upload) → else 415
import {
  cookieName,
  bearerToken,
  readCookie,
  sessionCookie,
  splitTokenParam,
  tokenMatches,
} from './access-token.js';
import {
  describeAllowedHosts,
  isAllowedHostHeader,
  isAllowedOrigin,
  type HostAllowlist,
} from './host-allowlist.js';

export interface AccessPolicy {
  hosts: HostAllowlist;
  /** Origins accepted besides those of the allowed hosts (e.g. a development server's). */
  allowedOrigins: readonly string[];
  /** null: --no-token (the user fronts Podscope with their own authenticating proxy). */
  token: string | null;
}

export interface AccessRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  /** The port this server accepted the connection on. */
  serverPort: number;
  host?: string;
  origin?: string;
  secFetchSite?: string;
  authorization?: string;
  cookie?: string;
  contentType?: string;
  accept?: string;
  webSocket: boolean;
  /** A GET that runs a command in a container (file listing, download). */
  runsCommand: boolean;
  /** The route reads its body as raw bytes (the file upload), not as JSON. */
  rawBody: boolean;
}

export type AccessDecision =
  | {
      kind: 'allow';
      /** Set-Cookie to send with the response (a token was exchanged). */
      setCookie?: string;
      /** The URL carried ?token=, which the route must not see as one of its parameters. */
      tokenInQuery: boolean;
    }
  | { kind: 'redirect'; location: string; setCookie: string }
  | {
      kind: 'refuse';
      status: 401 | 403 | 415;
      message: string;
      /** answer with an HTML page */ page: boolean;
    };

const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS'];
const BODY_METHODS = ['POST', 'PUT', 'PATCH'];
const SAME_ORIGIN_FETCH_SITES = ['same-origin', 'none'];

/** A browser loading a page of the app (not the API, not a WebSocket). */
function isPageLoad(req: AccessRequest): boolean {
  const path = req.url.split('?')[0] ?? '';
  return (req.method === 'GET' || req.method === 'HEAD') && !req.webSocket && !path.startsWith('/api/');
}

function wantsHtml(req: AccessRequest): boolean {
  return isPageLoad(req) && /\btext\/html\b/i.test(req.accept ?? '');
}

/** The two health endpoints, open to the kubelet's probes (src/server/health/routes.ts). */
export const HEALTH_PATHS: readonly string[] = ['/healthz', '/readyz'];

function isHealthProbe(req: AccessRequest): boolean {
  const path = req.url.split('?')[0] ?? '';
  return (req.method === 'GET' || req.method === 'HEAD') && !req.webSocket && HEALTH_PATHS.includes(path);
}

const quoted = (value: string) => JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);

export function decideAccess(policy: AccessPolicy, req: AccessRequest): AccessDecision {
  const refuse = (status: 401 | 403 | 415, message: string): AccessDecision => ({
    kind: 'refuse',
    status,
    message,
    page: wantsHtml(req),
  });
  const method = req.method.toUpperCase();

  if (isHealthProbe(req)) return { kind: 'allow', tokenInQuery: false };

  if (!isAllowedHostHeader(policy.hosts, req.host, req.serverPort)) {
    const names = describeAllowedHosts(policy.hosts, req.serverPort).join(', ');
    return refuse(
      403,
      `Podscope only answers requests addressed to ${names}; this one was addressed to ` +
        `${req.host === undefined ? 'no host' : quoted(req.host)}. If you reach Podscope by that name on purpose, ` +
        `start it with --allowed-host NAME.`,
    );
  }

  let setCookie: string | undefined;
  const { token: queryToken, rest } = splitTokenParam(req.url);
  if (policy.token !== null) {
    const name = cookieName(req.serverPort);
    if (queryToken !== undefined) {
      if (!tokenMatches(policy.token, queryToken)) {
        return refuse(
          401,
          'The token in this URL is not the one this Podscope was started with (each start makes a new one). ' +
            'Open the URL printed by podscope when it started.',
        );
      }
      setCookie = sessionCookie(name, policy.token);
      // The page's address loses the token: it stays out of the history, bookmarks and shared links.
      if (isPageLoad(req)) return { kind: 'redirect', location: rest, setCookie };
    } else {
      const bearer = bearerToken(req.authorization);
      const given = bearer ?? readCookie(req.cookie, name);
      if (!tokenMatches(policy.token, given)) {
        return refuse(
          401,
          bearer !== undefined
            ? 'The bearer token is not the one this Podscope was started with (each start makes a new one).'
            : 'Podscope needs its access token: open the URL printed by podscope when it started ' +
                `(http://${req.host}/?token=…), or send the token as "Authorization: Bearer TOKEN".`,
        );
      }
    }
  }

  const changesSomething = !SAFE_METHODS.includes(method) || req.webSocket || req.runsCommand;
  if (changesSomething) {
    const what = req.webSocket ? 'a WebSocket' : `this ${method} request`;
    if (req.origin !== undefined) {
      if (!isAllowedOrigin(policy.hosts, req.origin, req.serverPort, policy.allowedOrigins)) {
        return refuse(
          403,
          `Podscope refuses ${what} from another site's page (Origin ${quoted(req.origin)}).`,
        );
      }
    } else if (req.secFetchSite !== undefined && !SAME_ORIGIN_FETCH_SITES.includes(req.secFetchSite)) {
      return refuse(
        403,
        `Podscope refuses ${what} from another site's page (Sec-Fetch-Site: ${quoted(req.secFetchSite)}).`,
      );
    }
    // Neither header: not a browser (or one too old to send them; the SameSite=Strict cookie covers those).
  }

  if (BODY_METHODS.includes(method) && !req.rawBody && !isJson(req.contentType)) {
    return refuse(
      415,
      `${method} requests take a JSON body sent with "Content-Type: application/json"` +
        (req.contentType === undefined ? ' (this one had none).' : ` (not ${quoted(req.contentType)}).`),
    );
  }

  return { kind: 'allow', tokenInQuery: queryToken !== undefined, ...(setCookie ? { setCookie } : {}) };
}

function isJson(contentType: string | undefined): boolean {
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return media === 'application/json';
}

/** The 401/403 page a browser shows when it loads the app without access. */
export function refusalPage(status: number, message: string, retryPath: string): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta name="color-scheme" content="light dark" />
    <title>Podscope — ${status === 401 ? 'access token needed' : 'refused'}</title>
  </head>
  <body>
    <h1>Podscope</h1>
    <p>${esc(message)}</p>
    ${
      status === 401
        ? `<p>If you already opened that URL in this browser and came here through a link from another site, the
    browser held back Podscope's cookie: <a href="${esc(retryPath)}">open this page again from here</a>.</p>`
        : ''
    }
  </body>
</html>
`;
}
