// Podscope killed with SIGKILL mid-session: the recording on disk is readable and holds everything up to
// the last second, and the audit record of the session exists (without an end); the next start ends
// the processes the session left running and closes its record.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { SqliteAuditStore } from '../../../src/server/audit/sqlite-audit-store.js';
import { readAsciicast } from '../../../src/server/terminal/recording/asciicast.js';
import { adminKubeconfig, repoRoot, waitFor } from '../../support/cluster.js';
import { createTestPod, deleteTestPod, waitRunning } from '../../support/pods.js';
import { fromPrintedUrl } from '../../support/podscope.js';
import { TerminalClient, terminalUrl } from './terminal-client.js';
import { processes } from './test-pods.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'podscope-crash-'));
let pod: string;
let child: ChildProcess | undefined;

before(async () => {
  pod = await createTestPod({ prefix: 'termcrash', script: 'sleep 100000' });
  await waitRunning(pod);
});
after(async () => {
  child?.kill('SIGKILL');
  await deleteTestPod(pod);
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts the real CLI in its own process and resolves with the URL it prints (with its token). */
function startCli(): Promise<string> {
  child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/server/cli.ts',
      '--kubeconfig',
      adminKubeconfig,
      '--port',
      '0',
      '--data-dir',
      dataDir,
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child!.on('exit', (code) => reject(new Error(`podscope exited (${code}): ${out}`)));
  });
}

test('SIGKILL mid-session leaves a readable recording up to the last second, and the audit start', async () => {
  const cli = fromPrintedUrl(await startCli());
  const t = new TerminalClient(terminalUrl(cli.wsUrl, 'demo', pod), cli.headers);
  const { sessionId } = await t.ready();
  t.type('echo before-$((2*21))\r');
  await t.outputMatches(/before-42/);
  t.control({ type: 'resize', cols: 90, rows: 20 });
  await new Promise((r) => setTimeout(r, 1100)); // more than a second before the kill
  t.type('echo at-the-kill\r');
  child!.kill('SIGKILL');
  await t.closed;

  assert.deepEqual(readdirSync(path.join(dataDir, 'recordings')), [`${sessionId}.cast`]);
  const cast = await readAsciicast(path.join(dataDir, 'recordings', `${sessionId}.cast`));
  assert.equal(cast.header.version, 2);
  const input = cast.events.filter((e) => e[1] === 'i').map((e) => e[2]);
  assert.equal(input[0], 'echo before-$((2*21))\r');
  assert.ok(input.length <= 2, 'nothing invented');
  assert.match(
    cast.events
      .filter((e) => e[1] === 'o')
      .map((e) => e[2])
      .join(''),
    /\r\nbefore-42\r\n/,
  );
  assert.deepEqual(
    cast.events.filter((e) => e[1] === 'r').map((e) => e[2]),
    ['90x20'],
  );

  const audit = new SqliteAuditStore(path.join(dataDir, 'audit.db'));
  try {
    const s = await audit.getSession(sessionId);
    assert.ok(s, 'the audit record was written before the stream opened');
    assert.equal(s.endedAt, null, 'the end was never written');
    assert.equal(s.commands[0]?.line, 'echo before-$((2*21))');
  } finally {
    await audit.close();
  }
});

test('the next start ends what the killed session left running, and closes its audit record', async () => {
  const cli = fromPrintedUrl(await startCli());
  const t = new TerminalClient(terminalUrl(cli.wsUrl, 'demo', pod), cli.headers);
  const { sessionId } = await t.ready();
  t.type('sleep 4243\r');
  await waitFor('sleep running', async () =>
    (await processes(pod)).includes('sleep 4243') ? true : undefined,
  );
  child!.kill('SIGKILL');
  await t.closed;
  await new Promise((r) => setTimeout(r, 1000));
  assert.match(await processes(pod), /sleep 4243/, 'Kubernetes alone leaves the process running');

  await startCli();
  const audit = new SqliteAuditStore(path.join(dataDir, 'audit.db'));
  try {
    const ended = await waitFor('the session to be ended at restart', async () => {
      const s = await audit.getSession(sessionId);
      return s?.endedAt ? s : undefined;
    });
    assert.match(
      ended.error ?? '',
      /stopped before this session ended; at the next start its processes were ended/,
    );
    assert.doesNotMatch(await processes(pod), /sleep 4243/);
  } finally {
    await audit.close();
  }
});
