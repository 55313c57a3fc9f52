// Single sign-on sessions on real (SQLite) stores, two "replicas" on one database file, with a clock of
// the test's own and the provider's side played by the test: what a refresh does when many requests
// find the ID token near its expiry at once, when the provider refuses, and when it cannot be reached.
// The flow against the real provider is in test/integration/auth/oidc-*.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { SqliteAuditStore } from '../audit/sqlite-audit-store.js';
import type { ClusterRegistry } from '../kube/cluster-registry.js';
import { DEFAULT_AUTH_CONFIG } from './auth-config.js';
import { LoginSessions } from './login-sessions.js';
import { OidcLogin, type OidcProviderPort } from './oidc-login.js';
import { serializeCredential, type OidcCredential } from './oidc-session.js';
import { resolveOidcSettings, type IdentityMode } from './oidc-settings.js';
import { CredentialSealer, parseSessionKeyFile } from './session-crypto.js';

const dir = mkdtempSync(path.join(tmpdir(), 'podscope-oidc-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const T0 = Date.UTC(2026, 10, 30, 22, 0, 0);
const ISSUER = 'https://10.213.0.1:5556';
const sealer = new CredentialSealer(parseSessionKeyFile('unit-test-session-key-0123456789abcdef', 'k'));
const log = { warn: () => undefined, info: () => undefined };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Behaviour = 'ok' | 'refuse' | 'down' | 'someone-else';

/** The provider's token endpoint as the test plays it: counts refresh grants. */
function provider(behaviour: Behaviour) {
  let calls = 0;
  const port: OidcProviderPort = {
    authorizationUrl: () => Promise.reject(new Error('not used')),
    exchange: () => Promise.reject(new Error('not used')),
    endSessionUrl: () => Promise.resolve(null),
    refresh: async (refreshToken) => {
      calls++;
      await sleep(100);
      if (behaviour === 'refuse') {
        throw new oidc.ResponseBodyError('refused', {
          cause: { error: 'invalid_grant', error_description: 'grant request is invalid' },
          response: new Response('{}', { status: 400 }),
        });
      }
      if (behaviour === 'down') throw new TypeError('fetch failed');
      const iat = Math.floor(now / 1000);
      return {
        id_token: `id-token-${calls}`,
        refresh_token: `${refreshToken}+`,
        claims: {
          sub: behaviour === 'someone-else' ? 'olga' : 'dana',
          iss: ISSUER,
          iat,
          exp: iat + 300,
          email: 'dana@podscope.test',
          groups: ['dev-team', 'new-group'],
        },
      };
    },
  };
  return { port, calls: () => calls };
}

let now = T0;

async function setup(
  behaviour: Behaviour,
  mode: IdentityMode = 'token',
  credential: Partial<OidcCredential> = {},
) {
  const file = path.join(dir, `${++n}.db`);
  const settings = resolveOidcSettings({
    flags: { 'oidc-issuer': ISSUER, 'oidc-client-id': 'podscope', 'oidc-identity-mode': mode },
    env: {},
    config: null,
    publicUrl: 'http://127.0.0.1:7420',
  });
  const side = provider(behaviour);
  const replicas = ['a', 'b'].map((replica) => {
    const store = new SqliteAuditStore(file);
    const login = new OidcLogin({
      settings,
      secrets: { clientSecret: 's', ca: null },
      sealer,
      store,
      cluster: 'podscope-local',
      config: DEFAULT_AUTH_CONFIG,
      cookie: { secure: false },
      replica,
      log,
      now: () => new Date(now),
      provider: side.port,
    });
    const sessions = new LoginSessions({
      store,
      sealer,
      registry: {} as ClusterRegistry,
      cluster: 'podscope-local',
      config: DEFAULT_AUTH_CONFIG,
      cookie: { secure: false },
      log,
      now: () => new Date(now),
      oidc: login,
    });
    login.attach(sessions);
    return { store, login, sessions };
  });
  now = T0;
  const { setCookie, row } = await replicas[0]!.sessions.open(
    {
      subject: `${ISSUER}#dana`,
      username: 'dana@podscope.test',
      email: 'dana@podscope.test',
      uid: null,
      groups: ['dev-team'],
      extra: {},
      cluster: 'podscope-local',
      credentialKind: 'oidc',
      clientAddress: null,
      createdAt: new Date(T0),
      lastSeenAt: new Date(T0),
      idleExpiresAt: new Date(T0 + 3600_000),
      expiresAt: new Date(T0 + 12 * 3600_000),
    },
    serializeCredential({
      idToken: 'id-token-0',
      refreshToken: 'rt',
      idTokenIssuedAt: T0,
      idTokenExpiresAt: T0 + 300_000,
      refreshExpiresAt: null,
      ...credential,
    }),
    undefined,
  );
  return { replicas, side, cookie: setCookie.split(';')[0]!, idHash: row.idHash };
}

const authorization = (identity: { credential?: { authorization(): string } } | undefined) =>
  identity?.credential?.authorization();

describe('single sign-on refresh', () => {
  it('uses the ID token while it has more than a minute left, without asking the provider', async () => {
    const { replicas, side, cookie } = await setup('ok');
    now = T0 + 200_000;
    const s = await replicas[1]!.sessions.resolve(cookie);
    assert.equal(authorization(s?.identity), 'Bearer id-token-0');
    assert.equal(s?.identity.user, 'dana@podscope.test');
    assert.equal(s?.identity.subject, `${ISSUER}#dana`);
    assert.equal(s?.identity.email, 'dana@podscope.test');
    assert.equal(side.calls(), 0);
  });

  it('40 concurrent requests on two replicas near expiry: exactly one refresh, all of them act with the new token', async () => {
    const { replicas, side, cookie, idHash } = await setup('ok');
    now = T0 + 250_000; // 50 s left
    const all = await Promise.all(
      Array.from({ length: 40 }, (_, i) => replicas[i % 2]!.sessions.resolve(cookie)),
    );
    assert.equal(side.calls(), 1);
    for (const s of all) {
      assert.equal(authorization(s?.identity), 'Bearer id-token-1');
      assert.deepEqual(s?.identity.groups, ['dev-team', 'new-group']);
    }
    const row = await replicas[0]!.store.getLoginSession(idHash);
    assert.deepEqual(row?.groups, ['dev-team', 'new-group']);
    // The next request uses the refreshed token; the refresh token was rotated.
    const next = await replicas[1]!.sessions.resolve(cookie);
    assert.equal(authorization(next?.identity), 'Bearer id-token-1');
    assert.equal(side.calls(), 1);
    now = T0 + 250_000 + 250_000;
    assert.equal(authorization((await replicas[0]!.sessions.resolve(cookie))?.identity), 'Bearer id-token-2');
    assert.equal(side.calls(), 2);
  });

  it('impersonation: no credential, the person and groups of the (refreshed) token', async () => {
    const { replicas, cookie } = await setup('ok', 'impersonation');
    now = T0 + 290_000;
    const s = await replicas[0]!.sessions.resolve(cookie);
    assert.equal(s?.identity.credential, undefined);
    assert.equal(s?.identity.user, 'dana@podscope.test');
    assert.deepEqual(s?.identity.groups, ['dev-team', 'new-group']);
    assert.equal(s?.user.email, 'dana@podscope.test');
  });

  it('a refresh the provider refuses ends the session on every replica', async () => {
    const { replicas, side, cookie, idHash } = await setup('refuse');
    now = T0 + 250_000;
    const all = await Promise.all(
      Array.from({ length: 10 }, (_, i) => replicas[i % 2]!.sessions.resolve(cookie)),
    );
    assert.deepEqual(
      all,
      Array.from({ length: 10 }, () => null),
    );
    assert.equal(side.calls(), 1);
    assert.equal(await replicas[1]!.store.getLoginSession(idHash), undefined);
  });

  it('a refreshed token naming someone else ends the session', async () => {
    const { replicas, cookie, idHash } = await setup('someone-else');
    now = T0 + 250_000;
    assert.equal(await replicas[0]!.sessions.resolve(cookie), null);
    assert.equal(await replicas[0]!.store.getLoginSession(idHash), undefined);
  });

  it('provider unreachable: the old token while it lasts (the lease is freed), then the session ends', async () => {
    const { replicas, side, cookie, idHash } = await setup('down');
    now = T0 + 250_000;
    assert.equal(authorization((await replicas[0]!.sessions.resolve(cookie))?.identity), 'Bearer id-token-0');
    assert.equal(side.calls(), 1);
    // The lease was given back: the other replica tries again at once.
    assert.equal(authorization((await replicas[1]!.sessions.resolve(cookie))?.identity), 'Bearer id-token-0');
    assert.equal(side.calls(), 2);
    now = T0 + 300_000;
    assert.equal(await replicas[1]!.sessions.resolve(cookie), null);
    assert.equal(await replicas[0]!.store.getLoginSession(idHash), undefined);
  });

  it('without a refresh token, the session ends with the ID token', async () => {
    const { replicas, side, cookie } = await setup('ok', 'token', { refreshToken: null });
    now = T0 + 299_999;
    assert.equal(authorization((await replicas[0]!.sessions.resolve(cookie))?.identity), 'Bearer id-token-0');
    now = T0 + 300_000;
    assert.equal(await replicas[0]!.sessions.resolve(cookie), null);
    assert.equal(side.calls(), 0);
  });

  it('a lease whose holder died is taken over once it has passed', async () => {
    const { replicas, side, cookie, idHash } = await setup('ok');
    now = T0 + 250_000;
    const row = (await replicas[0]!.store.getLoginSession(idHash))!;
    // A replica took the lease and died before finishing.
    assert.equal(
      await replicas[0]!.store.claimLoginSessionRefresh(
        idHash,
        row.sealedCredential,
        'dead',
        new Date(now),
        new Date(now + 500),
      ),
      true,
    );
    const waiting = replicas[1]!.sessions.resolve(cookie);
    await sleep(300);
    now += 600; // the lease has passed
    assert.equal(authorization((await waiting)?.identity), 'Bearer id-token-1');
    assert.equal(side.calls(), 1);
  });
});
