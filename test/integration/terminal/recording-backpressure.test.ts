// A recording the audit store cannot keep up with slows the terminal down instead of filling memory,
// against the real cluster: while the store's writes are held, the container's output stops reaching the
// browser a few MiB in (the exec stream is no longer read); once they go on, everything arrives and the
// recording holds every byte of it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { RecordingSink, SessionId } from '../../../src/server/audit/audit-store.js';
import { SqliteAuditStore } from '../../../src/server/audit/sqlite-audit-store.js';
import { readAsciicast } from '../../../src/server/terminal/recording/asciicast.js';
import { waitFor } from '../../support/cluster.js';
import { startPodscope, type RunningPodscope } from '../../support/podscope.js';
import { createTestPod, deleteTestPod, waitRunning } from '../../support/pods.js';
import { TerminalClient, terminalUrl } from './terminal-client.js';

/** Output of the command: 40 MB of "a", no line ends (so the TTY passes it through unchanged). */
const TOTAL = 40_000_000;
/** What may reach the browser while the store is held: the session's 8 MiB of recording backlog, its
 * 1 MiB towards the browser, and what was in flight when it paused — far below TOTAL. */
const HELD_BOUND = 12 * 1024 * 1024;

/** The SQLite store, whose recording writes can be held (as a store stalled on its disk would). */
class HeldRecordings extends SqliteAuditStore {
  private gate: Promise<void> = Promise.resolve();
  private open: () => void = () => undefined;

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open();
  }

  override async createRecording(id: SessionId): Promise<RecordingSink> {
    const sink = await super.createRecording(id);
    return {
      write: async (data) => {
        await this.gate;
        await sink.write(data);
      },
      sync: () => sink.sync(),
      close: () => sink.close(),
    };
  }
}

const dir = mkdtempSync(path.join(tmpdir(), 'podscope-term-bp-'));
let audit: HeldRecordings;
let podscope: RunningPodscope;
let pod: string;

before(async () => {
  pod = await createTestPod({ prefix: 'termbp', script: 'sleep 100000' });
  audit = new HeldRecordings(path.join(dir, 'audit.db'));
  podscope = await startPodscope({ audit, dataDir: dir });
  await waitRunning(pod);
});
after(async () => {
  audit.release();
  await podscope.close();
  await audit.close();
  await deleteTestPod(pod);
  rmSync(dir, { recursive: true, force: true });
});

test('a stalled recording stops the output a few MiB in; released, all of it arrives and is recorded', async () => {
  const t = new TerminalClient(
    terminalUrl(podscope.wsUrl, 'demo', pod, {
      command: ['sh', '-c', `sleep 1; head -c ${TOTAL} /dev/zero | tr '\\0' a`],
    }),
    podscope.headers,
  );
  const { sessionId } = await t.ready();
  audit.hold(); // before the output starts (after `sleep 1`)
  await t.until('output to start', () => t.outputBytes > 0, 10_000);
  // Output flows until the recording's backlog reaches its bound, then stops: once two seconds pass
  // without a byte, the container is no longer read.
  let seen = -1;
  await waitFor(
    'the output to stop',
    async () => {
      const now = t.outputBytes;
      const still = now === seen;
      seen = now;
      return still ? true : undefined;
    },
    30_000,
    2000,
  );
  assert.ok(seen < HELD_BOUND, `${seen} bytes reached the browser while the recording was held`);
  assert.ok(seen > 1024 * 1024, `only ${seen} bytes before the stop: the output did flow at first`);

  audit.release();
  const closed = await t.closed;
  assert.equal(t.message('exit')?.code, 0, JSON.stringify({ closed, messages: t.messages }));
  assert.equal(t.outputBytes, TOTAL);
  await waitFor('the session to end', async () => (await audit.getSession(sessionId))?.endedAt ?? undefined);

  const cast = await readAsciicast(path.join(dir, 'recordings', `${sessionId}.cast`));
  const recorded = cast.events
    .filter((e) => e[1] === 'o')
    .map((e) => e[2])
    .join('');
  assert.equal(recorded.length, TOTAL);
  assert.match(recorded, /^a+$/);
});
