// Single sign-on's two pages: /auth/login sends the browser to the provider (with the sealed flow
// cookie), /auth/callback is where the provider sends it back; it opens the session and returns to the
// app. Both are top-level navigations, so failures are pages with the reason and a way to start again —
// and they change nothing.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PodscopeError } from '../http/errors.js';
import { SignInRateLimited } from './login-sessions.js';
import type { OidcLogin } from './oidc-login.js';

export const LOGIN_PATH = '/auth/login';

const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page a failed sign-in shows (pure). */
export function signInErrorPage(message: string, provider: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta name="color-scheme" content="light dark" />
    <title>Podscope — sign-in failed</title>
  </head>
  <body>
    <main>
      <h1>Podscope: sign-in failed</h1>
      <p id="sign-in-error">${esc(message)}</p>
      <p><a href="${LOGIN_PATH}">Sign in with ${esc(provider)} again</a></p>
    </main>
  </body>
</html>
`;
}

export function oidcRoutes(app: FastifyInstance, login: OidcLogin): void {
  const fail = (req: FastifyRequest, reply: FastifyReply, err: unknown) => {
    const status = err instanceof PodscopeError ? err.status : 500;
    if (status >= 500) req.log.error({ err }, 'sign-in failed');
    if (err instanceof SignInRateLimited) void reply.header('Retry-After', String(err.retryAfter));
    const message =
      err instanceof PodscopeError
        ? err.message
        : 'Podscope hit an internal error; the server log has the details.';
    return reply
      .code(status)
      .header('Cache-Control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(signInErrorPage(message, login.providerName));
  };

  app.get(LOGIN_PATH, async (req, reply) => {
    try {
      const { location, setCookie } = await login.start((req.query as { returnTo?: unknown }).returnTo);
      return reply
        .code(302)
        .header('Cache-Control', 'no-store')
        .header('Set-Cookie', setCookie)
        .header('Location', location)
        .send();
    } catch (err) {
      return fail(req, reply, err);
    }
  });

  app.get('/auth/callback', async (req, reply) => {
    const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '';
    try {
      const { location, cookies } = await login.callback(query, header(req, 'cookie'), req.ip ?? null);
      return reply
        .code(302)
        .header('Cache-Control', 'no-store')
        .header('Set-Cookie', cookies)
        .header('Location', location)
        .send();
    } catch (err) {
      return fail(req, reply, err);
    }
  });
}
