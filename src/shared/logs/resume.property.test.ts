import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LogResumeTracker } from './resume.js';
import { splitTimestampedLine } from './timestamps.js';

/**
 * Lines as kubelet sends them with timestamps=true, with what a fast path could get wrong: the same
 * second with fraction lengths that differ (trailing zeros are trimmed), equal and earlier timestamps,
 * invalid dates that look right (month 13, 24:00), non-digits in the fraction, other zones, no
 * timestamp at all, and texts that repeat.
 */
const second = fc.constantFrom(
  '2026-12-01T04:08:33',
  '2026-12-01T04:08:34',
  '2026-12-01T04:08:59',
  '2026-13-01T04:08:33',
  '2026-02-30T04:08:33',
  '2026-12-01T24:08:33',
  '0050-01-01T00:00:00',
);
const fraction = fc.oneof(
  fc.constant(''),
  fc.stringMatching(/^\.\d{1,9}$/),
  fc.constantFrom('.5', '.50', '.123456789', '.12345678x', '.', '.1234567890'),
  // Close together: lines a few nanoseconds apart, before and after each other.
  fc.integer({ min: 0, max: 30 }).map((n) => `.1234567${String(n).padStart(2, '0')}`),
);
const zone = fc.constantFrom('Z', 'Z', 'Z', 'Z', '+00:00', '-01:30', 'z');
const text = fc.oneof(fc.constantFrom('same', 'same', 'x', ''), fc.string({ maxLength: 6 }));
const rawLine = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(second, fraction, zone, text).map(([s, f, z, t]) => `${s}${f}${z} ${t}`) },
  { weight: 1, arbitrary: text },
  { weight: 1, arbitrary: fc.tuple(second, fraction).map(([s, f]) => `${s}${f}Z`) },
);
/** A script: lines, and now and then a resume (what the tracker sees when a follow reconnects). */
const script = fc.array(
  fc.oneof({ weight: 12, arbitrary: rawLine }, { weight: 1, arbitrary: fc.constant(null) }),
  {
    maxLength: 60,
  },
);

/** A call's result, or that it threw (a resume after a line with no timestamp at all does). */
function outcome<T>(call: () => T): { value: T } | { threw: true } {
  try {
    return { value: call() };
  } catch {
    return { threw: true };
  }
}

describe('LogResumeTracker.acceptRaw', () => {
  it('answers as splitTimestampedLine + accept do, line for line, resumes included', () => {
    fc.assert(
      fc.property(script, (steps) => {
        const fast = new LogResumeTracker();
        const slow = new LogResumeTracker();
        for (const step of steps) {
          if (step === null) {
            assert.deepEqual(
              outcome(() => fast.beginResume()),
              outcome(() => slow.beginResume()),
            );
            continue;
          }
          const line = splitTimestampedLine(step) ?? { ts: slow.lastTimestamp ?? '', text: step };
          const expected = slow.accept(line) ? line : null;
          assert.deepEqual(fast.acceptRaw(step), expected, JSON.stringify(step));
          assert.equal(fast.lastTimestamp, slow.lastTimestamp);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
