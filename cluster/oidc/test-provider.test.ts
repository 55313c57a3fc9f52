// The provider's flows in-process over plain HTTP (no cluster): sign-in form, consent, code exchange
// with PKCE, the claims the API server needs, refresh and its rotation. The cluster's HTTPS daemon runs
// the same code (test/integration/auth/oidc-provider.test.ts checks it there).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import {
  authorizeUrl,
  completeProviderLogin,
  formAction,
  pageAlert,
  pkcePair,
  ProviderBrowser,
} from '../../test/support/oidc.js';
import { newSigningKey } from './provider-files.js';
import { createTestProvider, withOfflineAccessConsent, type TestProvider } from './test-provider.js';

const SECRET = 'unit-test-client-secret-0123456789';
const key = newSigningKey();
const publicJwks = createLocalJWKSet({
  keys: [{ kty: key.kty!, n: key.n!, e: key.e!, kid: key.kid!, alg: 'RS256' }],
});
const REDIRECT = 'http://127.0.0.1:40999/auth/callback';
let server: Server;
let issuer: string;
let provider: TestProvider;
const logged: string[] = [];

before(async () => {
  server = createServer((req, res) => provider.handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider = createTestProvider({
    issuer,
    clientSecret: SECRET,
    signingKeys: [key],
    cookieKeys: ['unit-test-cookie-key-0123456789'],
    lifetimes: { idTokenSeconds: 120 },
    log: (l) => logged.push(l),
  });
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function tokenRequest(form: Record<string, string>) {
  const res = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`podscope:${SECRET}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(form),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

async function signIn(user: 'dana' | 'nora', scope?: string) {
  const { verifier, challenge } = pkcePair();
  const url = authorizeUrl(issuer, { redirectUri: REDIRECT, state: 'st', nonce: 'nn', challenge, scope });
  const { callbackUrl } = await completeProviderLogin(url, user, undefined, { ca: '' });
  const back = new URL(callbackUrl);
  assert.equal(back.origin + back.pathname, REDIRECT);
  assert.equal(back.searchParams.get('state'), 'st');
  const code = back.searchParams.get('code');
  assert.ok(code, callbackUrl);
  return tokenRequest({
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT,
    code_verifier: verifier,
  });
}

describe('the test provider, in-process', () => {
  it("issues an ID token for podscope with the person's email, verified flag and groups", async () => {
    const { status, body } = await signIn('dana');
    assert.equal(status, 200, JSON.stringify(body));
    const { payload, protectedHeader } = await jwtVerify(body.id_token!, publicJwks, {
      issuer,
      audience: 'podscope',
    });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.sub, 'dana');
    assert.equal(payload.email, 'dana@podscope.test');
    assert.equal(payload.email_verified, true);
    assert.deepEqual(payload.groups, ['dev-team']);
    assert.equal(payload.nonce, 'nn');
    assert.equal(payload.exp! - payload.iat!, 120, 'the configured ID token lifetime');
    assert.equal(body.refresh_token, undefined, 'no refresh token without offline_access');
  });

  it('gives nora an empty groups claim', async () => {
    const { body } = await signIn('nora');
    const { payload } = await jwtVerify(body.id_token!, publicJwks);
    assert.deepEqual(payload.groups, []);
  });

  it('shows the form again with an error for a wrong password, and sends nobody back', async () => {
    const { challenge } = pkcePair();
    const url = authorizeUrl(issuer, { redirectUri: REDIRECT, state: 's', challenge });
    const browser = new ProviderBrowser('');
    const first = await browser.request(url);
    const page = new URL(String(first.headers.location), url);
    const form = await browser.request(page);
    const action = formAction(form.body, page, 'login')!;
    const refused = await browser.request(action, {
      form: { username: 'dana', password: 'victor-password' },
    });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.location, undefined);
    assert.equal(pageAlert(refused.body), 'Wrong user name or password. Try again.');
    assert.ok(formAction(refused.body, page, 'login'), 'the form is shown again');
    assert.ok(logged.some((l) => l.includes('sign-in refused for "dana"')));
  });

  it('returns access_denied to the client when the person cancels', async () => {
    const { challenge } = pkcePair();
    const url = authorizeUrl(issuer, { redirectUri: REDIRECT, state: 's', challenge });
    const browser = new ProviderBrowser('');
    const page = new URL(String((await browser.request(url)).headers.location), url);
    const form = await browser.request(page);
    let res = await browser.request(formAction(form.body, page, 'abort')!, { form: {} });
    while (res.status === 303) {
      const next = new URL(String(res.headers.location), url);
      if (next.origin !== new URL(issuer).origin) {
        assert.equal(next.searchParams.get('error'), 'access_denied');
        assert.equal(next.searchParams.get('code'), null);
        return;
      }
      res = await browser.request(next);
    }
    assert.fail(`no redirect to the client (HTTP ${res.status})`);
  });

  it('refuses requests without PKCE and redirect URIs off the allowed hosts', async () => {
    const { challenge } = pkcePair();
    const noPkce = authorizeUrl(issuer, { redirectUri: REDIRECT, state: 's', challenge });
    noPkce.searchParams.delete('code_challenge');
    noPkce.searchParams.delete('code_challenge_method');
    const res = await new ProviderBrowser('').request(noPkce);
    assert.match(String(res.headers.location), /error=invalid_request.*PKCE/);
    const evil = authorizeUrl(issuer, {
      redirectUri: 'http://evil.example/auth/callback',
      state: 's',
      challenge,
    });
    const page = await new ProviderBrowser('').request(evil);
    assert.equal(page.status, 400);
    assert.equal(page.headers.location, undefined);
  });

  it('issues a refresh token for offline_access, rotates it, and revokes the grant when a spent one is reused', async () => {
    const before = provider.tokenRequests.get('refresh_token') ?? 0;
    const { body } = await signIn('dana', 'openid email groups offline_access');
    assert.ok(body.refresh_token, JSON.stringify(body));
    const first = await tokenRequest({ grant_type: 'refresh_token', refresh_token: body.refresh_token });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.notEqual(first.body.refresh_token, body.refresh_token, 'rotated');
    const { payload } = await jwtVerify(first.body.id_token!, publicJwks);
    assert.deepEqual(payload.groups, ['dev-team']);
    const reused = await tokenRequest({ grant_type: 'refresh_token', refresh_token: body.refresh_token });
    assert.equal(reused.status, 400);
    assert.equal(reused.body.error, 'invalid_grant');
    const after = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: first.body.refresh_token!,
    });
    assert.equal(after.body.error, 'invalid_grant', 'reuse of a spent token revoked the whole grant');
    assert.equal((provider.tokenRequests.get('refresh_token') ?? 0) - before, 1);
  });

  it('asks for consent when offline_access comes without a prompt, and leaves explicit prompts alone', () => {
    const asked = withOfflineAccessConsent(new URL('https://p/auth?scope=openid%20offline_access'));
    assert.equal(asked.searchParams.get('prompt'), 'consent');
    const login = new URL('https://p/auth?scope=openid%20offline_access&prompt=login');
    assert.equal(withOfflineAccessConsent(login), login);
    const plain = new URL('https://p/auth?scope=openid%20email');
    assert.equal(withOfflineAccessConsent(plain), plain);
  });
});
