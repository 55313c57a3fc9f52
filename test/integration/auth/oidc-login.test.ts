// Single sign-on against the real cluster and the test environment's real OpenID provider, in both
// identity modes: a person signs in through the provider's form, Podscope names them, their calls —
// JSON, the pod watch stream, logs, the terminal's exec WebSocket, a debug container — are made as
// them (impersonation: Podscope's credentials plus Impersonate-User/-Group; token: their ID token), and
// Kubernetes' own 403 answers what their RBAC does not allow. Bad callbacks and bad ID tokens are
// refused with a page and change nothing; one person's cookie never yields another's identity.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { SqliteAuditStore } from '../../../src/server/audit/sqlite-audit-store.js';
import { hashSessionId } from '../../../src/server/auth/login-session.js';
import type { ProviderFetch } from '../../../src/server/auth/oidc-provider-client.js';
import type { IdentityMode } from '../../../src/server/auth/oidc-settings.js';
import { DEFAULT_CONFIG } from '../../../src/server/config/podscope-config.js';
import type { AuthSessionView } from '../../../src/shared/api.js';
import { APP_IMAGE, kubectl, kubectlOk, uniqueName } from '../../support/cluster.js';
import {
  mintIdToken,
  oidcEnv,
  providerIdToken,
  tamperedToken,
  tokenClaims,
  type TestUserName,
} from '../../support/oidc.js';
import {
  finishSignIn,
  freePort,
  oidcLoginOptions,
  setCookies,
  signInWithProvider,
  startSignIn,
} from '../../support/oidc-login.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../../support/podscope.js';
import { SignedInClient } from '../../support/token-login.js';
import { TerminalClient, terminalUrl } from '../terminal/terminal-client.js';
import { createPod, waitPodRunning } from '../terminal/test-pods.js';

const ns = uniqueName('oidc');
const dir = mkdtempSync(path.join(tmpdir(), 'podscope-oidc-'));
const config = {
  ...DEFAULT_CONFIG,
  auth: { ...DEFAULT_CONFIG.auth, loginAttempts: { perClient: 1000, windowMs: 60_000 } },
};
const email = (user: TestUserName) => `${user}@podscope.test`;
let pod: string;
let ca: string;
const running: RunningPodscope[] = [];
const stores: SqliteAuditStore[] = [];

/** What the ID token endpoint answers is replaced by `swap` (the token-table test), else passed on. */
let swap: ((idToken: string) => Promise<string>) | null = null;
const swapping: (fetch: ProviderFetch) => ProviderFetch = (inner) => async (url, options) => {
  const res = await inner(url, options);
  if (swap === null || options.method !== 'POST' || !url.endsWith('/token')) return res;
  const body = (await res.json()) as { id_token?: string };
  if (body.id_token !== undefined) body.id_token = await swap(body.id_token);
  return new Response(JSON.stringify(body), { status: res.status, headers: res.headers });
};

interface Instance {
  podscope: RunningPodscope;
  dbFile: string;
  rows(): { username: string; sealed_credential: string; id_hash: string; credential_kind: string }[];
  signIn(user: TestUserName): Promise<SignedInClient>;
}

async function instance(mode: IdentityMode): Promise<Instance> {
  const port = await freePort();
  const dbFile = path.join(dir, `${mode}-${port}.db`);
  const audit = new SqliteAuditStore(dbFile);
  stores.push(audit);
  const podscope = await startPodscope({
    audit,
    config,
    port,
    oidcLogin: oidcLoginOptions(`http://127.0.0.1:${port}`, mode, { wrapFetch: swapping }),
  });
  running.push(podscope);
  return {
    podscope,
    dbFile,
    rows: () => {
      const db = new BetterSqlite3(dbFile, { readonly: true });
      try {
        return db
          .prepare('SELECT username, sealed_credential, id_hash, credential_kind FROM login_sessions')
          .all() as ReturnType<Instance['rows']>;
      } finally {
        db.close();
      }
    },
    signIn: (user) => signInWithProvider(podscope.url, user, ca),
  };
}

// `namespaces` in a Role: the namespace object itself (Podscope reads its exec-policy labels).
const rules = {
  developer: [
    { apiGroups: [''], resources: ['pods', 'events', 'namespaces'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
    { apiGroups: [''], resources: ['pods/exec'], verbs: ['get', 'create'] },
    { apiGroups: [''], resources: ['pods/ephemeralcontainers'], verbs: ['patch'] },
  ],
  viewer: [
    { apiGroups: [''], resources: ['pods', 'events', 'namespaces'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
  ],
};

before(async () => {
  ca = oidcEnv().ca;
  await kubectlOk(['create', 'namespace', ns]);
  await kubectlOk(['label', 'namespace', ns, 'podscope-test=true']);
  // Bindings to the people's groups (as the provider names them): RBAC sees groups only through
  // Impersonate-Group (or the ID token's groups claim).
  const items: object[] = [];
  for (const [role, group] of [
    ['developer', 'dev-team'],
    ['viewer', 'viewers'],
  ] as const) {
    items.push(
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: role, namespace: ns },
        rules: rules[role],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: role, namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group }],
      },
    );
  }
  const r = await kubectl(['apply', '-f', '-'], {
    input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }),
  });
  assert.equal(r.code, 0, r.stderr);
  pod = await createPod({ prefix: 'app', image: APP_IMAGE, namespace: ns });
  await waitPodRunning(pod, ns);
});
after(async () => {
  for (const p of running) await p.close();
  for (const s of stores) await s.close();
  await kubectl(['delete', 'namespace', ns, '--wait=false']);
  rmSync(dir, { recursive: true, force: true });
});

const pods = `/api/clusters/${CLUSTER}/namespaces/${ns}/pods`;

for (const mode of ['impersonation', 'token'] as const) {
  describe(`single sign-on, identity mode ${mode}`, () => {
    let it: Instance;
    before(async () => {
      it = await instance(mode);
    });

    test('the provider signs the person in; Podscope names them and lists pods as them', async () => {
      const round = await startSignIn(it.podscope.url, 'dana', ca, `/c/${CLUSTER}/ns/${ns}?tab=pods`);
      assert.equal(round.callbackUrl.origin, it.podscope.url, 'back to the public URL');
      assert.equal(round.callbackUrl.pathname, '/auth/callback');
      const res = await finishSignIn(it.podscope.url, round);
      assert.equal(res.status, 302, await res.text());
      assert.equal(res.headers.get('location'), `/c/${CLUSTER}/ns/${ns}?tab=pods`);
      const lines = res.headers.getSetCookie();
      assert.ok(
        lines.some((l) => /^podscope-session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/.test(l)),
        lines.join('\n'),
      );
      assert.ok(
        lines.some((l) => l.startsWith('podscope-login-flow=; Max-Age=0')),
        'the flow cookie is cleared',
      );
      const dana = new SignedInClient(
        it.podscope.url,
        setCookies(res).find((c) => c.startsWith('podscope-session='))!,
      );
      const me = await dana.getJson<AuthSessionView>('/api/auth/session');
      assert.equal(me.body.mode, 'oidc');
      assert.equal(me.body.provider, new URL(oidcEnv().issuer).host);
      assert.equal(me.body.user?.username, email('dana'));
      assert.equal(me.body.user?.email, email('dana'));
      assert.deepEqual(me.body.user?.groups, ['dev-team']);
      const list = await dana.getJson<{ name: string }[]>(pods);
      assert.equal(list.status, 200, JSON.stringify(list.body));
      assert.ok(list.body.some((p) => p.name === pod));
      const row = it.rows().find((r) => r.username === email('dana'))!;
      assert.equal(row.credential_kind, 'oidc');
      assert.doesNotMatch(row.sealed_credential, /eyJ/, 'no token readable in the row');
    });

    test("Kubernetes' 403 answers what the person's RBAC does not allow, and names them", async () => {
      const [dana, victor, nora] = await Promise.all([
        it.signIn('dana'),
        it.signIn('victor'),
        it.signIn('nora'),
      ]);
      assert.equal((await victor.fetch(pods)).status, 200);
      const none = await nora.getJson<{ error: string }>(pods);
      assert.equal(none.status, 403, JSON.stringify(none.body));
      assert.match(none.body.error, /nora@podscope\.test.* cannot list resource "pods"/);
      const elsewhere = await victor.getJson<{ error: string }>(
        `/api/clusters/${CLUSTER}/namespaces/kube-system/pods`,
      );
      assert.equal(elsewhere.status, 403);
      assert.match(elsewhere.body.error, /victor@podscope\.test/);
      // Logs: a stream of its own.
      const logs = await dana.fetch(`${pods}/${pod}/logs?tailLines=5`);
      assert.equal(logs.status, 200, await logs.clone().text());
      assert.equal((await nora.fetch(`${pods}/${pod}/logs?tailLines=5`)).status, 403);
      // The pod watch (a WebSocket, then a Kubernetes watch stream).
      const watch = dana.ws<{ type: string }>(`${pods}/watch`);
      await watch.opened;
      await watch.until('the first pod list', (m) => m.length > 0);
      watch.close();
    });

    test('the terminal (exec WebSocket) opens as the person: allowed for dana, refused for victor', async () => {
      const [dana, victor] = await Promise.all([it.signIn('dana'), it.signIn('victor')]);
      const refused = new TerminalClient(terminalUrl(it.podscope.wsUrl, ns, pod), { cookie: victor.cookie });
      const err = await refused.error();
      assert.equal(err?.status, 403, JSON.stringify(refused.messages));
      assert.match(err?.message ?? '', /victor@podscope\.test/);
      const t = new TerminalClient(terminalUrl(it.podscope.wsUrl, ns, pod), { cookie: dana.cookie });
      await t.ready();
      t.type('echo "sso-$((6 * 7))"\r');
      await t.outputMatches(/sso-42/);
      t.type('exit\r');
      await t.closed;
    });

    test('a debug container is added as the person (pods/ephemeralcontainers): dana yes, victor 403', async () => {
      const [dana, victor] = await Promise.all([it.signIn('dana'), it.signIn('victor')]);
      // A pod of this mode's own: Podscope reuses a running debug container without patching the pod.
      const fresh = await createPod({ prefix: `dbg-${mode.slice(0, 5)}`, image: APP_IMAGE, namespace: ns });
      await waitPodRunning(fresh, ns);
      const post = (who: SignedInClient) =>
        who.fetch(`${pods}/${fresh}/debug-containers`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ target: 'app' }),
        });
      const no = await post(victor);
      assert.equal(no.status, 403, await no.clone().text());
      assert.match(await no.text(), /victor@podscope\.test/);
      const yes = await post(dana);
      assert.ok([200, 201].includes(yes.status), await yes.clone().text());
    });

    test('identity headers from the browser are never forwarded: Authorization, Impersonate-*', async () => {
      const nora = await it.signIn('nora');
      const danaToken = await providerIdToken('dana');
      const r = await nora.getJson<{ error: string }>(pods, {
        authorization: `Bearer ${danaToken}`,
        'impersonate-user': email('dana'),
        'impersonate-group': 'dev-team',
      });
      assert.equal(r.status, 403, 'still nora');
      assert.match(r.body.error, /nora@podscope\.test.* cannot list/);
    });

    test("one person's cookie never yields another's identity, even with the rows' credentials swapped", async () => {
      const dana = await it.signIn('dana');
      const victor = await it.signIn('victor');
      for (const [who, user] of [
        [dana, 'dana'],
        [victor, 'victor'],
      ] as const) {
        const me = await who.getJson<AuthSessionView>('/api/auth/session');
        assert.equal(me.body.user?.username, email(user));
      }
      const forged = new SignedInClient(it.podscope.url, `podscope-session=${'A'.repeat(43)}`);
      assert.equal((await forged.fetch(pods)).status, 401);
      // Someone with write access to the table moves victor's sealed credential into dana's row: it is
      // bound to victor's row, so dana's cookie now opens nothing (and never acts as victor).
      const hashOf = (c: SignedInClient) => hashSessionId(c.cookie.split('=')[1]!);
      const db = new BetterSqlite3(it.dbFile);
      try {
        const v = db
          .prepare('SELECT sealed_credential FROM login_sessions WHERE id_hash = ?')
          .get(hashOf(victor)) as {
          sealed_credential: string;
        };
        db.prepare('UPDATE login_sessions SET sealed_credential = ? WHERE id_hash = ?').run(
          v.sealed_credential,
          hashOf(dana),
        );
      } finally {
        db.close();
      }
      const after = await dana.fetch(pods);
      assert.equal(after.status, 401);
      assert.equal(((await after.json()) as { code: string }).code, 'login-required');
      assert.equal(
        (await victor.getJson<AuthSessionView>('/api/auth/session')).body.user?.username,
        email('victor'),
      );
    });

    test("sign-out ends the session and leads to the provider's logout page", async () => {
      const nora = await it.signIn('nora');
      const before = it.rows().length;
      const res = await nora.logout();
      assert.equal(res.status, 200);
      const body = (await res.json()) as AuthSessionView;
      assert.equal(body.user, null);
      const logout = new URL(body.logoutUrl!);
      assert.equal(logout.origin, new URL(oidcEnv().issuer).origin);
      assert.equal(tokenClaims(logout.searchParams.get('id_token_hint')!)['email'], email('nora'));
      assert.equal(it.rows().length, before - 1);
      assert.equal((await nora.fetch(pods)).status, 401);
    });
  });
}

describe('a callback that cannot complete is a page with the reason, and changes nothing', () => {
  let it: Instance;
  before(async () => {
    it = await instance('impersonation');
  });

  test('no flow cookie, another sign-in’s cookie, an error from the provider, a code used twice', async () => {
    const dana = await it.signIn('dana');
    const rowsBefore = it.rows().length;
    const a = await startSignIn(it.podscope.url, 'victor', ca);
    const b = await startSignIn(it.podscope.url, 'victor', ca);
    const cases: [string, () => Promise<Response>, number, RegExp][] = [
      ['no flow cookie', () => finishSignIn(it.podscope.url, a, 'other=1'), 400, /no sign-in in progress/],
      ['the flow of another sign-in', () => finishSignIn(it.podscope.url, a, b.flowCookie), 401, /refused/],
      [
        'an error from the provider',
        () =>
          fetch(
            `${it.podscope.url}/auth/callback?error=access_denied&error_description=no+thanks&state=${a.callbackUrl.searchParams.get('state')}`,
            { headers: { cookie: a.flowCookie }, redirect: 'manual' },
          ),
        401,
        /did not sign you in: no thanks/,
      ],
      [
        'an error that is not the answer to this sign-in',
        () =>
          fetch(
            `${it.podscope.url}/auth/callback?error=access_denied&error_description=Call+0800-EVIL&state=x`,
            {
              headers: { cookie: a.flowCookie },
              redirect: 'manual',
            },
          ),
        400,
        /does not belong to this sign-in/,
      ],
    ];
    for (const [what, call, status, message] of cases) {
      const res = await call();
      assert.equal(res.status, status, what);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      const page = await res.text();
      assert.match(page, message, what);
      assert.match(page, /href="\/auth\/login"/);
      assert.deepEqual(setCookies(res), [], `${what}: no cookie set or cleared`);
    }
    assert.equal(it.rows().length, rowsBefore, 'no session row');
    // The real one completes; replaying it then fails (the provider refuses a used code).
    assert.equal((await finishSignIn(it.podscope.url, a)).status, 302);
    const replay = await finishSignIn(it.podscope.url, a);
    assert.equal(replay.status, 401);
    assert.equal(it.rows().length, rowsBefore + 1);
    assert.equal((await dana.fetch(pods)).status, 200, "the browser's own session is untouched");
  });

  test('tampered, expired, wrong-audience, wrong-issuer, foreign-key and wrong-nonce ID tokens are refused', async () => {
    const claimsOf = (real: string) => {
      const c = tokenClaims(real);
      return {
        sub: c['sub'],
        email: c['email'],
        email_verified: c['email_verified'],
        groups: c['groups'],
        nonce: c['nonce'],
      } as Record<string, unknown>;
    };
    const table: [string, (real: string) => Promise<string>, boolean][] = [
      ['untouched (the control)', async (real) => real, true],
      [
        'tampered (signature kept, email changed)',
        async (real) => tamperedToken(real, { email: email('olga'), groups: ['platform-admins'] }),
        false,
      ],
      [
        'expired',
        async (real) => mintIdToken(claimsOf(real), { key: 'provider', expiresInSeconds: -600 }),
        false,
      ],
      [
        'wrong audience',
        async (real) => mintIdToken(claimsOf(real), { key: 'provider', audience: 'kubernetes' }),
        false,
      ],
      [
        'wrong issuer',
        async (real) => mintIdToken(claimsOf(real), { key: 'provider', issuer: 'https://evil.example' }),
        false,
      ],
      ['signed by a foreign key', async (real) => mintIdToken(claimsOf(real), { key: 'foreign' }), false],
      [
        'another nonce',
        async (real) =>
          mintIdToken({ ...claimsOf(real), nonce: 'not-the-nonce-of-this-sign-in' }, { key: 'provider' }),
        false,
      ],
    ];
    try {
      for (const [what, make, ok] of table) {
        swap = make;
        const rowsBefore = it.rows().length;
        const round = await startSignIn(it.podscope.url, 'victor', ca);
        const res = await finishSignIn(it.podscope.url, round);
        const text = await res.text();
        if (ok) {
          assert.equal(res.status, 302, `${what}: ${text}`);
          assert.equal(it.rows().length, rowsBefore + 1);
        } else {
          assert.equal(res.status, 401, `${what}: ${text}`);
          assert.match(text, /The sign-in was refused/, what);
          assert.equal(it.rows().length, rowsBefore, `${what}: no session`);
        }
      }
    } finally {
      swap = null;
    }
  });
});
