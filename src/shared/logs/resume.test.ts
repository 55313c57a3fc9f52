import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LogResumeTracker } from './resume.js';
import { compareTimestamps } from './timestamps.js';

interface Line {
  ts: string;
  text: string;
}

/** What the API server returns for `sinceTime=…`: every line at or after that second, in file order. */
function linesSince(log: readonly Line[], sinceTime: string | null): Line[] {
  return sinceTime === null ? [...log] : log.filter((l) => compareTimestamps(l.ts, sinceTime) >= 0);
}

/** Deterministic PRNG (mulberry32) so a failure can be reproduced from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A log where many lines share a second, some share a nanosecond, and some are identical. */
function makeLog(random: () => number, count: number): Line[] {
  const log: Line[] = [];
  let second = 0;
  let nanos = 0;
  for (let i = 0; i < count; i++) {
    const r = random();
    if (r < 0.1) {
      second += 1;
      nanos = Math.floor(random() * 1000);
    } else if (r < 0.6) {
      nanos += 1 + Math.floor(random() * 1000);
    } // else: same nanosecond as the previous line
    const fraction = String(nanos).padStart(9, '0').replace(/0+$/, '');
    const ss = String(second % 60).padStart(2, '0');
    const mm = String(Math.floor(second / 60)).padStart(2, '0');
    const ts = `2026-11-25T20:${mm}:${ss}${fraction ? '.' + fraction : ''}Z`;
    const text = random() < 0.3 ? 'same text' : `line ${i}`;
    log.push({ ts, text });
  }
  return log;
}

/** Reads the log through `cuts` connection drops, resuming each time as the server would. */
function readWithDrops(log: readonly Line[], random: () => number, cuts: number): Line[] {
  const tracker = new LogResumeTracker();
  const delivered: Line[] = [];
  let stream = linesSince(log, null);
  for (let attempt = 0; ; attempt++) {
    const last = attempt === cuts;
    const readCount = last ? stream.length : Math.floor(random() * (stream.length + 1));
    for (const line of stream.slice(0, readCount)) {
      if (tracker.accept(line)) delivered.push(line);
    }
    if (last) return delivered;
    stream = linesSince(log, tracker.beginResume());
  }
}

describe('LogResumeTracker', () => {
  test('delivers every line of an uninterrupted stream, including repeated identical lines', () => {
    const tracker = new LogResumeTracker();
    const lines = [
      { ts: '2026-11-25T20:00:00.1Z', text: 'a' },
      { ts: '2026-11-25T20:00:00.1Z', text: 'a' },
      { ts: '2026-11-25T20:00:00.1Z', text: 'b' },
      { ts: '2026-11-25T20:00:00.2Z', text: 'a' },
    ];
    assert.deepEqual(
      lines.map((l) => tracker.accept(l)),
      [true, true, true, true],
    );
  });

  test('has no sinceTime before the first line', () => {
    const tracker = new LogResumeTracker();
    assert.equal(tracker.resumeSinceTime(), null);
    assert.equal(tracker.beginResume(), null);
  });

  test('asks to resume from the second the last line was in', () => {
    const tracker = new LogResumeTracker();
    tracker.accept({ ts: '2026-11-25T20:01:02.987654321Z', text: 'x' });
    assert.equal(tracker.resumeSinceTime(), '2026-11-25T20:01:02Z');
    assert.equal(tracker.lastTimestamp, '2026-11-25T20:01:02.987654321Z');
  });

  test('skips re-sent earlier lines and exactly the copies already delivered at the last timestamp', () => {
    const log = [
      { ts: '2026-11-25T20:00:00.1Z', text: 'before' },
      { ts: '2026-11-25T20:00:00.5Z', text: 'dup' },
      { ts: '2026-11-25T20:00:00.5Z', text: 'dup' },
      { ts: '2026-11-25T20:00:00.5Z', text: 'dup' },
      { ts: '2026-11-25T20:00:00.6Z', text: 'after' },
    ];
    const tracker = new LogResumeTracker();
    // The first connection delivered three lines, then broke between the 2nd and 3rd 'dup'.
    for (const line of log.slice(0, 3)) assert.equal(tracker.accept(line), true);
    assert.equal(tracker.beginResume(), '2026-11-25T20:00:00Z');
    const resumed = log.filter((l) => tracker.accept(l));
    assert.deepEqual(resumed, [log[3], log[4]]);
  });

  test('survives being resumed twice with nothing delivered in between', () => {
    const log = [
      { ts: '2026-11-25T20:00:00.5Z', text: 'a' },
      { ts: '2026-11-25T20:00:00.5Z', text: 'b' },
    ];
    const tracker = new LogResumeTracker();
    assert.equal(tracker.accept(log[0]!), true);
    tracker.beginResume();
    assert.equal(tracker.accept(log[0]!), false); // the second connection broke right after the replay
    tracker.beginResume();
    assert.deepEqual(
      log.map((l) => tracker.accept(l)),
      [false, true],
    );
  });

  test('a stream split at arbitrary points and replayed from sinceTime yields exactly the original lines', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = rng(seed);
      const log = makeLog(random, 5 + Math.floor(random() * 200));
      const delivered = readWithDrops(log, random, 1 + Math.floor(random() * 6));
      assert.deepEqual(delivered, log, `seed ${seed}`);
    }
  });

  test('the generated logs really contain identical lines at identical timestamps', () => {
    // Guards the property test above against a generator that stopped producing the hard case.
    const log = makeLog(rng(7), 200);
    const keys = log.map((l) => `${l.ts} ${l.text}`);
    assert.ok(new Set(keys).size < keys.length);
  });

  test('a line the file holds out of timestamp order is delivered, not dropped', () => {
    // The runtime stamps stdout and stderr apart: a line can be written after a later-stamped one.
    const lines = [
      { ts: '2026-11-25T20:00:00.5Z', text: 'stdout 1' },
      { ts: '2026-11-25T20:00:00.4Z', text: 'stderr 1' },
      { ts: '2026-11-25T20:00:00.6Z', text: 'stdout 2' },
    ];
    const tracker = new LogResumeTracker();
    assert.deepEqual(
      lines.map((l) => tracker.accept(l)),
      [true, true, true],
    );
    const raw = new LogResumeTracker();
    assert.deepEqual(
      lines.map((l) => raw.acceptRaw(`${l.ts} ${l.text}`)),
      lines,
    );
  });

  test('a late line delivered before a drop is not delivered again by the resume', () => {
    const log = [
      { ts: '2026-11-25T20:00:00.5Z', text: 'a' },
      { ts: '2026-11-25T20:00:00.4Z', text: 'late' },
      { ts: '2026-11-25T20:00:00.6Z', text: 'b' },
    ];
    const tracker = new LogResumeTracker();
    assert.equal(tracker.accept(log[0]!), true);
    assert.equal(tracker.accept(log[1]!), true);
    tracker.beginResume();
    assert.deepEqual(
      log.map((l) => tracker.accept(l)),
      [false, false, true],
    );
  });

  test('with lines out of timestamp order, a stream split and replayed still yields exactly the original', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = rng(seed);
      const log = makeLog(random, 5 + Math.floor(random() * 200));
      // Some lines stamped a little earlier than the line before them (within its second), as a
      // stdout/stderr race leaves them; only after a line that is itself in order.
      let inOrder = true;
      for (let i = 1; i < log.length; i++) {
        const prev = log[i - 1]!;
        if (inOrder && random() < 0.15) {
          const second = prev.ts.slice(0, 19);
          const fraction = /\.(\d+)Z$/.exec(prev.ts)?.[1] ?? '';
          const nanos = Number(fraction.padEnd(9, '0'));
          if (nanos > 0) {
            const earlier = Math.floor(random() * nanos);
            const f = String(earlier).padStart(9, '0').replace(/0+$/, '');
            log[i] = { ts: `${second}${f ? '.' + f : ''}Z`, text: `late ${i}` };
            inOrder = false;
            continue;
          }
        }
        inOrder = compareTimestamps(log[i]!.ts, prev.ts) >= 0;
      }
      assert.ok(seed > 20 || log.some((l) => l.text.startsWith('late')) || log.length < 10);
      const delivered = readWithDrops(log, random, 1 + Math.floor(random() * 6));
      assert.deepEqual(delivered, log, `seed ${seed}`);
    }
  });
});
