// What the audit of a terminal keeps when a session tries to slip past it, against the real cluster:
// a recording that reaches its size cap stops while the session goes on (the browser told once, the record
// marked), and commands typed after `printf '\e[?1049h'` are recorded, flagged full-screen.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SqliteAuditStore } from '../../../src/server/audit/sqlite-audit-store.js';
import { DEFAULT_CONFIG } from '../../../src/server/config/podscope-config.js';
import { limitMarkerText, readAsciicast } from '../../../src/server/terminal/recording/asciicast.js';
import { waitFor } from '../../support/cluster.js';
import { startPodscope, type RunningPodscope } from '../../support/podscope.js';
import { createTestPod, deleteTestPod, waitRunning } from '../../support/pods.js';
import { TerminalClient, terminalUrl } from './terminal-client.js';

const MAX_BYTES = 4096;

let podscope: RunningPodscope;
let audit: SqliteAuditStore;
let pod: string;
const open: TerminalClient[] = [];

before(async () => {
  pod = await createTestPod({ prefix: 'audit-gaps', script: 'sleep 100000' });
  podscope = await startPodscope({ config: { ...DEFAULT_CONFIG, recording: { maxBytes: MAX_BYTES } } });
  audit = new SqliteAuditStore(path.join(podscope.dataDir, 'audit.db'));
  await waitRunning(pod);
});
after(async () => {
  for (const t of open) t.close();
  await audit.close();
  await podscope.close();
  await deleteTestPod(pod);
});

function terminal(): TerminalClient {
  const t = new TerminalClient(terminalUrl(podscope.wsUrl, 'demo', pod), podscope.headers);
  open.push(t);
  return t;
}

async function ended(sessionId: string) {
  return waitFor(
    'audit end',
    async () => {
      const s = await audit.getSession(sessionId);
      return s?.endedAt ? s : undefined;
    },
    20_000,
    100,
  );
}

describe('terminal audit completeness', () => {
  test('a recording stops at its size cap, the session goes on, the browser is told once', async () => {
    const t = terminal();
    const { sessionId } = await t.ready();
    t.type('seq 1 3000\r');
    await t.outputMatches(/\r\n3000\r\n/);
    await t.until('the recording-stopped notice', () => t.message('notice') !== undefined);
    assert.deepEqual(t.message('notice'), {
      type: 'notice',
      code: 'recording-stopped',
      message:
        'The session recording reached its size limit of 4 KiB and has stopped; the terminal goes on. ' +
        'Typed command lines are still audited, and the audit record notes that the recording is incomplete.',
    });
    // The terminal works on after the notice, and more output brings no second one.
    const mark = t.output.length;
    t.type('seq 1 2000 >/dev/null; seq 5000 6000; echo after-$((6*7))\r');
    await t.outputMatches(/\r\nafter-42\r\n/, mark);
    t.type('exit 0\r');
    await t.closed;
    assert.equal(t.messages.filter((m) => m.type === 'notice').length, 1);
    assert.equal(t.message('exit')?.code, 0);

    const s = await ended(sessionId);
    assert.ok(s.recordingTruncatedAt, 'the audit record says the recording was cut short');
    assert.ok(
      s.recordingTruncatedAt >= s.startedAt && s.endedAt !== null && s.recordingTruncatedAt <= s.endedAt,
    );
    assert.equal(s.details['recordingMaxBytes'], MAX_BYTES);
    // Command lines are audited the whole session long, the cap notwithstanding.
    assert.deepEqual(
      s.commands.map((c) => c.line),
      ['seq 1 3000', 'seq 1 2000 >/dev/null; seq 5000 6000; echo after-$((6*7))', 'exit 0'],
    );
    const file = s.recordingPath as string;
    assert.ok(statSync(file).size <= MAX_BYTES, `the recording has ${statSync(file).size} bytes`);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(path.dirname(file)).mode & 0o777, 0o700);
    const cast = await readAsciicast(file);
    assert.deepEqual(cast.events.at(-1)?.slice(1), ['m', limitMarkerText(MAX_BYTES)]);
    assert.ok(!cast.events.some((e) => e[2].includes('after-42')), 'nothing after the cap is recorded');
  });

  test("commands typed after `printf '\\e[?1049h'` are in the command list, flagged full-screen", async () => {
    const t = terminal();
    const { sessionId } = await t.ready();
    t.type("printf '\\033[?1049h'\r");
    // The switch reaches the server's output before the next line is typed.
    await t.outputMatches(/\x1b\[\?1049h/);
    t.type('echo hidden-$((6*7))\r');
    await t.outputMatches(/\r\nhidden-42\r\n/);
    t.type("printf '\\033[?1049l'\r");
    await t.outputMatches(/\x1b\[\?1049l/);
    t.type('echo visible\r');
    await t.outputMatches(/\r\nvisible\r\n/);
    t.type('exit\r');
    await t.closed;
    const s = await ended(sessionId);
    assert.deepEqual(
      s.commands.map((c) => [c.line, c.flags]),
      [
        ["printf '\\033[?1049h'", []],
        ['echo hidden-$((6*7))<Enter>', ['full-screen']],
        ["printf '\\033[?1049l'<Enter>", ['full-screen']],
        ['echo visible', []],
        ['exit', []],
      ],
    );
  });
});
