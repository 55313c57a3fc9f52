// Single sign-on in tests: Podscope started with `--auth oidc` against the test environment's OpenID
// provider (test/support/oidc.ts), and a person signing in the way a browser does — /auth/login on one
// Podscope, the provider's real form, /auth/callback on the same or another replica — ending with a
// client that carries the session cookie.
import assert from 'node:assert/strict';
import net from 'node:net';
import type { OidcLoginAppOptions } from '../../src/server/app.js';
import { resolveOidcSettings, type IdentityMode } from '../../src/server/auth/oidc-settings.js';
import type { ProviderFetch } from '../../src/server/auth/oidc-provider-client.js';
import { completeProviderLogin, oidcEnv, type TestUserName } from './oidc.js';
import { testSealer, SignedInClient } from './token-login.js';

/** A port nobody listens on right now (the public URL must name it before Podscope listens). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface ProviderChoice {
  issuer: string;
  ca: string;
  caFile: string;
  clientSecretFile: string;
}

/** The cluster's provider (the one the API server trusts). */
export function clusterProvider(): ProviderChoice {
  const env = oidcEnv();
  return { issuer: env.issuer, ca: env.ca, caFile: env.caFile, clientSecretFile: env.clientSecretFile };
}

/** Podscope's single sign-on options for a public URL, the cluster's provider unless another is given. */
export function oidcLoginOptions(
  publicUrl: string,
  identityMode: IdentityMode,
  opts: { provider?: ProviderChoice; wrapFetch?: (fetch: ProviderFetch) => ProviderFetch } = {},
): OidcLoginAppOptions {
  const provider = opts.provider ?? clusterProvider();
  const settings = resolveOidcSettings({
    flags: {
      'oidc-issuer': provider.issuer,
      'oidc-client-id': 'podscope',
      'oidc-client-secret-file': provider.clientSecretFile,
      'oidc-ca-file': provider.caFile,
      'oidc-identity-mode': identityMode,
    },
    env: {},
    config: null,
    publicUrl,
  });
  return {
    settings,
    // The test providers share the cluster provider's client secret.
    secrets: { clientSecret: oidcEnv().clientSecret, ca: provider.ca },
    sealer: testSealer(),
    ...(opts.wrapFetch === undefined ? {} : { client: { wrapFetch: opts.wrapFetch } }),
  };
}

/** `name=value` of each Set-Cookie of a response. */
export function setCookies(res: Response): string[] {
  return res.headers.getSetCookie().map((c) => c.split(';')[0]!);
}

export interface ProviderRound {
  /** The flow cookie /auth/login set. */
  flowCookie: string;
  /** Where the provider sent the browser back: the public URL's /auth/callback with code and state. */
  callbackUrl: URL;
}

/** /auth/login on `baseUrl`, then the provider's form as `user`: up to the provider's redirect back. */
export async function startSignIn(
  baseUrl: string,
  user: TestUserName,
  ca: string,
  returnTo = '/',
): Promise<ProviderRound> {
  const res = await fetch(`${baseUrl}/auth/login?returnTo=${encodeURIComponent(returnTo)}`, {
    redirect: 'manual',
  });
  assert.equal(res.status, 302, await res.text());
  const flow = setCookies(res).find((c) => c.startsWith('podscope-login-flow='));
  assert.ok(flow, 'a flow cookie');
  const { callbackUrl } = await completeProviderLogin(res.headers.get('location')!, user, undefined, { ca });
  return { flowCookie: flow, callbackUrl: new URL(callbackUrl) };
}

/** The callback as the browser sends it, to the replica at `baseUrl` (as a load balancer would pick). */
export function finishSignIn(
  baseUrl: string,
  round: ProviderRound,
  cookie = round.flowCookie,
): Promise<Response> {
  return fetch(`${baseUrl}${round.callbackUrl.pathname}${round.callbackUrl.search}`, {
    headers: { cookie },
    redirect: 'manual',
  });
}

/** A whole sign-in (started on `startOn`, finished on `finishOn`); the signed-in client. */
export async function signInWithProvider(
  startOn: string,
  user: TestUserName,
  ca: string,
  finishOn = startOn,
): Promise<SignedInClient> {
  const round = await startSignIn(startOn, user, ca);
  const res = await finishSignIn(finishOn, round);
  assert.equal(res.status, 302, await res.text());
  const session = setCookies(res).find((c) => c.startsWith('podscope-session='));
  assert.ok(session, 'a session cookie');
  return new SignedInClient(finishOn, session);
}
