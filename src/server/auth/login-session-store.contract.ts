/**
 * What every LoginSessionStore must do. Run it from each store's test file, next to the audit contract:
 *
 *   runLoginSessionStoreContract('SqliteAuditStore', async () => new SqliteAuditStore(tmpFile()), {
 *     openSameStorage,
 *   });
 *
 * `makeStore` returns an empty store each time; `openSameStorage` a second store on the same storage
 * (another replica), which must see the first one's sessions at once.
 */
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { AuditStoreError } from '../audit/audit-store.js';
import { hashSessionId, newSessionId } from './login-session.js';
import type { LoginSessionRow, LoginSessionStore } from './login-session-store.js';

type Store = LoginSessionStore & { close(): Promise<void> };

export interface LoginSessionStoreContractOptions<S extends Store> {
  openSameStorage: (store: S) => Promise<S>;
}

const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);
const MIN = 60_000;

export function loginSessionRow(overrides: Partial<LoginSessionRow> = {}): LoginSessionRow {
  return {
    idHash: hashSessionId(newSessionId()),
    subject: 'kubernetes:6c4f2a8e-0d3b-4c47-9c1e-5d0f7f0a1b2c',
    username: 'system:serviceaccount:team-a:alice',
    uid: '6c4f2a8e-0d3b-4c47-9c1e-5d0f7f0a1b2c',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:team-a', 'system:authenticated'],
    extra: { 'authentication.kubernetes.io/credential-id': ['JTI=1234'], 'a/b': ['x', 'y'] },
    cluster: 'prod-eu',
    credentialKind: 'bearer-token',
    sealedCredential: 'v1.kid.iv.ciphertext.tag',
    clientAddress: '203.0.113.7',
    createdAt: new Date(T0),
    lastSeenAt: new Date(T0),
    idleExpiresAt: new Date(T0 + 60 * MIN),
    expiresAt: new Date(T0 + 12 * 60 * MIN),
    ...overrides,
  };
}

const invalid = (error: unknown) => {
  assert.ok(error instanceof AuditStoreError, `expected AuditStoreError, got ${String(error)}`);
  assert.equal(error.code, 'invalid');
  return true;
};

export function runLoginSessionStoreContract<S extends Store>(
  name: string,
  makeStore: () => Promise<S>,
  options: LoginSessionStoreContractOptions<S>,
): void {
  describe(`${name}: login session store contract`, () => {
    const open: Store[] = [];
    const fresh = async () => {
      const s = await makeStore();
      open.push(s);
      return s;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
    });

    it('gives back a created session exactly, and nothing for an unknown id', async () => {
      const store = await fresh();
      const row = loginSessionRow();
      await store.createLoginSession(row);
      assert.deepEqual(await store.getLoginSession(row.idHash), row);
      assert.equal(await store.getLoginSession(hashSessionId(newSessionId())), undefined);
      const bare = loginSessionRow({ uid: null, groups: [], extra: {}, clientAddress: null });
      await store.createLoginSession(bare);
      assert.deepEqual(await store.getLoginSession(bare.idHash), bare);
    });

    it('refuses a second session with the same id hash', async () => {
      const store = await fresh();
      const row = loginSessionRow();
      await store.createLoginSession(row);
      await assert.rejects(store.createLoginSession({ ...row, username: 'mallory' }));
      assert.equal((await store.getLoginSession(row.idHash))?.username, row.username);
    });

    it('refuses invalid rows and id hashes, writing nothing', async () => {
      const store = await fresh();
      const row = loginSessionRow();
      await assert.rejects(store.createLoginSession({ ...row, idHash: 'not-a-hash' }), invalid);
      await assert.rejects(store.createLoginSession({ ...row, username: '' }), invalid);
      await assert.rejects(store.createLoginSession({ ...row, groups: [1 as unknown as string] }), invalid);
      await assert.rejects(
        store.createLoginSession({ ...row, credentialKind: 'password' as LoginSessionRow['credentialKind'] }),
        invalid,
      );
      await assert.rejects(store.createLoginSession({ ...row, expiresAt: new Date(Number.NaN) }), invalid);
      assert.equal(await store.getLoginSession(row.idHash), undefined);
      await assert.rejects(store.getLoginSession("' OR 1=1 --"), invalid);
      await assert.rejects(store.countLoginAttempt('', new Date(T0)), invalid);
    });

    it('touch moves the idle deadline, never past the absolute one, and never revives an expired session', async () => {
      const store = await fresh();
      const row = loginSessionRow();
      await store.createLoginSession(row);
      assert.equal(
        await store.touchLoginSession(row.idHash, new Date(T0 + 30 * MIN), new Date(T0 + 90 * MIN)),
        true,
      );
      let got = await store.getLoginSession(row.idHash);
      assert.deepEqual(got?.lastSeenAt, new Date(T0 + 30 * MIN));
      assert.deepEqual(got?.idleExpiresAt, new Date(T0 + 90 * MIN));
      // Asked to go beyond the absolute deadline: capped at it.
      const late = T0 + 11 * 60 * MIN;
      assert.equal(
        await store.touchLoginSession(row.idHash, new Date(T0 + 80 * MIN), new Date(late + 2 * 60 * MIN)),
        true,
      );
      got = await store.getLoginSession(row.idHash);
      assert.deepEqual(got?.idleExpiresAt, row.expiresAt);
      // Idle-expired (touched after its idle deadline): stays expired.
      const idle = loginSessionRow();
      await store.createLoginSession(idle);
      assert.equal(
        await store.touchLoginSession(idle.idHash, new Date(T0 + 60 * MIN), new Date(T0 + 120 * MIN)),
        false,
      );
      assert.deepEqual((await store.getLoginSession(idle.idHash))?.idleExpiresAt, idle.idleExpiresAt);
      // Past the absolute deadline.
      assert.equal(
        await store.touchLoginSession(row.idHash, new Date(T0 + 12 * 60 * MIN), new Date(T0 + 13 * 60 * MIN)),
        false,
      );
      assert.equal(
        await store.touchLoginSession(hashSessionId(newSessionId()), new Date(T0), new Date(T0 + MIN)),
        false,
      );
    });

    it('delete ends a session (once), and another store on the same storage sees it at once', async () => {
      const a = await fresh();
      const b = await options.openSameStorage(a as S);
      open.push(b);
      const row = loginSessionRow();
      await a.createLoginSession(row);
      assert.deepEqual(await b.getLoginSession(row.idHash), row);
      assert.equal(
        await b.touchLoginSession(row.idHash, new Date(T0 + 5 * MIN), new Date(T0 + 65 * MIN)),
        true,
      );
      assert.deepEqual((await a.getLoginSession(row.idHash))?.lastSeenAt, new Date(T0 + 5 * MIN));
      assert.equal(await a.deleteLoginSession(row.idHash), true);
      assert.equal(await b.getLoginSession(row.idHash), undefined);
      assert.equal(await b.deleteLoginSession(row.idHash), false);
    });

    it('expiry deletes the sessions past either deadline and keeps the others', async () => {
      const store = await fresh();
      const now = new Date(T0 + 2 * 60 * MIN);
      const valid = loginSessionRow({ idleExpiresAt: new Date(now.getTime() + MIN) });
      const idle = loginSessionRow({ idleExpiresAt: new Date(now.getTime() - MIN) });
      const idleNow = loginSessionRow({ idleExpiresAt: now });
      const absolute = loginSessionRow({
        idleExpiresAt: new Date(now.getTime() - 1),
        expiresAt: new Date(now.getTime() - 1),
      });
      for (const r of [valid, idle, idleNow, absolute]) await store.createLoginSession(r);
      assert.equal(await store.deleteExpiredLoginSessions(now, new Date(T0)), 3);
      assert.ok(await store.getLoginSession(valid.idHash));
      for (const r of [idle, idleNow, absolute])
        assert.equal(await store.getLoginSession(r.idHash), undefined);
      assert.equal(await store.deleteExpiredLoginSessions(now, new Date(T0)), 0);
    });

    it('counts login attempts per client and window, across stores on the same storage, and forgets old windows', async () => {
      const a = await fresh();
      const b = await options.openSameStorage(a as S);
      open.push(b);
      const w1 = new Date(T0);
      const w2 = new Date(T0 + MIN);
      assert.equal(await a.countLoginAttempt('203.0.113.7', w1), 1);
      assert.equal(await b.countLoginAttempt('203.0.113.7', w1), 2);
      assert.equal(await a.countLoginAttempt('203.0.113.7', w1), 3);
      assert.equal(await a.countLoginAttempt('2001:db8::1', w1), 1);
      assert.equal(await b.countLoginAttempt('203.0.113.7', w2), 1);
      // Ten concurrent attempts: each is counted once.
      const counts = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).countLoginAttempt('198.51.100.1', w1)),
      );
      assert.deepEqual(
        [...counts].sort((x, y) => x - y),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      );
      await a.deleteExpiredLoginSessions(new Date(T0), w2);
      assert.equal(await a.countLoginAttempt('203.0.113.7', w1), 1);
      assert.equal(await a.countLoginAttempt('203.0.113.7', w2), 2);
    });
  });
}
