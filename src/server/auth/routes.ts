// Signing in and out (token login; single sign-on's own pages are in oidc-routes.ts), and who is signed
// in. In token-login and oidc modes every API request and WebSocket needs a session: the hook below resolves it before any route runs (after the access rules —
// host, origin, JSON bodies — have passed) and answers 401 `login-required` without one. The app's pages
// and files load without one: the sign-in page is one of them.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthMode, AuthSessionView } from '../../shared/api.js';
import { notFound } from '../http/errors.js';
import type { Identity } from '../kube/identity.js';
import { LoginSessions, SignInRateLimited, type ResolvedSession } from './login-sessions.js';
import type { OidcLogin } from './oidc-login.js';
import { oidcRoutes } from './oidc-routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** token-login and oidc modes: the signed-in person (set by the sign-in hook); null elsewhere. */
    loginSession: ResolvedSession | null;
  }
}

/** Answer without a session: the sign-in itself, sign-out, and the question "who am I?". */
export const AUTH_PATHS: readonly string[] = ['/api/auth/login', '/api/auth/logout', '/api/auth/session'];

/** Whether a request needs a signed-in person (pure). */
export function needsSignIn(url: string, webSocket: boolean): boolean {
  const path = url.split('?')[0] ?? '';
  if (webSocket) return true;
  if (!path.startsWith('/api/')) return false;
  return !AUTH_PATHS.includes(path);
}

const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * Who a request acts as in token-login mode. Fails closed: a route reached without a session (which the
 * hook prevents) gets a 401 rather than Podscope's own identity.
 */
export function signedInIdentity(req: FastifyRequest): Identity {
  const session = req.loginSession;
  if (session === null) throw LoginSessions.loginRequired();
  return session.identity;
}

export function authRoutes(
  app: FastifyInstance,
  mode: AuthMode,
  sessions: LoginSessions | null,
  oidc: OidcLogin | null = null,
): void {
  app.decorateRequest('loginSession', null);

  if (sessions !== null) {
    app.addHook('onRequest', async (req, reply) => {
      const webSocket = req.ws || header(req, 'upgrade')?.toLowerCase() === 'websocket';
      if (!needsSignIn(req.url, webSocket)) return;
      const session = await sessions.resolve(header(req, 'cookie'));
      if (session === null) {
        const err =
          oidc === null
            ? LoginSessions.loginRequired()
            : LoginSessions.loginRequired(`Sign in to Podscope with ${oidc.providerName} to continue.`);
        return reply
          .code(401)
          .header('Cache-Control', 'no-store')
          .send({ status: 401, error: err.message, code: err.code });
      }
      req.loginSession = session;
    });
  }

  const view = (session: ResolvedSession | null): AuthSessionView => ({
    mode,
    user: session?.user ?? null,
    ...(oidc === null ? {} : { provider: oidc.providerName }),
  });

  app.get('/api/auth/session', async (req, reply) => {
    void reply.header('Cache-Control', 'no-store');
    return view(sessions === null ? null : await sessions.resolve(header(req, 'cookie')));
  });

  app.post('/api/auth/login', async (req, reply) => {
    if (sessions === null) throw notFound('This Podscope does not sign people in: it uses an access token.');
    if (oidc !== null) {
      throw notFound(`This Podscope signs people in with ${oidc.providerName}: open /auth/login.`);
    }
    const token = (req.body as { token?: unknown } | null)?.token;
    void reply.header('Cache-Control', 'no-store');
    let signedIn;
    try {
      signedIn = await sessions.login(token, req.ip ?? null, header(req, 'cookie'));
    } catch (err) {
      if (err instanceof SignInRateLimited) void reply.header('Retry-After', String(err.retryAfter));
      throw err;
    }
    const { setCookie, user } = signedIn;
    void reply.header('Set-Cookie', setCookie);
    return { mode, user } satisfies AuthSessionView;
  });

  app.post('/api/auth/logout', async (req, reply) => {
    if (sessions === null) throw notFound('This Podscope does not sign people in: it uses an access token.');
    const { setCookie, logoutUrl } = await sessions.logout(header(req, 'cookie'));
    void reply.header('Cache-Control', 'no-store').header('Set-Cookie', setCookie);
    return { ...view(null), ...(logoutUrl === null ? {} : { logoutUrl }) } satisfies AuthSessionView;
  });

  if (oidc !== null) oidcRoutes(app, oidc);
}
