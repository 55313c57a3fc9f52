// LoginSessions on a real (SQLite) store with a clock of the test's own: what a cookie resolves to as
// time passes. Signing in itself needs the API server (test/integration/auth/).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { SqliteAuditStore } from '../audit/sqlite-audit-store.js';
import type { ClusterRegistry } from '../kube/cluster-registry.js';
import { DEFAULT_AUTH_CONFIG } from './auth-config.js';
import { hashSessionId, newSessionId, newSessionTimes } from './login-session.js';
import { LoginSessions } from './login-sessions.js';
import { CredentialSealer, parseSessionKeyFile } from './session-crypto.js';

const dir = mkdtempSync(path.join(tmpdir(), 'podscope-sessions-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);
const MIN = 60_000;
const sealer = new CredentialSealer(parseSessionKeyFile('unit-test-session-key-0123456789abcdef', 'k'));
const warnings: string[] = [];
const log = { warn: (_o: object, msg: string) => void warnings.push(msg), info: () => undefined };

async function setup(key = sealer) {
  const store = new SqliteAuditStore(path.join(dir, `${++n}.db`));
  let now = T0;
  const sessions = new LoginSessions({
    store,
    sealer: key,
    registry: {} as ClusterRegistry, // resolve() never calls the API server
    cluster: 'prod',
    config: DEFAULT_AUTH_CONFIG,
    cookie: { secure: false },
    log,
    now: () => new Date(now),
  });
  const id = newSessionId();
  const idHash = hashSessionId(id);
  await store.createLoginSession({
    idHash,
    subject: 'kubernetes:u-1',
    username: 'system:serviceaccount:team-a:alice',
    email: null,
    uid: 'u-1',
    groups: ['system:serviceaccounts', 'system:authenticated'],
    extra: {},
    cluster: 'prod',
    credentialKind: 'bearer-token',
    sealedCredential: sealer.seal('ALICE-TOKEN', idHash),
    clientAddress: '203.0.113.7',
    ...newSessionTimes(new Date(T0), DEFAULT_AUTH_CONFIG.timeouts, null),
  });
  return {
    store,
    sessions,
    idHash,
    cookie: `other=1; podscope-session=${id}`,
    at: (ms: number) => void (now = T0 + ms),
  };
}

describe('LoginSessions.resolve', () => {
  it("gives the person and their token as a credential for the session's cluster", async () => {
    const { sessions, cookie, store } = await setup();
    const s = await sessions.resolve(cookie);
    assert.equal(s?.identity.user, 'system:serviceaccount:team-a:alice');
    assert.deepEqual(s?.identity.groups, ['system:serviceaccounts', 'system:authenticated']);
    assert.equal(s?.identity.credential?.authorization(), 'Bearer ALICE-TOKEN');
    assert.equal(s?.identity.credential?.cluster, 'prod');
    assert.equal(s?.user.expiresAt, new Date(T0 + 12 * 60 * MIN).toISOString());
    assert.equal(await sessions.resolve(undefined), null);
    assert.equal(await sessions.resolve(`podscope-session=${newSessionId()}`), null);
    await store.close();
  });

  it('a use pushes the idle deadline back (at most once a minute); an idle session ends and its row goes', async () => {
    const { sessions, cookie, store, idHash, at } = await setup();
    at(30 * 1000);
    await sessions.resolve(cookie);
    assert.deepEqual((await store.getLoginSession(idHash))?.lastSeenAt, new Date(T0), 'not yet a minute');
    at(50 * MIN);
    assert.ok(await sessions.resolve(cookie));
    assert.deepEqual((await store.getLoginSession(idHash))?.idleExpiresAt, new Date(T0 + 110 * MIN));
    at(109 * MIN);
    assert.ok(await sessions.resolve(cookie), 'still within the pushed idle deadline');
    at(109 * MIN + 60 * MIN);
    assert.equal(await sessions.resolve(cookie), null);
    assert.equal(await store.getLoginSession(idHash), undefined, 'the expired row is deleted');
    await store.close();
  });

  it('however busy, a session ends at its absolute deadline', async () => {
    const { sessions, cookie, store, at } = await setup();
    for (let t = 0; t < 12 * 60; t += 30) {
      at(t * MIN);
      assert.ok(await sessions.resolve(cookie), `at ${t} min`);
    }
    at(12 * 60 * MIN);
    assert.equal(await sessions.resolve(cookie), null);
    await store.close();
  });

  it('logout deletes the row and clears the cookie', async () => {
    const { sessions, cookie, store, idHash } = await setup();
    assert.deepEqual(await sessions.logout(cookie), {
      setCookie: 'podscope-session=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict',
      logoutUrl: null,
    });
    assert.equal(await store.getLoginSession(idHash), undefined);
    assert.equal(await sessions.resolve(cookie), null);
    await store.close();
  });

  it('a replica with another key refuses the session but leaves it for the others, and says why', async () => {
    const other = new CredentialSealer(parseSessionKeyFile('some-other-session-key-0123456789abcdef', 'k'));
    const { sessions, cookie, store, idHash } = await setup(other);
    warnings.length = 0;
    assert.equal(await sessions.resolve(cookie), null);
    assert.ok(await store.getLoginSession(idHash), 'the row stays');
    assert.match(warnings.join('\n'), /session key: is --session-key-file the same on every replica/);
    await store.close();
  });

  it('a tampered credential in the row is refused', async () => {
    const { sessions, cookie, store, idHash } = await setup();
    const row = (await store.getLoginSession(idHash))!;
    await store.deleteLoginSession(idHash);
    const parts = row.sealedCredential.split('.');
    parts[3] = Buffer.from('MALLORY-TOKEN').toString('base64url');
    await store.createLoginSession({ ...row, sealedCredential: parts.join('.') });
    assert.equal(await sessions.resolve(cookie), null);
    await store.close();
  });
});

describe('LoginSessions.checkStreams (the periodic check of open streams)', () => {
  it('an open stream alone never pushes the idle deadline back: the session times out under it', async () => {
    const { sessions, store, idHash, at } = await setup();
    const ended: [string, string][] = [];
    sessions.onSessionEnded((h, cause) => ended.push([h, cause]));
    for (const minutes of [10, 30, 59]) {
      at(minutes * MIN);
      assert.deepEqual(await sessions.checkStreams(idHash, null), { kind: 'open' });
    }
    const row = await store.getLoginSession(idHash);
    assert.deepEqual(row?.lastSeenAt, new Date(T0), 'checks wrote no use');
    at(60 * MIN);
    assert.deepEqual(await sessions.checkStreams(idHash, null), { kind: 'ended', cause: 'idle' });
    assert.equal(await store.getLoginSession(idHash), undefined, 'the expired row is deleted');
    assert.deepEqual(ended, [[idHash, 'idle']]);
    await store.close();
  });

  it('typing in a terminal is use, dated when it happened; the absolute deadline still ends it', async () => {
    const { sessions, store, idHash, at } = await setup();
    at(50 * MIN);
    assert.deepEqual(await sessions.checkStreams(idHash, T0 + 45 * MIN), { kind: 'open' });
    const row = await store.getLoginSession(idHash);
    assert.deepEqual(row?.lastSeenAt, new Date(T0 + 45 * MIN));
    assert.deepEqual(row?.idleExpiresAt, new Date(T0 + 105 * MIN));
    at(100 * MIN);
    assert.deepEqual(
      await sessions.checkStreams(idHash, null),
      { kind: 'open' },
      'past the first idle deadline',
    );
    at(12 * 60 * MIN);
    assert.deepEqual(await sessions.checkStreams(idHash, T0 + 12 * 60 * MIN - 1), {
      kind: 'ended',
      cause: 'absolute',
    });
    await store.close();
  });

  it('a row deleted elsewhere (signed out on another replica, token refused) is gone', async () => {
    const { sessions, store, idHash } = await setup();
    await store.deleteLoginSession(idHash);
    assert.deepEqual(await sessions.checkStreams(idHash, null), { kind: 'ended', cause: 'gone' });
    await store.close();
  });

  it('signing out tells the listeners which session ended, as signed out', async () => {
    const { sessions, store, idHash, cookie } = await setup();
    const ended: [string, string][] = [];
    sessions.onSessionEnded((h, cause) => ended.push([h, cause]));
    await sessions.logout(cookie);
    assert.deepEqual(ended, [[idHash, 'signed-out']]);
    await sessions.logout(undefined);
    assert.equal(ended.length, 1, 'no cookie, nothing ended');
    await store.close();
  });

  it('a database that cannot be reached is an error (the guard keeps the streams open), not an end', async () => {
    const { sessions, store, idHash } = await setup();
    await store.close();
    await assert.rejects(sessions.checkStreams(idHash, null));
  });
});
