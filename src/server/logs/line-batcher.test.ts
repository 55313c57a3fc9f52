import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LogLine, LogStreamMessage } from '../../shared/api.js';
import { LineBatcher } from './line-batcher.js';

const line = (n: number, text = `line ${n}`): LogLine => ({
  ts: `2026-12-01T00:00:00.${String(n).padStart(9, '0')}Z`,
  text,
});

/** A socket whose writes finish when the test says so; scheduled flushes run when the test says so. */
function harness(maxBatchChars = 1000) {
  const sent: LogStreamMessage[] = [];
  const writes: (() => void)[] = [];
  const turns: (() => void)[] = [];
  const batcher = new LineBatcher(
    (m) => {
      sent.push(m);
      return new Promise<void>((resolve) => writes.push(resolve));
    },
    { maxBatchChars, schedule: (fn) => turns.push(fn) },
  );
  const tick = () => new Promise<void>((r) => setImmediate(r));
  const endTurn = async () => {
    for (const fn of turns.splice(0)) fn();
    await tick();
  };
  const finishWrite = async () => {
    writes.shift()!();
    await tick();
  };
  const linesSent = () => sent.flatMap((m) => (m.type === 'lines' ? m.lines : []));
  return { batcher, sent, writes, endTurn, finishWrite, linesSent };
}

describe('LineBatcher', () => {
  it('sends the lines of one event-loop turn as one message, in order', async () => {
    const h = harness();
    await h.batcher.lines([line(1), line(2)]);
    await h.batcher.lines([line(3)]);
    assert.equal(h.sent.length, 0);
    await h.endTurn();
    assert.deepEqual(h.sent, [{ type: 'lines', lines: [line(1), line(2), line(3)] }]);
  });

  it('collects what arrives while a message is written into the next one', async () => {
    const h = harness();
    await h.batcher.lines([line(1)]);
    await h.endTurn();
    await h.batcher.lines([line(2)]);
    await h.batcher.lines([line(3)]);
    await h.endTurn(); // nothing scheduled while writing
    assert.equal(h.sent.length, 1);
    await h.finishWrite();
    assert.equal(h.sent.length, 2);
    assert.deepEqual(h.sent[1], { type: 'lines', lines: [line(2), line(3)] });
    assert.deepEqual(
      h.linesSent(),
      [1, 2, 3].map((n) => line(n)),
    );
  });

  it('makes the reader wait once maxBatchChars wait behind a write, until that write is done', async () => {
    const h = harness(100);
    await h.batcher.lines([line(1)]);
    await h.endTurn(); // message 1 being written
    let resolved = false;
    const big = [line(2, 'x'.repeat(80)), line(3)];
    const wait = h.batcher.lines(big).then(() => (resolved = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(resolved, false, 'the reader must wait while the socket is busy');
    assert.equal(h.batcher.pendingLines, 2);
    await h.finishWrite();
    await wait;
    assert.equal(resolved, true);
    assert.equal(h.batcher.pendingLines, 0);
    assert.deepEqual(h.linesSent(), [line(1), ...big]);
  });

  it('sends a marker after every line given before it, and flush waits for the last write', async () => {
    const h = harness();
    await h.batcher.lines([line(1)]);
    const marker = h.batcher.marker('restarted', 'container restarted', 'ts');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(h.sent, [{ type: 'lines', lines: [line(1)] }]);
    await h.finishWrite();
    assert.deepEqual(h.sent[1], {
      type: 'marker',
      kind: 'restarted',
      message: 'container restarted',
      ts: 'ts',
    });
    await h.finishWrite();
    await marker;
    await h.batcher.lines([line(2)]);
    let flushed = false;
    const flush = h.batcher.flush().then(() => (flushed = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(h.sent.length, 3);
    assert.equal(flushed, false);
    await h.finishWrite();
    await flush;
    assert.equal(flushed, true);
  });

  it('after a failed write, drops what waits and rejects later calls with the error', async () => {
    const boom = new Error('cannot send');
    const batcher = new LineBatcher(() => Promise.reject(boom), { schedule: (fn) => setImmediate(fn) });
    await batcher.lines([line(1)]);
    await assert.rejects(batcher.flush(), boom);
    await assert.rejects(batcher.lines([line(2)]), boom);
    assert.equal(batcher.pendingLines, 0);
  });
});
