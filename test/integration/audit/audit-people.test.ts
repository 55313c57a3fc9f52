// Audit that names people, against the real cluster with token login: three ServiceAccounts sign in as
// three people. Alice (namespace A) runs a command in a terminal; Bob (namespace A too, not an auditor)
// cannot see it — not in the list, 404 for its record and its recording; Olga (namespace B, whose group
// `system:serviceaccounts:<B>` is the configured auditor group) sees it with Alice's name, groups, the
// identity used towards Kubernetes and the command, and opening its recording adds a record naming her —
// written before the recording is sent (a store that cannot write it gets the recording refused).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AuditStore, SessionStart } from '../../../src/server/audit/audit-store.js';
import { SqliteAuditStore } from '../../../src/server/audit/sqlite-audit-store.js';
import { DEFAULT_CONFIG, type PodscopeConfig } from '../../../src/server/config/podscope-config.js';
import type {
  AuditSessionDetail,
  AuditSessionPage,
  AuditSessionView,
} from '../../../src/shared/audit/api.js';
import { parseAsciicast } from '../../../src/server/terminal/recording/asciicast.js';
import { APP_IMAGE, kubectl, kubectlOk, uniqueName, waitFor } from '../../support/cluster.js';
import { startPodscope, type RunningPodscope } from '../../support/podscope.js';
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

const people = uniqueName('audit-people');
const auditors = uniqueName('auditors');
const auditorGroup = `system:serviceaccounts:${auditors}`;
const dir = mkdtempSync(path.join(tmpdir(), 'podscope-audit-people-'));
const sqlite = new SqliteAuditStore(path.join(dir, 'audit.db'));
/** When set, the store refuses to write audit-view records (as a store that has gone away would). */
let refuseViewRecords = false;
const audit = new Proxy(sqlite, {
  get(target, key, receiver) {
    const value: unknown = Reflect.get(target, key, receiver);
    if (key === 'startSession') {
      return async (rec: SessionStart) => {
        if (refuseViewRecords && rec.kind === 'audit-view') throw new Error('the disk is full');
        return target.startSession(rec);
      };
    }
    return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
  },
}) as AuditStore;

const config: PodscopeConfig = {
  ...DEFAULT_CONFIG,
  audit: { ...DEFAULT_CONFIG.audit, auditorGroups: ['platform-admins', auditorGroup] },
  auth: { ...DEFAULT_CONFIG.auth, loginAttempts: { perClient: 1000, windowMs: 60_000 } },
};
let podscope: RunningPodscope;
let pod: string;
const who = {
  alice: `system:serviceaccount:${people}:alice`,
  bob: `system:serviceaccount:${people}:bob`,
  olga: `system:serviceaccount:${auditors}:olga`,
};
const signedIn: Partial<Record<keyof typeof who, SignedInClient>> = {};
let aliceSession = '';

function as(person: keyof typeof who): SignedInClient {
  const client = signedIn[person];
  assert.ok(client, `${person} is signed in`);
  return client;
}

async function text(client: SignedInClient, p: string): Promise<{ status: number; body: string }> {
  const res = await client.fetch(p);
  return { status: res.status, body: await res.text() };
}

const viewRecords = async () =>
  (await sqlite.listSessions({ kind: 'audit-view', namespace: people })).sessions;

before(async () => {
  for (const ns of [people, auditors]) {
    await kubectlOk(['create', 'namespace', ns]);
    await kubectlOk(['label', 'namespace', ns, 'podscope-test=true']);
  }
  await serviceAccount(people, 'alice', [...READ_PODS, ...EXEC_PODS]);
  await serviceAccount(people, 'bob', [...READ_PODS, ...EXEC_PODS]);
  // The auditor needs no Kubernetes rights at all to read the audit trail.
  await serviceAccount(auditors, 'olga', []);
  pod = await createPod({ prefix: 'app', image: APP_IMAGE, namespace: people });
  await waitPodRunning(pod, people);
  podscope = await startPodscope({ audit, config, tokenLogin: { sealer: testSealer(), publicUrl: null } });
  for (const [person, ns] of [
    ['alice', people],
    ['bob', people],
    ['olga', auditors],
  ] as const) {
    const r = await signIn(podscope.url, await tokenOf(ns, person));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    signedIn[person] = new SignedInClient(podscope.url, r.cookie!);
  }

  // Alice runs a command in a terminal; Bob opens one of his own.
  const t = new TerminalClient(terminalUrl(podscope.wsUrl, people, pod), { cookie: as('alice').cookie });
  aliceSession = (await t.ready()).sessionId;
  t.type('echo "people-$((6 * 7))"\r');
  await t.outputMatches(/people-42/);
  t.type('exit\r');
  await t.closed;
  const b = new TerminalClient(terminalUrl(podscope.wsUrl, people, pod, { command: ['true'] }), {
    cookie: as('bob').cookie,
  });
  await b.ready();
  await b.closed;
  await waitFor(
    'both sessions ended',
    async () => {
      const { sessions } = await sqlite.listSessions({ namespace: people, kind: 'exec' });
      return sessions.length === 2 && sessions.every((s) => s.endedAt !== null) ? true : undefined;
    },
    15_000,
    200,
  );
});
after(async () => {
  await podscope?.close();
  await sqlite.close();
  for (const ns of [people, auditors]) await kubectl(['delete', 'namespace', ns, '--wait=false']);
  rmSync(dir, { recursive: true, force: true });
});

describe('audit records name the person and the identity used towards Kubernetes', () => {
  test("the record of Alice's terminal names her, her groups, and her own token as what Kubernetes saw", async () => {
    const s = await sqlite.getSession(aliceSession);
    assert.ok(s);
    const groups = s.identity.groups;
    assert.ok(groups.includes(`system:serviceaccounts:${people}`), JSON.stringify(groups));
    assert.deepEqual(s.identity, {
      user: who.alice,
      groups,
      kube: { method: 'token', user: who.alice, groups },
    });
    assert.deepEqual(
      s.commands.map((c) => c.line),
      ['echo "people-$((6 * 7))"', 'exit'],
    );
  });
});

describe('people see their own sessions; an auditor group sees everyone’s', () => {
  test('Alice lists her own session only, with the person and the Kubernetes identity', async () => {
    const { status, body } = await as('alice').getJson<AuditSessionPage>(
      `/api/audit/sessions?namespace=${people}`,
    );
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.scope, 'own');
    assert.deepEqual(
      body.sessions.map((s) => s.id),
      [aliceSession],
    );
    const s = body.sessions[0]!;
    assert.equal(s.user, who.alice);
    assert.equal(s.subject, null);
    assert.equal(s.email, null);
    assert.deepEqual(s.kube, { method: 'token', user: who.alice, groups: s.groups });
    // Asking for someone else's sessions by name gets nothing, not theirs.
    const other = await as('alice').getJson<AuditSessionPage>(
      `/api/audit/sessions?user=${encodeURIComponent(who.bob)}`,
    );
    assert.deepEqual(other.body.sessions, []);
  });

  test("Bob does not see Alice's session: not listed, and 404 for its record and its recording, as for none", async () => {
    const list = await as('bob').getJson<AuditSessionPage>(`/api/audit/sessions?namespace=${people}`);
    assert.equal(list.status, 200);
    assert.equal(list.body.scope, 'own');
    assert.ok(list.body.sessions.length >= 1, 'his own session is there');
    assert.ok(
      list.body.sessions.every((s) => s.user === who.bob),
      JSON.stringify(list.body.sessions.map((s) => s.user)),
    );
    for (const filter of [
      `user=${encodeURIComponent(who.alice)}`,
      `pod=${pod}&user=${encodeURIComponent(who.alice)}`,
    ]) {
      const r = await as('bob').getJson<AuditSessionPage>(`/api/audit/sessions?${filter}`);
      assert.deepEqual(r.body.sessions, [], filter);
    }
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const suffix of ['', '/recording.cast', '/recording.cast?download=true']) {
      const theirs = await text(as('bob'), `/api/audit/sessions/${aliceSession}${suffix}`);
      const none = await text(as('bob'), `/api/audit/sessions/${unknown}${suffix}`);
      assert.equal(theirs.status, 404, `${suffix}: ${theirs.body}`);
      assert.equal(none.status, 404);
      // The same answer as for a session that does not exist: its existence is not Bob's to know.
      assert.equal(theirs.body.replace(aliceSession, 'ID'), none.body.replace(unknown, 'ID'));
      assert.doesNotMatch(theirs.body, /people-42|alice/);
    }
    assert.deepEqual(await viewRecords(), [], 'nothing was opened');
  });

  test("Olga, an auditor, lists Alice's session with her name and command, and can filter by person", async () => {
    const { status, body } = await as('olga').getJson<AuditSessionPage>(
      `/api/audit/sessions?namespace=${people}`,
    );
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.scope, 'all');
    assert.deepEqual(new Set(body.sessions.map((s) => s.user)), new Set([who.alice, who.bob]));
    const byAlice = await as('olga').getJson<AuditSessionPage>(
      `/api/audit/sessions?user=${encodeURIComponent(who.alice)}`,
    );
    assert.deepEqual(
      byAlice.body.sessions.map((s: AuditSessionView) => s.id),
      [aliceSession],
    );
    const detail = await as('olga').getJson<AuditSessionDetail>(`/api/audit/sessions/${aliceSession}`);
    assert.equal(detail.status, 200);
    assert.equal(detail.body.user, who.alice);
    assert.ok(detail.body.groups.includes(`system:serviceaccounts:${people}`));
    assert.deepEqual(detail.body.kube, { method: 'token', user: who.alice, groups: detail.body.groups });
    assert.ok(detail.body.commands.some((c) => c.line === 'echo "people-$((6 * 7))"'));
    assert.deepEqual(await viewRecords(), [], 'reading the record is not opening the recording');
  });

  test("Olga opening Alice's recording is itself recorded, naming her, the session and its owner", async () => {
    const before = Date.now();
    const res = await as('olga').fetch(`/api/audit/sessions/${aliceSession}/recording.cast?download=true`);
    assert.equal(res.status, 200);
    const cast = await res.text();
    assert.match(
      parseAsciicast(cast)
        .events.map((e) => e[2])
        .join(''),
      /people-42/,
    );
    const [view] = await waitFor(
      'the audit-view record, ended',
      async () => {
        const views = await viewRecords();
        return views.length === 1 && views[0]!.endedAt !== null ? views : undefined;
      },
      10_000,
      100,
    );
    assert.ok(view);
    assert.equal(view.kind, 'audit-view');
    assert.equal(view.identity.user, who.olga);
    assert.ok(view.identity.groups.includes(auditorGroup));
    assert.equal(view.identity.kube, undefined, 'no Kubernetes call was made');
    assert.equal(view.policy, `auditor: member of ${auditorGroup}`);
    assert.deepEqual(view.details, {
      viewedSession: aliceSession,
      owner: { user: who.alice },
      viewedKind: 'exec',
      download: true,
    });
    assert.equal(view.pod, pod);
    assert.ok(view.startedAt.getTime() >= before - 1000);
    assert.equal(view.bytesOut, Buffer.byteLength(cast));
    assert.deepEqual(view.outcome, { result: 'sent' });
    // Olga sees her viewing among everyone's; Alice does not see it as hers.
    const listed = await as('olga').getJson<AuditSessionPage>(`/api/audit/sessions?kind=audit-view`);
    assert.ok(listed.body.sessions.some((s) => s.id === view.id && s.user === who.olga));
    const alice = await as('alice').getJson<AuditSessionPage>(`/api/audit/sessions?kind=audit-view`);
    assert.deepEqual(alice.body.sessions, []);
  });

  test('people opening their own recording add no record', async () => {
    const count = (await viewRecords()).length;
    const res = await as('alice').fetch(`/api/audit/sessions/${aliceSession}/recording.cast`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /people-42/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await viewRecords()).length, count);
  });

  test('when the viewing cannot be recorded, the recording is not sent', async () => {
    const count = (await viewRecords()).length;
    refuseViewRecords = true;
    try {
      const res = await as('olga').fetch(`/api/audit/sessions/${aliceSession}/recording.cast`);
      assert.equal(res.status, 503);
      const body = await res.text();
      assert.match(
        body,
        /could not write the audit record of this viewing, so it did not send the recording/,
      );
      assert.doesNotMatch(body, /people-42/);
    } finally {
      refuseViewRecords = false;
    }
    assert.equal((await viewRecords()).length, count);
  });
});
