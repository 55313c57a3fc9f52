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
    email: null,
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
      const sso = loginSessionRow({
        subject: 'https://10.213.0.1:5556#dana',
        username: 'dana@podscope.test',
        email: 'dana@podscope.test',
        uid: null,
        groups: ['dev-team'],
        extra: {},
        credentialKind: 'oidc',
      });
      await store.createLoginSession(sso);
      assert.deepEqual(await store.getLoginSession(sso.idHash), sso);
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

    it('refresh lease: one holder at a time, only while the credential is unchanged; finish stores, release frees', async () => {
      const a = await fresh();
      const b = await options.openSameStorage(a as S);
      open.push(b);
      const row = loginSessionRow({ credentialKind: 'oidc', email: 'dana@podscope.test' });
      await a.createLoginSession(row);
      const now = new Date(T0 + MIN);
      const lease = new Date(T0 + 2 * MIN);
      // Ten concurrent claims on two stores: exactly one wins.
      const claims = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? a : b).claimLoginSessionRefresh(row.idHash, row.sealedCredential, `r${i}`, now, lease),
        ),
      );
      assert.equal(claims.filter(Boolean).length, 1);
      const winner = `r${claims.indexOf(true)}`;
      const loser = winner === 'r0' ? 'r1' : 'r0';
      const update = {
        sealedCredential: 'v1.kid.iv.new-ciphertext.tag',
        username: 'dana@podscope.test',
        email: 'dana@example.org',
        groups: ['dev-team', 'viewers'],
        expiresAt: new Date(T0 + 24 * 60 * MIN),
      };
      // Only the holder may finish.
      assert.equal(await b.finishLoginSessionRefresh(row.idHash, loser, update), false);
      assert.equal((await a.getLoginSession(row.idHash))?.sealedCredential, row.sealedCredential);
      assert.equal(await b.finishLoginSessionRefresh(row.idHash, winner, update), true);
      const got = await a.getLoginSession(row.idHash);
      assert.equal(got?.sealedCredential, update.sealedCredential);
      assert.equal(got?.email, 'dana@example.org');
      assert.deepEqual(got?.groups, ['dev-team', 'viewers']);
      // A later expiry than the session's own never extends it.
      assert.deepEqual(got?.expiresAt, row.expiresAt);
      // The old credential no longer matches: a waiter that read it cannot claim (it re-reads instead).
      assert.equal(
        await a.claimLoginSessionRefresh(row.idHash, row.sealedCredential, 'late', now, lease),
        false,
      );
      // The new one can be claimed; a held lease blocks others until it passes; release frees it.
      assert.equal(
        await a.claimLoginSessionRefresh(row.idHash, update.sealedCredential, 'x', now, lease),
        true,
      );
      assert.equal(
        await b.claimLoginSessionRefresh(row.idHash, update.sealedCredential, 'y', now, lease),
        false,
      );
      assert.equal(
        await b.claimLoginSessionRefresh(
          row.idHash,
          update.sealedCredential,
          'y',
          lease,
          new Date(T0 + 3 * MIN),
        ),
        true,
        'a lease past its time (its holder died) can be taken',
      );
      await a.releaseLoginSessionRefresh(row.idHash, 'x');
      assert.equal(
        await a.claimLoginSessionRefresh(
          row.idHash,
          update.sealedCredential,
          'z',
          lease,
          new Date(T0 + 3 * MIN),
        ),
        false,
        'releasing a lease one no longer holds frees nothing',
      );
      await b.releaseLoginSessionRefresh(row.idHash, 'y');
      assert.equal(
        await a.claimLoginSessionRefresh(row.idHash, update.sealedCredential, 'z', now, lease),
        true,
      );
      // An earlier expiry is kept, and caps the idle deadline.
      const early = new Date(T0 + 30 * MIN);
      assert.equal(await a.finishLoginSessionRefresh(row.idHash, 'z', { ...update, expiresAt: early }), true);
      const capped = await b.getLoginSession(row.idHash);
      assert.deepEqual(capped?.expiresAt, early);
      assert.deepEqual(capped?.idleExpiresAt, early);
      // Expired, or signed out: no lease, nothing stored.
      assert.equal(
        await a.claimLoginSessionRefresh(row.idHash, update.sealedCredential, 'w', early, lease),
        false,
      );
      await a.deleteLoginSession(row.idHash);
      assert.equal(await b.finishLoginSessionRefresh(row.idHash, 'z', update), false);
      await assert.rejects(a.claimLoginSessionRefresh(row.idHash, 'c', '', now, lease), invalid);
      await assert.rejects(
        a.finishLoginSessionRefresh(row.idHash, 'z', { ...update, groups: [1 as unknown as string] }),
        invalid,
      );
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
