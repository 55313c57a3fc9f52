// The web terminal against the real cluster: round trips, exit codes, resize, Unicode, user commands,
// audit + recording of a scripted session, and that closing the socket ends the process.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openExec } from '../../../src/server/exec/exec-connection.js';
import { KubeconfigClusterRegistry } from '../../../src/server/kube/cluster-registry.js';
import { SqliteAuditStore } from '../../../src/server/audit/sqlite-audit-store.js';
import { readAsciicast } from '../../../src/server/terminal/recording/asciicast.js';
import { adminKubeconfig, kubectl, waitFor } from '../../support/cluster.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../../support/podscope.js';
import { createTestPod, deleteTestPod, waitRunning } from '../../support/pods.js';
import { PROMPT_AT_END, TerminalClient, terminalUrl } from './terminal-client.js';
import { processes } from './test-pods.js';

let podscope: RunningPodscope;
let audit: SqliteAuditStore;
let pod: string;
const open: TerminalClient[] = [];

before(async () => {
  pod = await createTestPod({ prefix: 'term', script: 'sleep 100000' });
  audit = new SqliteAuditStore(
    `${process.env.TMPDIR ?? '/tmp'}/podscope-term-${process.pid}-${Date.now()}.db`,
  );
  podscope = await startPodscope({ audit });
  await waitRunning(pod);
});
after(async () => {
  for (const t of open) t.close();
  await podscope.close();
  await audit.close();
  await deleteTestPod(pod);
});

function terminal(query: Record<string, string | string[]> = {}, target = pod): TerminalClient {
  const t = new TerminalClient(terminalUrl(podscope.wsUrl, 'demo', target, query), podscope.headers);
  open.push(t);
  return t;
}

describe('terminal', () => {
  test('echo round trip through an automatically chosen shell, over v5', async () => {
    const t = terminal();
    const ready = await t.ready();
    assert.equal(ready.shell, 'sh', 'busybox image: no bash, so sh');
    assert.deepEqual(ready.command.slice(2), ['sh']);
    assert.equal(ready.command[0], 'env', 'tagged for cleanup');
    assert.match(ready.command[1] ?? '', /^PODSCOPE_SESSION=[0-9a-f-]{36}$/);
    assert.equal(ready.policy, 'root-allowed');
    assert.equal(ready.user, null);
    assert.equal(ready.protocol, 'v5.channel.k8s.io');
    t.type('echo round-$((6*7))-trip\r');
    // The shell computed it: the echoed input alone would not contain "round-42-trip".
    await t.outputMatches(/round-42-trip/);
    t.close();
  });

  test('`exit 3` ends the session with code 3, recorded in the audit', async () => {
    const t = terminal();
    const { sessionId } = await t.ready();
    t.type('exit 3\r');
    const closed = await t.closed;
    assert.deepEqual(t.message('exit'), {
      type: 'exit',
      code: 3,
      message: 'The process exited with code 3.',
    });
    assert.equal(closed.code, 1000);
    await waitFor(
      'audit end',
      async () => ((await audit.getSession(sessionId))?.endedAt ? true : undefined),
      10_000,
      100,
    );
    const ended = await audit.getSession(sessionId);
    assert.equal(ended?.exitCode, 3);
    assert.equal(ended?.error, null, 'a normal exit records no error');
  });

  test('`stty size` follows the initial size and a resize', async () => {
    const t = terminal({ cols: '100', rows: '30' });
    const { sessionId } = await t.ready();
    t.type('stty size\r');
    await t.outputMatches(/\r\n30 100\r\n/);
    const mark = t.output.length;
    t.control({ type: 'resize', cols: 132, rows: 43 });
    t.type('stty size\r');
    await t.outputMatches(/\r\n43 132\r\n/, mark);
    t.type('exit\r');
    await t.closed;
    const cast = await waitFor('recording closed', async () => {
      const s = await audit.getSession(sessionId);
      return s?.endedAt ? readAsciicast(s.recordingPath!) : undefined;
    });
    assert.equal(cast.header.width, 100);
    assert.equal(cast.header.height, 30);
    assert.deepEqual(
      cast.events.filter((e) => e[1] === 'r').map((e) => e[2]),
      ['132x43'],
    );
  });

  test('Unicode survives both ways', async () => {
    const t = terminal();
    await t.ready();
    t.type("printf '%s|%s\\n' 'Zoë ✓' '日本語 🚀'\r");
    await t.outputMatches(/\r\nZoë ✓\|日本語 🚀\r\n/);
    t.close();
  });

  test('a command given as argv runs without a shell parsing it', async () => {
    const t = terminal({ command: ['echo', 'a;b', '$(id)', '*'] });
    const ready = await t.ready();
    assert.equal(ready.shell, null);
    assert.deepEqual(ready.command.slice(2), ['echo', 'a;b', '$(id)', '*']);
    await t.closed;
    assert.match(t.output, /a;b \$\(id\) \*/);
    assert.equal(t.message('exit')?.code, 0);
  });

  test('input typed before `ready` is not lost', async () => {
    const t = terminal();
    await new Promise<void>((resolve) => t.ws.once('open', () => resolve()));
    t.type('echo early-$((2+3))\r');
    await t.ready();
    await t.outputMatches(/early-5/);
    t.close();
  });

  test('a scripted session is audited and recorded with exactly the commands typed', async () => {
    const t = terminal();
    const ready = await t.ready();
    const typed = [
      'echo one\r',
      'ls /\r',
      'echo twx\x7fo\r', // a typo corrected with Backspace: the command is "echo two"
      'cd /tmp && pwd\r',
      'exit 0\r',
    ];
    const lines = ['echo one', 'ls /', 'echo two', 'cd /tmp && pwd', 'exit 0'];
    for (const [i, keys] of typed.entries()) {
      const mark = t.output.length;
      t.type(keys);
      // Wait for the next prompt (busybox ash then asks for the cursor position: ESC [6n).
      if (i < typed.length - 1) await t.outputMatches(PROMPT_AT_END, mark);
    }
    await t.closed;
    assert.equal(t.message('exit')?.code, 0);
    const session = await waitFor(
      'audit end',
      async () => {
        const s = await audit.getSession(ready.sessionId);
        return s?.endedAt ? s : undefined;
      },
      10_000,
      100,
    );
    assert.deepEqual(
      session.commands.map((c) => c.line),
      lines,
    );
    assert.ok(session.commands.every((c) => c.flags.length === 0));
    const ats = session.commands.map((c) => c.at);
    assert.deepEqual(
      [...ats].sort((a, b) => a - b),
      ats,
      'timestamps in typing order',
    );
    assert.equal(session.identity.user, 'kubeconfig:kubernetes-admin');
    assert.equal(session.cluster, CLUSTER);
    assert.equal(session.namespace, 'demo');
    assert.equal(session.pod, pod);
    assert.equal(session.container, 'app');
    assert.deepEqual(session.command, ready.command);
    assert.equal(session.command.at(-1), 'sh');
    assert.match(session.policy, /^root-allowed \(default: /);
    assert.equal(session.clientAddress, '127.0.0.1');
    assert.equal(session.exitCode, 0);
    assert.equal(session.bytesIn, Buffer.byteLength(typed.join('')));
    assert.equal(session.bytesOut, t.outputBytes);

    const cast = await readAsciicast(session.recordingPath!);
    assert.equal(cast.truncated, false);
    const input = cast.events.filter((e) => e[1] === 'i').map((e) => e[2]);
    assert.equal(input.join(''), typed.join(''), 'the recording holds exactly the keys typed');
    const output = cast.events
      .filter((e) => e[1] === 'o')
      .map((e) => e[2])
      .join('');
    assert.equal(output, t.output, 'the recording holds exactly the output shown');
    assert.match(output, /\r\none\r\n/);
    assert.match(output, /\r\n\/tmp\r\n/);
  });

  test('Kubernetes alone does not end a TTY exec when its stream closes (why Podscope cleans up)', async () => {
    const registry = new KubeconfigClusterRegistry({ kubeconfig: adminKubeconfig });
    try {
      const client = registry.get(CLUSTER).client(null);
      const conn = await openExec(
        client,
        { namespace: 'demo', pod, container: 'app', command: ['sleep', '23456'], stdin: true, tty: true },
        { stdout: () => undefined, stderr: () => undefined, exit: () => undefined },
      );
      await waitFor('sleep 23456 running', async () =>
        (await processes(pod)).includes('sleep 23456') ? true : undefined,
      );
      conn.close();
      await new Promise((r) => setTimeout(r, 3000));
      assert.match(await processes(pod), /sleep 23456/, 'still running 3 s after the stream closed');
    } finally {
      registry.close();
      await kubectl(['-n', 'demo', 'exec', pod, '--', 'pkill', '-f', 'sleep 23456']);
    }
  });

  test('closing the socket ends the process in the container, and what it started in the background', async () => {
    const t = terminal();
    const { sessionId } = await t.ready();
    t.type('sleep 34567 &\r');
    t.type('sleep 12345\r');
    await waitFor('sleep 12345 running', async () => {
      const ps = await processes(pod);
      return ps.includes('sleep 12345') && ps.includes('sleep 34567') ? true : undefined;
    });
    t.close();
    await waitFor(
      'sleep 12345 gone',
      async () => (/sleep (12345|34567)/.test(await processes(pod)) ? undefined : true),
      30_000,
      500,
    );
    const s = await waitFor('audit end', async () => {
      const r = await audit.getSession(sessionId);
      return r?.endedAt ? r : undefined;
    });
    assert.equal(s.exitCode, null);
    assert.match(s.error ?? '', /browser left/);
    assert.deepEqual(
      s.commands.map((c) => c.line),
      ['sleep 34567 &', 'sleep 12345'],
    );
  });
});
