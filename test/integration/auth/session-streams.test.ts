// Open streams end with the login session they were opened under (token login against the real
// cluster): a sign-out closes that session's terminal, log follows and watches with 4401 at once, the
// terminal's audit record says why (its recording flushed); a sign-out on another replica (two Podscopes
// on one PostgreSQL database) is noticed by the periodic check; another session's streams, of the same
// person or another one, stay open and keep streaming.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { after, before, describe, test } from 'node:test';
import { SqliteAuditStore } from '../../../src/server/audit/sqlite-audit-store.js';
import {
  SESSION_ENDED_AUDIT_REASON,
  signedOutCloseReason,
  SIGNED_OUT_CLOSE_CODE,
} from '../../../src/server/auth/session-streams.js';
import { DEFAULT_CONFIG, type PodscopeConfig } from '../../../src/server/config/podscope-config.js';
import type { LogStreamMessage } from '../../../src/shared/api.js';
import { APP_IMAGE, kubectl, kubectlOk, uniqueName, waitFor } from '../../support/cluster.js';
import { CLUSTER, startPodscope, type RunningPodscope, type WsClient } from '../../support/podscope.js';
import { ensurePostgres, TestSchemas } from '../../support/postgres.js';
import { oidcEnv } from '../../support/oidc.js';
import { freePort, oidcLoginOptions, signInWithProvider } from '../../support/oidc-login.js';
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

const ns = uniqueName('sessend');
const dir = mkdtempSync(path.join(tmpdir(), 'podscope-sessend-'));
const audit = new SqliteAuditStore(path.join(dir, 'audit.db'));
const userOf = (sa: string) => `system:serviceaccount:${ns}:${sa}`;
const api = `/api/clusters/${CLUSTER}/namespaces/${ns}`;
let ticker: string;
const tokens = { execer: '', reader: '' };
const running: RunningPodscope[] = [];
let schemas: TestSchemas | undefined;

const configWith = (streamCheckSeconds: number): PodscopeConfig => ({
  ...DEFAULT_CONFIG,
  auth: {
    ...DEFAULT_CONFIG.auth,
    loginAttempts: { perClient: 1000, windowMs: 60_000 },
    streamCheckMs: streamCheckSeconds * 1000,
  },
});

async function signedIn(p: RunningPodscope, who: keyof typeof tokens): Promise<SignedInClient> {
  const r = await signIn(p.url, tokens[who]);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return new SignedInClient(p.url, r.cookie!);
}

/** A live log follow of the ticker: opened, and lines arriving. */
async function follow(
  c: SignedInClient,
  url = `${api}/pods/${ticker}/logs/stream`,
): Promise<WsClient<LogStreamMessage>> {
  const ws = c.ws<LogStreamMessage>(`${url}${url.includes('?') ? '&' : '?'}follow=true&tailLines=1`);
  await ws.opened;
  await ws.until('log lines', (m) => m.some((x) => x.type === 'lines'), 30_000);
  return ws;
}

/** Lines keep coming: the stream is still live (not merely not closed yet). */
async function stillStreaming(ws: WsClient<LogStreamMessage>, what: string): Promise<void> {
  assert.equal(ws.closedWith, null, `${what} closed: ${JSON.stringify(ws.closedWith)}`);
  const seen = ws.messages.length;
  await ws.until(`${what}: more lines`, (m) => m.length > seen, 10_000);
  assert.equal(ws.closedWith, null, what);
}

/** Milliseconds from `since` until the socket closed (polled every 20 ms), or throws after `withinMs`. */
async function closedWithin(
  what: string,
  closed: () => { code: number; reason: string } | null,
  since: number,
  withinMs: number,
): Promise<{ code: number; reason: string; ms: number }> {
  for (;;) {
    const c = closed();
    if (c !== null) return { ...c, ms: Date.now() - since };
    if (Date.now() - since > withinMs) throw new Error(`${what} still open after ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

before(async () => {
  await kubectlOk(['create', 'namespace', ns]);
  await kubectlOk(['label', 'namespace', ns, 'podscope-test=true']);
  await serviceAccount(ns, 'execer', [...READ_PODS, ...EXEC_PODS]);
  await serviceAccount(ns, 'reader', READ_PODS);
  tokens.execer = await tokenOf(ns, 'execer');
  tokens.reader = await tokenOf(ns, 'reader');
  ticker = await createPod({
    prefix: 'ticker',
    image: APP_IMAGE,
    namespace: ns,
    command: ['sh', '-c', 'while true; do echo "tick $(date +%s%N)"; sleep 0.2; done'],
  });
  await waitPodRunning(ticker, ns);
});
after(async () => {
  for (const p of running) await p.close();
  await audit.close();
  await schemas?.dropAll();
  await kubectl(['delete', 'namespace', ns, '--wait=false']);
  rmSync(dir, { recursive: true, force: true });
});

describe('signing out ends the open streams of that session', () => {
  test('on this replica: its terminal, log follow, merged logs and watches close with 4401 at once; the terminal record says why', async (tc) => {
    // A check interval far longer than the test: what closes here is the sign-out itself.
    const p = await startPodscope({
      audit,
      config: configWith(3600),
      tokenLogin: { sealer: testSealer(), publicUrl: null },
    });
    running.push(p);
    const leaving = await signedIn(p, 'execer');
    const sameperson = await signedIn(p, 'execer');
    const other = await signedIn(p, 'reader');

    const term = new TerminalClient(terminalUrl(p.wsUrl, ns, ticker), { cookie: leaving.cookie });
    const ready = await term.ready();
    term.type('echo "before-$((6 * 7))"\r');
    await term.outputMatches(/before-42/);
    const logs = await follow(leaving);
    const merged = await follow(
      leaving,
      `${api}/logs/stream?selector=${encodeURIComponent('podscope-test=true')}`,
    );
    const events = leaving.ws(`${api}/events/watch`);
    const pods = leaving.ws(`${api}/pods/watch`);
    await Promise.all([events.opened, pods.opened]);
    await pods.until('the pod list', (m) => m.length > 0);
    const sameLogs = await follow(sameperson);
    const sameTerm = new TerminalClient(terminalUrl(p.wsUrl, ns, ticker), { cookie: sameperson.cookie });
    await sameTerm.ready();
    const otherLogs = await follow(other);

    const out = await leaving.logout();
    const signedOutAt = Date.now();
    assert.equal(out.status, 200);
    const expected = { code: SIGNED_OUT_CLOSE_CODE, reason: signedOutCloseReason('signed-out') };
    for (const [what, ws] of [
      ['log follow', logs],
      ['merged logs', merged],
      ['events watch', events],
      ['pods watch', pods],
    ] as const) {
      const c = await closedWithin(what, () => ws.closedWith, signedOutAt, 1000);
      assert.deepEqual({ code: c.code, reason: c.reason }, expected, what);
    }
    const t = await closedWithin('terminal', () => term.closedWith, signedOutAt, 1000);
    tc.diagnostic(`terminal closed ${t.ms} ms after the sign-out answered`);
    assert.equal(t.code, SIGNED_OUT_CLOSE_CODE);
    const said = term.message('error');
    assert.equal(said?.status, 401, JSON.stringify(term.messages));
    assert.equal(said?.fatal, true);
    assert.match(said?.message ?? '', /signed out/);

    // The other session of the same person, and another person's, go on.
    await stillStreaming(sameLogs, "the same person's other session");
    await stillStreaming(otherLogs, "another person's session");
    assert.equal(sameTerm.closedWith, null);
    const mark = sameTerm.output.length;
    sameTerm.type('echo "still-$((6 * 7))"\r');
    await sameTerm.outputMatches(/still-42/, mark);

    // The terminal's record ends saying the session ended; its recording holds what was typed.
    const record = await waitFor(
      'the ended terminal record',
      async () => {
        const r = await audit.getSession(ready.sessionId);
        return r?.endedAt ? r : undefined;
      },
      15_000,
      100,
    );
    assert.equal(record.identity.user, userOf('execer'));
    assert.ok(
      record.error?.startsWith(`${SESSION_ENDED_AUDIT_REASON}: the person signed out`),
      String(record.error),
    );
    const recording = await audit.readRecording(ready.sessionId);
    assert.ok(recording, 'a recording');
    assert.match(await text(recording), /before-42/);

    for (const ws of [sameLogs, otherLogs]) ws.close();
    sameTerm.close();
    await sameTerm.closed;
  });
  test("Kubernetes refusing the person's token ends the session: its streams close at once (4401)", async () => {
    const p = await startPodscope({
      audit,
      config: configWith(3600),
      tokenLogin: { sealer: testSealer(), publicUrl: null },
    });
    running.push(p);
    await serviceAccount(ns, 'leaver', READ_PODS);
    const r = await signIn(p.url, await tokenOf(ns, 'leaver'));
    assert.equal(r.status, 200);
    const leaver = new SignedInClient(p.url, r.cookie!);
    const logs = await follow(leaver);
    const stays = await follow(await signedIn(p, 'reader'));
    // A bound token dies with its ServiceAccount; the established log stream alone would not notice.
    await kubectlOk(['-n', ns, 'delete', 'serviceaccount', 'leaver', '--wait=true']);
    let refusedAt = 0;
    for (let i = 0; i < 30 && refusedAt === 0; i++) {
      const res = await leaver.fetch(`${api}/pods`);
      if (res.status === 401) refusedAt = Date.now();
      else await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    assert.ok(refusedAt > 0, 'Kubernetes refused the token');
    const c = await closedWithin('log follow', () => logs.closedWith, refusedAt, 1000);
    assert.deepEqual(
      { code: c.code, reason: c.reason },
      { code: SIGNED_OUT_CLOSE_CODE, reason: signedOutCloseReason('token-refused') },
    );
    await stillStreaming(stays, "another person's session");
    stays.close();
  });
});

describe('a session ended on another replica', () => {
  test('two Podscopes on one PostgreSQL database: a sign-out on B closes the streams A holds within the check interval; other sessions stay', async (tc) => {
    schemas = new TestSchemas(await ensurePostgres());
    const { url } = await schemas.fresh('sessend');
    const checkSeconds = 1;
    const a = await startPodscope({
      databaseUrl: url,
      config: configWith(checkSeconds),
      tokenLogin: { sealer: testSealer(), publicUrl: null },
    });
    running.push(a);
    const b = await startPodscope({
      databaseUrl: url,
      config: configWith(checkSeconds),
      tokenLogin: { sealer: testSealer(), publicUrl: null },
    });
    running.push(b);

    const onB = await signedIn(b, 'execer');
    const onA = new SignedInClient(a.url, onB.cookie); // the same session, through replica A
    const sameOnA = new SignedInClient(a.url, (await signedIn(b, 'execer')).cookie);
    const otherOnA = new SignedInClient(a.url, (await signedIn(b, 'reader')).cookie);
    const logs = await follow(onA);
    const term = new TerminalClient(terminalUrl(a.wsUrl, ns, ticker), { cookie: onA.cookie });
    const ready = await term.ready();
    const sameLogs = await follow(sameOnA);
    const otherLogs = await follow(otherOnA);
    // Longer than a check interval: the checks so far found the sessions alive and closed nothing.
    await new Promise((r) => setTimeout(r, checkSeconds * 1000 + 500));
    assert.equal(logs.closedWith, null);
    assert.equal(term.closedWith, null);

    assert.equal((await onB.logout()).status, 200);
    const signedOutAt = Date.now();
    // Within one interval, plus the lookup and the closing handshake.
    const limit = checkSeconds * 1000 + 1000;
    const l = await closedWithin('log follow on A', () => logs.closedWith, signedOutAt, limit);
    assert.deepEqual(
      { code: l.code, reason: l.reason },
      { code: SIGNED_OUT_CLOSE_CODE, reason: signedOutCloseReason('gone') },
    );
    const t = await closedWithin('terminal on A', () => term.closedWith, signedOutAt, limit);
    tc.diagnostic(`on A, ${l.ms} ms (log follow) and ${t.ms} ms (terminal) after the sign-out on B`);
    assert.equal(t.code, SIGNED_OUT_CLOSE_CODE);
    await stillStreaming(sameLogs, "the same person's other session");
    await stillStreaming(otherLogs, "another person's session");

    // The record, read through the API by the same person's other session (people see their own).
    const record = await waitFor(
      'the ended terminal record',
      async () => {
        const r = await sameOnA.getJson<{ endedAt: string | null; error: string | null }>(
          `/api/audit/sessions/${ready.sessionId}`,
        );
        assert.equal(r.status, 200, JSON.stringify(r.body));
        return r.body.endedAt !== null ? r.body : undefined;
      },
      15_000,
      100,
    );
    assert.ok(
      record.error?.startsWith(`${SESSION_ENDED_AUDIT_REASON}: the login session ended elsewhere`),
      String(record.error),
    );
    sameLogs.close();
    otherLogs.close();
  });
});

describe('single sign-on (--auth oidc)', () => {
  test('a sign-out closes the streams of that session at once on its replica and within the check interval on the other; other people stay', async (tc) => {
    schemas ??= new TestSchemas(await ensurePostgres());
    const { url } = await schemas.fresh('sessend_sso');
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const checkSeconds = 1;
    const start = (p?: number) =>
      startPodscope({
        databaseUrl: url,
        config: configWith(checkSeconds),
        ...(p === undefined ? {} : { port: p }),
        oidcLogin: oidcLoginOptions(publicUrl, 'impersonation'),
      });
    const a = await start(port);
    running.push(a);
    const b = await start();
    running.push(b);
    const ca = oidcEnv().ca;
    const dana = await signInWithProvider(a.url, 'dana', ca, b.url); // a session, held on B
    const victor = await signInWithProvider(a.url, 'victor', ca, a.url);
    const watch = (c: SignedInClient, on: RunningPodscope) =>
      new SignedInClient(on.url, c.cookie).ws(`/api/clusters/${CLUSTER}/namespaces/demo/pods/watch`);
    const danaOnA = watch(dana, a);
    const danaOnB = watch(dana, b);
    const victorOnA = watch(victor, a);
    for (const w of [danaOnA, danaOnB, victorOnA]) {
      await w.opened;
      await w.until('the pod list', (m) => m.length > 0);
    }
    // Longer than a check interval: the checks (which resolve the session, refreshing when due) found
    // the sessions alive.
    await new Promise((r) => setTimeout(r, checkSeconds * 1000 + 500));
    assert.equal(danaOnA.closedWith, null);

    assert.equal((await dana.logout()).status, 200); // on B
    const signedOutAt = Date.now();
    const onB = await closedWithin('watch on B', () => danaOnB.closedWith, signedOutAt, 1000);
    assert.deepEqual(
      { code: onB.code, reason: onB.reason },
      { code: SIGNED_OUT_CLOSE_CODE, reason: signedOutCloseReason('signed-out') },
    );
    const onA = await closedWithin(
      'watch on A',
      () => danaOnA.closedWith,
      signedOutAt,
      checkSeconds * 1000 + 1000,
    );
    assert.deepEqual(
      { code: onA.code, reason: onA.reason },
      { code: SIGNED_OUT_CLOSE_CODE, reason: signedOutCloseReason('gone') },
    );
    tc.diagnostic(`closed ${onB.ms} ms (B, where the sign-out was) and ${onA.ms} ms (A) after it`);
    await new Promise((r) => setTimeout(r, checkSeconds * 1000 + 500));
    assert.equal(victorOnA.closedWith, null, "another person's watch stays open");
    victorOnA.close();
  });
});
