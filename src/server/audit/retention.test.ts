import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuditStoreError } from './audit-store.js';
import { RetentionJob, retentionCutoff } from './retention.js';

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);

function recorder() {
  const lines: { level: string; msg: string | undefined }[] = [];
  return {
    lines,
    log: {
      info: (_: unknown, msg?: string) => void lines.push({ level: 'info', msg }),
      warn: (_: unknown, msg?: string) => void lines.push({ level: 'warn', msg }),
    },
  };
}

describe('audit retention', () => {
  it('cuts off at whole days before now', () => {
    assert.deepEqual(retentionCutoff(NOW, 1), new Date(Date.UTC(2026, 4, 31, 12, 0, 0)));
    assert.deepEqual(retentionCutoff(NOW, 90), new Date(Date.UTC(2026, 2, 3, 12, 0, 0)));
  });

  it('deletes with the cutoff of the pass, logs what it deleted, and is quiet when nothing was', async () => {
    const cutoffs: Date[] = [];
    let answer = 3;
    const { lines, log } = recorder();
    const job = new RetentionJob({
      store: { deleteEndedSessionsStartedBefore: async (c) => (cutoffs.push(c), answer) },
      retentionDays: 30,
      now: () => NOW,
      log,
    });
    assert.equal(await job.runOnce(), 3);
    answer = 0;
    assert.equal(await job.runOnce(), 0);
    assert.deepEqual(cutoffs, [retentionCutoff(NOW, 30), retentionCutoff(NOW, 30)]);
    assert.deepEqual(lines, [{ level: 'info', msg: 'audit retention deleted old sessions' }]);
    await job.stop();
  });

  it('survives a store that is down: warns, resolves undefined, and works on the next pass', async () => {
    let down = true;
    const { lines, log } = recorder();
    const job = new RetentionJob({
      store: {
        deleteEndedSessionsStartedBefore: async () => {
          if (down) throw new AuditStoreError('unavailable', 'cannot reach the audit database');
          return 1;
        },
      },
      retentionDays: 7,
      log,
    });
    assert.equal(await job.runOnce(), undefined);
    down = false;
    assert.equal(await job.runOnce(), 1);
    assert.deepEqual(
      lines.map((l) => l.level),
      ['warn', 'info'],
    );
    await job.stop();
  });

  it('runs at start and on its interval, one pass at a time, and not after stop', async () => {
    let passes = 0;
    let release: () => void = () => undefined;
    const job = new RetentionJob({
      store: {
        deleteEndedSessionsStartedBefore: () =>
          new Promise((resolve) => {
            passes++;
            release = () => resolve(0);
          }),
      },
      retentionDays: 1,
      intervalMs: 20,
      log: recorder().log,
    });
    job.start();
    assert.equal(passes, 1, 'a pass at start');
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(passes, 1, 'no second pass while the first runs');
    release();
    await new Promise((r) => setTimeout(r, 80));
    assert.ok(passes >= 2, `passes: ${passes}`);
    release();
    await job.stop();
    const after = passes;
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(passes, after);
    assert.equal(await job.runOnce(), undefined);
  });

  it('refuses a retention that is not a whole number of days', () => {
    assert.throws(
      () =>
        new RetentionJob({
          store: { deleteEndedSessionsStartedBefore: async () => 0 },
          retentionDays: 0,
          log: recorder().log,
        }),
      RangeError,
    );
  });
});
