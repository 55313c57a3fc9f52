// Bad input to the terminal gets a clear error: before the stream opens (fatal, nothing runs) or
// during a session (malformed control messages: the session goes on; oversized frames: it ends).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { SqliteAuditStore } from '../../../src/server/audit/sqlite-audit-store.js';
import { waitFor } from '../../support/cluster.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../../support/podscope.js';
import { createTestPod, deleteTestPod, waitRunning } from '../../support/pods.js';
import { TerminalClient, terminalUrl } from './terminal-client.js';
import { processes } from './test-pods.js';

let podscope: RunningPodscope;
let audit: SqliteAuditStore;
let pod: string;
const dir = mkdtempSync(path.join(tmpdir(), 'podscope-term-bad-'));
const open: TerminalClient[] = [];

before(async () => {
  pod = await createTestPod({ prefix: 'termbad', script: 'sleep 100000' });
  audit = new SqliteAuditStore(path.join(dir, 'audit.db'));
  podscope = await startPodscope({ audit });
  await waitRunning(pod);
});
after(async () => {
  for (const t of open) t.close();
  await podscope.close();
  await audit.close();
  await deleteTestPod(pod);
  rmSync(dir, { recursive: true, force: true });
});

function terminal(target: string, query: Record<string, string | string[]> = {}, on = podscope) {
  const t = new TerminalClient(terminalUrl(on.wsUrl, 'demo', target, query), on.headers);
  open.push(t);
  return t;
}

describe('terminal: refused before the stream opens', () => {
  const cases: [string, () => string, Record<string, string | string[]>, number, RegExp][] = [
    [
      'unknown container',
      () => 'multi',
      { container: 'nope' },
      400,
      /Pod "multi" has no container "nope"; its containers are: app, sidecar, init-config/,
    ],
    ['ambiguous container', () => 'multi', {}, 400, /several containers \(app, sidecar\); choose one/],
    [
      'container that cannot start',
      () => 'configerror',
      {},
      409,
      /Container "app" is not running \(waiting: CreateContainerConfigError\)/,
    ],
    ['pod not scheduled', () => 'pending', {}, 409, /Container "app" is not running \(not started\)/],
    [
      'finished init container',
      () => 'multi',
      { container: 'init-config' },
      409,
      /not running \(terminated: Completed\)/,
    ],
    [
      'image without a shell',
      () => 'noshell',
      {},
      422,
      /Container "app" has no shell \(tried bash, sh\).*debug container/,
    ],
    ['unknown pod', () => 'no-such-pod', {}, 404, /Pod "no-such-pod" was not found in namespace "demo"/],
    ['invalid pod name', () => 'Bad_Pod', {}, 400, /Pod name/],
    ['zero columns', () => pod, { cols: '0' }, 400, /cols must be a whole number from 1 to 1000/],
    ['rows not a number', () => pod, { rows: 'tall' }, 400, /rows must be a whole number/],
    ['too many rows', () => pod, { rows: '1001' }, 400, /rows must be a whole number from 1 to 1000/],
    ['repeated cols', () => pod, { cols: ['80', '90'] }, 400, /"cols" must be given once/],
    ['unknown parameter', () => pod, { shell: 'zsh' }, 400, /Unknown query parameter "shell"/],
    ['empty command', () => pod, { command: '' }, 400, /must start with a program name/],
    ['invalid container name', () => pod, { container: 'Bad!' }, 400, /Container name/],
  ];
  for (const [name, target, query, status, message] of cases) {
    test(`${name} → ${status}`, async () => {
      const t = terminal(target(), query);
      const err = await t.error();
      assert.equal(err?.status, status, JSON.stringify(t.messages));
      assert.equal(err?.fatal, true);
      assert.match(err?.message ?? '', message);
      assert.doesNotMatch(err?.message ?? '', /\n\s+at /);
      assert.equal(t.message('ready'), undefined);
      assert.equal(t.closedWith?.code, 1008);
    });
  }

  test('bad input leaves no audit record; the one refusal by the container (no shell) leaves one', async () => {
    const { sessions } = await audit.listSessions();
    assert.deepEqual(
      sessions.map((s) => [s.kind, s.pod, s.outcome?.['result']]),
      [['exec', 'noshell', 'refused']],
    );
    assert.match(String(sessions[0]!.outcome?.['reason']), /has no shell/);
  });

  test('unknown namespace and cluster → 404', async () => {
    const ns = new TerminalClient(
      `${podscope.wsUrl}/api/clusters/${CLUSTER}/namespaces/nope-ns/pods/x/terminal`,
      podscope.headers,
    );
    open.push(ns);
    assert.match((await ns.error())?.message ?? '', /Namespace "nope-ns" does not exist/);
    const cl = new TerminalClient(
      `${podscope.wsUrl}/api/clusters/nope/namespaces/demo/pods/x/terminal`,
      podscope.headers,
    );
    open.push(cl);
    assert.equal((await cl.error())?.status, 404);
  });

  test('a WebSocket from a foreign origin is refused at the upgrade (403), same origin is allowed', async () => {
    const status = (origin: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(terminalUrl(podscope.wsUrl, 'demo', 'noshell'), {
          headers: { ...podscope.headers, Origin: origin },
        });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => (resolve(101), ws.close()));
        ws.on('error', () => undefined);
      });
    assert.equal(await status('https://evil.example'), 403);
    assert.equal(await status(podscope.url), 101);
  });

  test('when the audit record cannot be written, the terminal does not start and nothing runs', async () => {
    const file = path.join(dir, 'not-a-dir');
    writeFileSync(file, '');
    const broken = await startPodscope({ dataDir: file }); // audit.db would live under a regular file
    try {
      const t = terminal(pod, { command: ['sleep', '5678'] }, broken);
      const err = await t.error();
      assert.equal(err?.status, 503);
      assert.match(
        err?.message ?? '',
        /not opened because its audit record could not be written: cannot open the audit database/,
      );
      assert.equal(t.closedWith?.code, 1011);
      assert.doesNotMatch(await processes(pod), /sleep 5678/);
    } finally {
      await broken.close();
    }
  });
});

describe('terminal: bad input during a session', () => {
  test('malformed control messages get a non-fatal error and the session goes on', async () => {
    const t = terminal(pod);
    await t.ready();
    t.control({ type: 'resize', cols: 0, rows: 24 });
    t.control({ type: 'resize', cols: 80, rows: '24' });
    t.control({ type: 'paste', data: 'x' });
    t.control('not json');
    await t.until('four errors', () => t.messages.filter((m) => m.type === 'error').length === 4);
    const errors = t.messages.filter((m) => m.type === 'error');
    assert.ok(errors.every((e) => e.type === 'error' && e.status === 400 && !e.fatal));
    assert.match(JSON.stringify(errors), /cols must be a whole number from 1 to 1000 \(got 0\)/);
    assert.match(JSON.stringify(errors), /Unknown control message type \\"paste\\"/);
    t.type('echo still-$((40+2))\r');
    await t.outputMatches(/still-42/);
    t.close();
  });

  test('a frame over 64 KiB ends the session with close code 1009, recorded in the audit', async () => {
    const t = terminal(pod);
    const { sessionId } = await t.ready();
    t.type(Buffer.alloc(64 * 1024 + 1, 'a'));
    const closed = await t.closed;
    assert.equal(closed.code, 1009);
    const s = await waitFor('audit end', async () => {
      const r = await audit.getSession(sessionId);
      return r?.endedAt ? r : undefined;
    });
    assert.match(s.error ?? '', /frame larger than 64 KiB/);
  });

  test('a frame of exactly 64 KiB is accepted', async () => {
    const t = terminal(pod);
    await t.ready();
    // The shell must be up before ^C: one still starting dies of the SIGINT (exit 130; seen in CI).
    t.type('echo up-$((2+2))\r');
    await t.outputMatches(/up-4/);
    t.type(Buffer.alloc(64 * 1024, 'a'));
    t.type('\x03echo after-$((1+1))\r');
    await t.outputMatches(/after-2/);
    t.close();
  });
});
