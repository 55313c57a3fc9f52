// Single sign-on with two Podscopes on one PostgreSQL database, as two replicas behind a round-robin
// Service: a sign-in started on one completes on the other (20 times in a row, alternating), a session
// works on both and a sign-out on one ends it on both; and when the ID token nears its expiry, many
// concurrent requests on both replicas cause exactly one refresh at the provider (counted at its token
// endpoint), while a refresh the provider refuses ends the session everywhere.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { IdentityMode } from '../../../src/server/auth/oidc-settings.js';
import { DEFAULT_CONFIG } from '../../../src/server/config/podscope-config.js';
import type { AuthSessionView } from '../../../src/shared/api.js';
import { oidcEnv, startTestProvider, type TestProviderInstance } from '../../support/oidc.js';
import {
  clusterProvider,
  finishSignIn,
  freePort,
  oidcLoginOptions,
  setCookies,
  signInWithProvider,
  startSignIn,
  type ProviderChoice,
} from '../../support/oidc-login.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../../support/podscope.js';
import { ensurePostgres, TestSchemas } from '../../support/postgres.js';
import { SignedInClient } from '../../support/token-login.js';

const config = {
  ...DEFAULT_CONFIG,
  auth: { ...DEFAULT_CONFIG.auth, loginAttempts: { perClient: 1000, windowMs: 60_000 } },
};
let schemas: TestSchemas;
const running: RunningPodscope[] = [];
const providers: TestProviderInstance[] = [];

/** Two replicas on one fresh schema; both answer to one public URL (the first one's address). */
async function replicas(mode: IdentityMode, provider: ProviderChoice = clusterProvider()) {
  const { url } = await schemas.fresh('sso');
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const start = (p?: number) =>
    startPodscope({
      databaseUrl: url,
      config,
      ...(p === undefined ? {} : { port: p }),
      oidcLogin: oidcLoginOptions(publicUrl, mode, { provider }),
    });
  const a = await start(port);
  const b = await start();
  running.push(a, b);
  return { a, b, url };
}

const whoami = async (c: SignedInClient) => (await c.getJson<AuthSessionView>('/api/auth/session')).body.user;

before(async () => {
  schemas = new TestSchemas(await ensurePostgres());
});
after(async () => {
  for (const p of running) await p.close();
  for (const p of providers) await p.close();
  await schemas?.dropAll();
});

describe('single sign-on across two replicas on PostgreSQL', () => {
  test('a sign-in started on one replica completes on the other, 20 times in a row alternating', async () => {
    const { a, b } = await replicas('impersonation');
    const ca = oidcEnv().ca;
    const people = ['dana', 'victor', 'olga', 'nora'] as const;
    for (let i = 0; i < 20; i++) {
      const [from, to] = i % 2 === 0 ? [a, b] : [b, a];
      const user = people[i % people.length]!;
      const round = await startSignIn(from.url, user, ca);
      const res = await finishSignIn(to.url, round);
      assert.equal(res.status, 302, `sign-in ${i} (${user}): ${await res.text()}`);
      const cookie = setCookies(res).find((c) => c.startsWith('podscope-session='))!;
      // The session is good on both.
      for (const p of [a, b]) {
        assert.equal(
          (await whoami(new SignedInClient(p.url, cookie)))?.username,
          `${user}@podscope.test`,
          `sign-in ${i}`,
        );
      }
    }
  });

  test('a session works on both replicas; sign-out on one ends it on both', async () => {
    const { a, b } = await replicas('token');
    const dana = await signInWithProvider(a.url, 'dana', oidcEnv().ca, b.url);
    const onA = new SignedInClient(a.url, dana.cookie);
    for (const c of [onA, dana]) {
      const r = await c.fetch(`/api/clusters/${CLUSTER}/namespaces/demo/pods`);
      assert.equal(r.status, 200, await r.text());
    }
    assert.equal((await onA.logout()).status, 200);
    for (const c of [onA, dana]) {
      const r = await c.fetch(`/api/clusters/${CLUSTER}/namespaces/demo/pods`);
      assert.equal(r.status, 401);
      assert.equal(((await r.json()) as { code: string }).code, 'login-required');
    }
  });

  test('near expiry, 30 concurrent requests on both replicas cause exactly one refresh', async () => {
    // A provider of the test's own, with 20-second ID tokens: refreshed after 10 s (half the lifetime).
    const short = await startTestProvider({ idTokenTtlSeconds: 20 });
    providers.push(short);
    const provider = {
      issuer: short.issuer,
      ca: short.ca,
      caFile: short.caFile,
      clientSecretFile: short.clientSecretFile,
    };
    const { a, b } = await replicas('impersonation', provider);
    const dana = await signInWithProvider(a.url, 'dana', short.ca);
    assert.equal(short.tokenRequests('authorization_code'), 1);
    assert.equal(short.tokenRequests('refresh_token'), 0);
    const pods = `/api/clusters/${CLUSTER}/namespaces/demo/pods`;
    assert.equal((await dana.fetch(pods)).status, 200);
    await new Promise((r) => setTimeout(r, 11_000));
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => new SignedInClient((i % 2 ? a : b).url, dana.cookie).fetch(pods)),
    );
    assert.deepEqual(
      answers.map((r) => r.status),
      answers.map(() => 200),
    );
    assert.equal(short.tokenRequests('refresh_token'), 1, 'one refresh for all of them');
    // The refreshed token serves the next requests without another refresh.
    for (const p of [a, b])
      assert.equal((await new SignedInClient(p.url, dana.cookie).fetch(pods)).status, 200);
    assert.equal(short.tokenRequests('refresh_token'), 1);
    assert.equal((await whoami(dana))?.username, 'dana@podscope.test');
  });

  test('a refresh the provider refuses (the refresh token has expired) ends the session on both replicas', async () => {
    const short = await startTestProvider({ idTokenTtlSeconds: 20, refreshTokenTtlSeconds: 5 });
    providers.push(short);
    const provider = {
      issuer: short.issuer,
      ca: short.ca,
      caFile: short.caFile,
      clientSecretFile: short.clientSecretFile,
    };
    const { a, b } = await replicas('impersonation', provider);
    const victor = await signInWithProvider(b.url, 'victor', short.ca);
    await new Promise((r) => setTimeout(r, 11_000));
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        new SignedInClient((i % 2 ? a : b).url, victor.cookie).fetch('/api/clusters'),
      ),
    );
    for (const r of answers) {
      assert.equal(r.status, 401);
      assert.equal(((await r.json()) as { code: string }).code, 'login-required');
    }
    assert.equal(short.tokenRequests('refresh_token'), 0, 'the provider granted no refresh');
    assert.equal(await whoami(new SignedInClient(a.url, victor.cookie)), null);
  });
});
