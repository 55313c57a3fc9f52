// Token login against the real cluster: people sign in with a ServiceAccount token, validated by a
// SelfSubjectReview made with that token, and from then on every Kubernetes call of theirs is made with
// it — so Kubernetes RBAC decides, 403s come through, and the audit names the ServiceAccount.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { SqliteAuditStore } from '../../../src/server/audit/sqlite-audit-store.js';
import { DEFAULT_CONFIG } from '../../../src/server/config/podscope-config.js';
import { APP_IMAGE, kubectl, kubectlOk, uniqueName, waitFor } from '../../support/cluster.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../../support/podscope.js';
import {
  EXEC_PODS,
  READ_PODS,
  serviceAccount,
  SignedInClient,
  signIn,
  testSealer,
  tokenOf,
} from '../../support/token-login.js';
import { TerminalClient, terminalUrl } from '../terminal/terminal-client.js';
import { createPod, waitPodRunning } from '../terminal/test-pods.js';

const ns = uniqueName('login');
const dir = mkdtempSync(path.join(tmpdir(), 'podscope-login-'));
const dbFile = path.join(dir, 'audit.db');
const audit = new SqliteAuditStore(dbFile);
let podscope: RunningPodscope;
let pod: string;
const tokens: Record<'reader' | 'nobody' | 'execer', string> = { reader: '', nobody: '', execer: '' };
const userOf = (sa: string) => `system:serviceaccount:${ns}:${sa}`;

/** Rows in the session table, read straight from the database file. */
function sessionRows(): { username: string; sealed_credential: string; id_hash: string }[] {
  const db = new BetterSqlite3(dbFile, { readonly: true });
  try {
    return db.prepare('SELECT username, sealed_credential, id_hash FROM login_sessions').all() as {
      username: string;
      sealed_credential: string;
      id_hash: string;
    }[];
  } finally {
    db.close();
  }
}

async function signedIn(who: keyof typeof tokens): Promise<SignedInClient> {
  const r = await signIn(podscope.url, tokens[who]);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return new SignedInClient(podscope.url, r.cookie!);
}

before(async () => {
  await kubectlOk(['create', 'namespace', ns]);
  await kubectlOk(['label', 'namespace', ns, 'podscope-test=true']);
  await serviceAccount(ns, 'reader', READ_PODS);
  await serviceAccount(ns, 'nobody', []);
  await serviceAccount(ns, 'execer', [...READ_PODS, ...EXEC_PODS]);
  for (const who of ['reader', 'nobody', 'execer'] as const) tokens[who] = await tokenOf(ns, who);
  pod = await createPod({ prefix: 'app', image: APP_IMAGE, namespace: ns });
  await waitPodRunning(pod, ns);
  podscope = await startPodscope({
    audit,
    config: {
      ...DEFAULT_CONFIG,
      auth: { ...DEFAULT_CONFIG.auth, loginAttempts: { perClient: 1000, windowMs: 60_000 } },
    },
    tokenLogin: { sealer: testSealer(), publicUrl: null },
  });
});
after(async () => {
  await podscope?.close();
  await audit.close();
  await kubectl(['delete', 'namespace', ns, '--wait=false']);
  rmSync(dir, { recursive: true, force: true });
});

describe('signing in with a Kubernetes token', () => {
  test('without a session every API call and WebSocket is a 401 login-required; the app itself loads', async () => {
    const res = await fetch(`${podscope.url}/api/clusters`);
    assert.equal(res.status, 401);
    const body = (await res.json()) as { code?: string; error: string };
    assert.equal(body.code, 'login-required');
    assert.match(body.error, /Sign in/);
    const ws = podscope.ws(`/api/clusters/${CLUSTER}/namespaces/${ns}/pods/watch`);
    await assert.rejects(ws.opened, /upgrade refused: 401/);
    const session = await fetch(`${podscope.url}/api/auth/session`);
    assert.equal(session.status, 200);
    assert.deepEqual(await session.json(), { mode: 'token-login', user: null });
    // The shared-token ways in do nothing here: there is no shared token.
    const bearer = await fetch(`${podscope.url}/api/clusters`, {
      headers: { authorization: `Bearer ${tokens.reader}` },
    });
    assert.equal(bearer.status, 401);
  });

  test('a bad token is refused with 401 and a sentence, and no session row or cookie is made', async () => {
    const before = sessionRows().length;
    for (const bad of ['not-a-real-token', `${tokens.reader.slice(0, -4)}AAAA`]) {
      const r = await signIn(podscope.url, bad);
      assert.equal(r.status, 401, JSON.stringify(r.body));
      assert.equal(r.body.code, 'bad-token');
      assert.match(r.body.error!, /Kubernetes does not accept this token/);
      assert.equal(r.setCookie, null);
    }
    const empty = await signIn(podscope.url, '');
    assert.equal(empty.status, 400);
    assert.equal(sessionRows().length, before);
  });

  test('a good token gets an HttpOnly, SameSite=Strict session cookie; the row keeps the token encrypted', async () => {
    const r = await signIn(podscope.url, tokens.reader);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.match(r.setCookie!, /^podscope-session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    assert.equal(r.body.mode, 'token-login');
    assert.equal(r.body.user?.username, userOf('reader'));
    assert.ok(r.body.user?.groups.includes(`system:serviceaccounts:${ns}`));
    assert.equal(r.body.user?.cluster, CLUSTER);
    // A bound token expires in 1 h: the session ends no later.
    assert.ok(Date.parse(r.body.user!.expiresAt) <= Date.now() + 3600_000 + 5000);
    const rows = sessionRows().filter((row) => row.username === userOf('reader'));
    assert.ok(rows.length >= 1);
    for (const row of rows) {
      assert.doesNotMatch(
        row.sealed_credential,
        new RegExp(tokens.reader.slice(0, 20).replace(/[.]/g, '\\.')),
      );
      assert.doesNotMatch(row.id_hash, new RegExp(r.cookie!.split('=')[1]!));
    }
    const me = await new SignedInClient(podscope.url, r.cookie!).getJson<{ user: { username: string } }>(
      '/api/auth/session',
    );
    assert.equal(me.body.user.username, userOf('reader'));
    // Signing in again from the same browser replaces its session: the old id is void.
    const again = await fetch(`${podscope.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: r.cookie! },
      body: JSON.stringify({ token: tokens.reader }),
    });
    assert.equal(again.status, 200);
    assert.equal((await new SignedInClient(podscope.url, r.cookie!).fetch('/api/clusters')).status, 401);
  });

  test("the person sees what their RBAC allows, and Kubernetes' 403 for the rest names them", async () => {
    const reader = await signedIn('reader');
    const own = await reader.getJson<{ name: string }[]>(`/api/clusters/${CLUSTER}/namespaces/${ns}/pods`);
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.ok(own.body.some((p) => p.name === pod));
    const logs = await reader.fetch(`/api/clusters/${CLUSTER}/namespaces/${ns}/pods/${pod}/logs?tailLines=5`);
    assert.equal(logs.status, 200, await logs.clone().text());
    for (const other of ['demo', 'kube-system']) {
      const r = await reader.getJson<{ error: string }>(`/api/clusters/${CLUSTER}/namespaces/${other}/pods`);
      assert.equal(r.status, 403, JSON.stringify(r.body));
      assert.match(
        r.body.error,
        new RegExp(
          `Kubernetes RBAC does not allow this: .*${userOf('reader')}.* cannot list resource "pods"`,
        ),
      );
    }
    const nobody = await signedIn('nobody');
    const none = await nobody.getJson<{ error: string }>(`/api/clusters/${CLUSTER}/namespaces/${ns}/pods`);
    assert.equal(none.status, 403);
    assert.match(none.body.error, new RegExp(userOf('nobody')));
  });

  test('identity headers from the browser are never forwarded: Authorization, Impersonate-*', async () => {
    const nobody = await signedIn('nobody');
    const r = await nobody.getJson<{ error: string }>(`/api/clusters/${CLUSTER}/namespaces/${ns}/pods`, {
      authorization: `Bearer ${tokens.execer}`,
      'impersonate-user': userOf('execer'),
      'impersonate-group': 'system:masters',
    });
    assert.equal(r.status, 403, 'still nobody');
    assert.match(r.body.error, new RegExp(`${userOf('nobody')}.* cannot list`));
  });

  test('a terminal opens only with pods/exec rights, and its audit record names the ServiceAccount', async () => {
    const reader = await signedIn('reader');
    const refused = new TerminalClient(terminalUrl(podscope.wsUrl, ns, pod), { cookie: reader.cookie });
    const err = await refused.error();
    assert.equal(err?.status, 403, JSON.stringify(refused.messages));
    assert.equal(refused.message('ready'), undefined);

    const execer = await signedIn('execer');
    const t = new TerminalClient(terminalUrl(podscope.wsUrl, ns, pod), { cookie: execer.cookie });
    await t.ready();
    t.type('echo "as-$((6 * 7))"\r');
    await t.outputMatches(/as-42/);
    t.type('exit\r');
    await t.closed;

    // The end of the record is written as the session closes: wait for it.
    const { sessions } = await waitFor(
      'the ended terminal session in the audit',
      async () => {
        const page = await audit.listSessions({ namespace: ns, kind: 'exec' });
        return page.sessions.some((s) => s.identity.user === userOf('execer') && s.endedAt !== null)
          ? page
          : undefined;
      },
      15_000,
      200,
    );
    const refusedRecord = sessions.find((s) => s.identity.user === userOf('reader'));
    assert.ok(refusedRecord, JSON.stringify(sessions.map((s) => s.identity)));
    assert.equal(refusedRecord.outcome?.['result'], 'refused');
    assert.match(String(refusedRecord.outcome?.['reason']), /pods\/exec/);
    const ran = sessions.find((s) => s.identity.user === userOf('execer'));
    assert.ok(ran, JSON.stringify(sessions.map((s) => s.identity)));
    assert.ok(ran.identity.groups.includes(`system:serviceaccounts:${ns}`), JSON.stringify(ran.identity));
    assert.equal(ran.exitCode, 0);

    // The audit page shows a signed-in person their own sessions only.
    const mine = await reader.getJson<{ sessions: { user: string }[] }>(
      `/api/audit/sessions?namespace=${ns}`,
    );
    assert.equal(mine.status, 200, JSON.stringify(mine.body));
    assert.ok(mine.body.sessions.length >= 1);
    assert.ok(mine.body.sessions.every((s) => s.user === userOf('reader')));
  });

  test('logout deletes the session: the cookie is refused afterwards, and the browser is told to drop it', async () => {
    const reader = await signedIn('reader');
    assert.equal((await reader.fetch('/api/clusters')).status, 200);
    const rowsBefore = sessionRows().length;
    const out = await reader.logout();
    assert.equal(out.status, 200);
    assert.match(
      out.headers.get('set-cookie') ?? '',
      /^podscope-session=; Max-Age=0; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    assert.equal(sessionRows().length, rowsBefore - 1);
    const after = await reader.fetch('/api/clusters');
    assert.equal(after.status, 401);
    assert.equal(((await after.json()) as { code: string }).code, 'login-required');
    assert.equal((await reader.logout()).status, 200, 'a second logout is harmless');
  });

  test('an expired session is refused and its row deleted', async () => {
    const reader = await signedIn('reader');
    assert.equal((await reader.fetch('/api/clusters')).status, 200);
    const db = new BetterSqlite3(dbFile);
    const hashes = (db.prepare('SELECT id_hash FROM login_sessions').all() as { id_hash: string }[]).map(
      (r) => r.id_hash,
    );
    // Past its idle deadline (as if nobody had used it for the idle timeout).
    db.prepare('UPDATE login_sessions SET idle_expires_at = ?').run(Date.now() - 1);
    db.close();
    const r = await reader.fetch('/api/clusters');
    assert.equal(r.status, 401);
    assert.equal(((await r.json()) as { code: string }).code, 'login-required');
    const left = sessionRows().map((row) => row.id_hash);
    assert.ok(
      hashes.some((h) => !left.includes(h)),
      'the expired row is gone',
    );
  });

  test("when Kubernetes stops accepting the person's token, their session ends with a login-required 401", async () => {
    await serviceAccount(ns, 'leaver', READ_PODS);
    const r = await signIn(podscope.url, await tokenOf(ns, 'leaver'));
    assert.equal(r.status, 200);
    const leaver = new SignedInClient(podscope.url, r.cookie!);
    assert.equal((await leaver.fetch(`/api/clusters/${CLUSTER}/namespaces/${ns}/pods`)).status, 200);
    // A bound token dies with its ServiceAccount.
    await kubectlOk(['-n', ns, 'delete', 'serviceaccount', 'leaver', '--wait=true']);
    let res: Response | undefined;
    for (let i = 0; i < 30; i++) {
      res = await leaver.fetch(`/api/clusters/${CLUSTER}/namespaces/${ns}/pods`);
      if (res.status !== 200) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    assert.equal(res?.status, 401);
    const body = (await res!.json()) as { code: string; error: string };
    assert.equal(body.code, 'login-required');
    assert.match(body.error, /no longer accepts the token/);
    assert.equal(sessionRows().filter((row) => row.username === userOf('leaver')).length, 0);
  });
});

describe('login attempts are rate-limited per client address', () => {
  test('beyond the limit a sign-in is 429 rate-limited, good token or not, and nothing is checked', async () => {
    const limited = await startPodscope({
      config: {
        ...DEFAULT_CONFIG,
        auth: { ...DEFAULT_CONFIG.auth, loginAttempts: { perClient: 3, windowMs: 3600_000 } },
      },
      tokenLogin: { sealer: testSealer(), publicUrl: null },
    });
    try {
      assert.equal((await signIn(limited.url, 'wrong-1')).status, 401);
      assert.equal((await signIn(limited.url, 'wrong-2')).status, 401);
      assert.equal((await signIn(limited.url, tokens.reader)).status, 200);
      const r = await signIn(limited.url, tokens.reader);
      assert.equal(r.status, 429);
      assert.equal(r.body.code, 'rate-limited');
      assert.match(r.body.error!, /Too many sign-in attempts from your address: 3 are allowed per 3600 s/);
      assert.equal(r.setCookie, null);
      assert.ok(Number(r.retryAfter) >= 1, `Retry-After: ${r.retryAfter}`);
    } finally {
      await limited.close();
    }
  });
});
