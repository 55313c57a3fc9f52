// Login sessions live in PostgreSQL, not in a process: two Podscopes on one database (as two replicas
// behind a round-robin Service) accept the same cookie, a logout on one ends it on the other, an
// expired row is refused by both, and the login rate limit counts attempts made on either.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CredentialSealer, parseSessionKeyFile } from '../../../src/server/auth/session-crypto.js';
import { DEFAULT_CONFIG, type PodscopeConfig } from '../../../src/server/config/podscope-config.js';
import { kubectl, kubectlOk, uniqueName } from '../../support/cluster.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../../support/podscope.js';
import { ensurePostgres, TestSchemas } from '../../support/postgres.js';
import {
  READ_PODS,
  serviceAccount,
  SignedInClient,
  signIn,
  testSealer,
  tokenOf,
} from '../../support/token-login.js';

const ns = uniqueName('replicas');
const user = `system:serviceaccount:${ns}:reader`;
let schemas: TestSchemas;
let schema: string;
let sharedUrl: string;
let token: string;
const running: RunningPodscope[] = [];

const configWith = (perClient: number): PodscopeConfig => ({
  ...DEFAULT_CONFIG,
  auth: { ...DEFAULT_CONFIG.auth, loginAttempts: { perClient, windowMs: 3600_000 } },
});

async function replica(
  databaseUrl: string,
  sealer = testSealer(),
  perClient = 1000,
): Promise<RunningPodscope> {
  const p = await startPodscope({
    databaseUrl,
    config: configWith(perClient),
    tokenLogin: { sealer, publicUrl: null },
  });
  running.push(p);
  return p;
}

let a: RunningPodscope;
let b: RunningPodscope;

before(async () => {
  schemas = new TestSchemas(await ensurePostgres());
  const fresh = await schemas.fresh('login');
  schema = fresh.schema;
  sharedUrl = fresh.url;
  await kubectlOk(['create', 'namespace', ns]);
  await kubectlOk(['label', 'namespace', ns, 'podscope-test=true']);
  await serviceAccount(ns, 'reader', READ_PODS);
  token = await tokenOf(ns, 'reader');
  a = await replica(sharedUrl);
  b = await replica(sharedUrl);
});
after(async () => {
  for (const p of running) await p.close();
  await schemas?.dropAll();
  await kubectl(['delete', 'namespace', ns, '--wait=false']);
});

const rowsOf = async (username: string) =>
  (
    await schemas.sql<{ n: string }>(
      `SELECT count(*) AS n FROM ${schema}.login_sessions WHERE username = $1`,
      [username],
    )
  ).rows[0]!.n;

describe('login sessions shared by two Podscopes on one PostgreSQL database', () => {
  test('signed in on A, every request alternating between A and B is the same person', async () => {
    const r = await signIn(a.url, token);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    for (let i = 0; i < 10; i++) {
      const on = new SignedInClient((i % 2 === 0 ? b : a).url, r.cookie!);
      const pods = await on.fetch(`/api/clusters/${CLUSTER}/namespaces/${ns}/pods`);
      assert.equal(
        pods.status,
        200,
        `request ${i} on ${i % 2 === 0 ? 'B' : 'A'}: ${await pods.clone().text()}`,
      );
    }
    const me = await new SignedInClient(b.url, r.cookie!).getJson<{ user: { username: string } | null }>(
      '/api/auth/session',
    );
    assert.equal(me.body.user?.username, user);
  });

  test('logout on A ends the session on B', async () => {
    const r = await signIn(a.url, token);
    const onB = new SignedInClient(b.url, r.cookie!);
    assert.equal((await onB.fetch('/api/clusters')).status, 200);
    assert.equal((await new SignedInClient(a.url, r.cookie!).logout()).status, 200);
    const after = await onB.fetch('/api/clusters');
    assert.equal(after.status, 401);
    assert.equal(((await after.json()) as { code: string }).code, 'login-required');
  });

  test('an expired session is refused on both, and its row deleted', async () => {
    const r = await signIn(a.url, token);
    assert.equal(r.status, 200);
    const before = Number(await rowsOf(user));
    await schemas.sql(`UPDATE ${schema}.login_sessions SET expires_at = now() - interval '1 second'`);
    for (const p of [b, a]) {
      const res = await new SignedInClient(p.url, r.cookie!).fetch('/api/clusters');
      assert.equal(res.status, 401);
    }
    assert.equal(Number(await rowsOf(user)), before - 1, 'the refused row is deleted');
  });

  test('a replica with another session key refuses the session but does not end it for the others', async () => {
    const other = new CredentialSealer(parseSessionKeyFile('a-different-session-key-0123456789abcdef', 'k'));
    const wrongKey = await replica(sharedUrl, other);
    const r = await signIn(a.url, token);
    assert.equal((await new SignedInClient(wrongKey.url, r.cookie!).fetch('/api/clusters')).status, 401);
    assert.equal((await new SignedInClient(b.url, r.cookie!).fetch('/api/clusters')).status, 200);
  });

  test('the login rate limit counts attempts on every replica', async () => {
    const fresh = await schemas.fresh('limit');
    const d = await replica(fresh.url, testSealer(), 3);
    const e = await replica(fresh.url, testSealer(), 3);
    assert.equal((await signIn(d.url, 'wrong')).status, 401);
    assert.equal((await signIn(e.url, 'wrong')).status, 401);
    assert.equal((await signIn(d.url, token)).status, 200);
    const limited = await signIn(e.url, token);
    assert.equal(limited.status, 429);
    assert.equal(limited.body.code, 'rate-limited');
  });
});
