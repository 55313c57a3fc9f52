import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LogLine, LogStreamMessage } from '../../shared/api.js';
import { lineBytes, MergeQueue } from './merge-queue.js';

const line = (ts: string, text: string, pod = 'p'): LogLine => ({
  ts: `2025-01-01T00:00:${ts}Z`,
  text,
  source: { pod, container: 'app' },
});

/** A browser socket whose sends complete only when the test says so. */
class HeldSocket {
  readonly sent: LogStreamMessage[] = [];
  private releases: (() => void)[] = [];
  hold = false;

  send = (message: LogStreamMessage): Promise<void> => {
    this.sent.push(message);
    if (!this.hold) return Promise.resolve();
    return new Promise((resolve) => this.releases.push(resolve));
  };

  releaseAll(): void {
    for (const r of this.releases.splice(0)) r();
  }

  get waiting(): number {
    return this.releases.length;
  }
}

const tick = () => new Promise((r) => setImmediate(r));
const texts = (messages: LogStreamMessage[]) =>
  messages.flatMap((m) => (m.type === 'lines' ? m.lines.map((l) => l.text) : [`<${m.type}>`]));

describe('merge queue', () => {
  test('interleaves the lines of a window by timestamp; a marker goes after the lines queued before it', async () => {
    const sock = new HeldSocket();
    const q = new MergeQueue(sock.send, { flushMs: 10_000 });
    const loop = q.run();
    await q.lines([line('03', 'a3', 'a'), line('05', 'a5', 'a')]);
    await q.lines([line('01', 'b1', 'b'), line('04', 'b4', 'b')]);
    await q.message({ type: 'marker', kind: 'source-ended', message: 'b ended', ts: line('06', '').ts });
    await q.lines([line('02', 'late but after the marker', 'a')]);
    await q.flush();
    assert.deepEqual(texts(sock.sent), ['b1', 'a3', 'b4', 'a5', '<marker>', 'late but after the marker']);
    q.close();
    await loop;
  });

  test('splits a window into messages of at most maxMessageBytes (a longer line goes alone)', async () => {
    const sock = new HeldSocket();
    const q = new MergeQueue(sock.send, { flushMs: 10_000, maxMessageBytes: 1000 });
    const loop = q.run();
    const small = Array.from({ length: 30 }, (_, i) => line(String(10 + i), `line ${i} ${'x'.repeat(80)}`));
    await q.lines([...small, line('50', 'y'.repeat(5000))]);
    await q.flush();
    for (const m of sock.sent) {
      assert.equal(m.type, 'lines');
      if (m.type !== 'lines') continue;
      const bytes = m.lines.reduce((n, l) => n + lineBytes(l), 0);
      assert.ok(m.lines.length === 1 || bytes <= 1000, `message of ${bytes} bytes`);
    }
    assert.ok(sock.sent.length >= 4, `${sock.sent.length} messages`);
    assert.equal(texts(sock.sent).length, 31);
    q.close();
    await loop;
  });

  test('back-pressure: at the byte bound an adder waits until the browser has taken a message', async () => {
    const sock = new HeldSocket();
    sock.hold = true;
    const bound = 10_000;
    const q = new MergeQueue(sock.send, { flushMs: 5, maxPendingBytes: bound, maxMessageBytes: 4000 });
    const loop = q.run();
    const chunk = Array.from({ length: 20 }, (_, i) => line('01', `${i} ${'z'.repeat(200)}`));
    const chunkBytes = chunk.reduce((n, l) => n + lineBytes(l), 0);
    let added = 0;
    let blocked: Promise<void> | null = null;
    // Add until a call does not resolve at once: the queue is full.
    for (let i = 0; i < 100 && blocked === null; i++) {
      let done = false;
      const p = q.lines(chunk).then(() => {
        done = true;
      });
      await tick();
      added++;
      if (!done) blocked = p;
    }
    assert.ok(blocked, 'an adder had to wait');
    assert.ok(q.heldBytes >= bound && q.heldBytes < bound + chunkBytes, `held ${q.heldBytes}`);
    // Nothing is read from upstream while the browser does not take messages.
    await new Promise((r) => setTimeout(r, 50));
    let resumed = false;
    void blocked.then(() => (resumed = true));
    await tick();
    assert.equal(resumed, false, 'still waiting while the socket holds the message');
    assert.equal(sock.waiting, 1, 'one message in the socket at a time');
    sock.hold = false;
    sock.releaseAll();
    await blocked;
    await q.flush();
    assert.equal(texts(sock.sent).length, added * chunk.length);
    assert.equal(q.heldBytes, 0);
    q.close();
    await loop;
  });

  test('a failed send: run() rejects with it, flush() rejects, adders are released, nothing is left unobserved', async () => {
    let calls = 0;
    const q = new MergeQueue(
      () => {
        calls++;
        return Promise.reject(new Error('socket write failed'));
      },
      { flushMs: 5, maxPendingBytes: 100 },
    );
    const loop = q.run();
    const adder = q.lines([line('01', 'x'.repeat(500))]);
    await assert.rejects(q.flush(), /socket write failed/);
    await assert.rejects(loop, /socket write failed/);
    await adder;
    await q.lines([line('02', 'after the failure')]);
    await assert.rejects(q.flush(), /socket write failed/);
    assert.equal(calls, 1, 'nothing is sent after a failure');
    assert.equal(q.heldBytes, 0, 'queued lines are dropped');
  });

  test('a send that throws synchronously is a failure too', async () => {
    const q = new MergeQueue(
      () => {
        throw new Error('cannot serialise');
      },
      { flushMs: 5 },
    );
    const loop = q.run();
    await q.lines([line('01', 'x')]);
    await assert.rejects(loop, /cannot serialise/);
  });

  test('close() ends the loop, releases waiting adders and flushers, and can be called twice', async () => {
    const sock = new HeldSocket();
    sock.hold = true;
    const q = new MergeQueue(sock.send, { flushMs: 5, maxPendingBytes: 100 });
    const loop = q.run();
    const adder = q.lines([line('01', 'x'.repeat(500))]);
    const flushed = q.flush();
    await new Promise((r) => setTimeout(r, 20));
    q.close();
    q.close();
    await adder;
    await flushed;
    sock.releaseAll();
    await loop;
    assert.equal(q.heldBytes, 0);
  });
});
