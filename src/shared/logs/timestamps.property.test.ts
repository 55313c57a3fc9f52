import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  compareTimestamps,
  parseTimestamp,
  splitTimestampedLine,
  toSinceTime,
  type PreciseTime,
} from './timestamps.js';

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

interface Stamp {
  text: string;
  /** Computed here without Date.UTC, as a check on the parser. */
  time: PreciseTime;
}

/** Any valid RFC 3339 timestamp of the shapes kubelet and the API write, with its exact instant. */
function stamp(opts: { minYear?: number; maxYear?: number; utcOnly?: boolean } = {}): fc.Arbitrary<Stamp> {
  return fc
    .record({
      year: fc.integer({ min: opts.minYear ?? 0, max: opts.maxYear ?? 9999 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 31 }),
      hour: fc.integer({ min: 0, max: 23 }),
      minute: fc.integer({ min: 0, max: 59 }),
      second: fc.integer({ min: 0, max: 59 }),
      fraction: fc.stringMatching(/^\d{0,9}$/),
      zone: opts.utcOnly
        ? fc.constant({ text: 'Z', seconds: 0 })
        : fc.oneof(
            fc.constant({ text: 'Z', seconds: 0 }),
            fc
              .tuple(fc.constantFrom(1, -1), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
              .map(([sign, h, m]) => ({
                text: `${sign > 0 ? '+' : '-'}${pad(h)}:${pad(m)}`,
                seconds: sign * (h * 3600 + m * 60),
              })),
          ),
    })
    .map((f) => {
      const days = f.month === 2 && isLeap(f.year) ? 29 : (DAYS[f.month - 1] as number);
      const day = Math.min(f.day, days);
      const text =
        `${pad(f.year, 4)}-${pad(f.month)}-${pad(day)}T${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}` +
        `${f.fraction === '' ? '' : `.${f.fraction}`}${f.zone.text}`;
      const date = new Date(0);
      date.setUTCFullYear(f.year, f.month - 1, day); // unlike Date.UTC, never maps years 0–99 to 19xx
      date.setUTCHours(f.hour, f.minute, f.second, 0);
      return {
        text,
        time: { seconds: date.getTime() / 1000 - f.zone.seconds, nanos: Number(f.fraction.padEnd(9, '0')) },
      };
    });
}

const order = (a: PreciseTime, b: PreciseTime) =>
  Math.sign(a.seconds - b.seconds) || Math.sign(a.nanos - b.nanos);

/** Strings near the timestamp grammar: valid ones, damaged ones, and anything at all. */
const timestampish = fc.oneof(
  stamp().map((s) => s.text),
  fc
    .tuple(
      stamp().map((s) => s.text),
      fc.nat(),
      fc.string({ unit: 'binary-ascii', maxLength: 2 }),
    )
    .map(
      ([text, at, insert]) => text.slice(0, at % text.length) + insert + text.slice((at % text.length) + 1),
    ),
  fc.string({ maxLength: 40 }),
);

describe('timestamp properties', () => {
  it('parses every valid timestamp to its exact instant, to the nanosecond', () => {
    fc.assert(
      fc.property(stamp(), (s) => {
        assert.deepEqual(parseTimestamp(s.text), s.time, s.text);
      }),
    );
  });

  it('never throws on any string, and a parsed time has nanoseconds in range', () => {
    fc.assert(
      fc.property(timestampish, (text) => {
        const time = parseTimestamp(text);
        if (time === null) return;
        assert.ok(Number.isInteger(time.seconds));
        assert.ok(Number.isInteger(time.nanos) && time.nanos >= 0 && time.nanos < 1e9);
      }),
    );
  });

  it('orders two valid timestamps by their instants, whatever their zones and fraction lengths', () => {
    fc.assert(
      fc.property(stamp(), stamp(), (a, b) => {
        assert.equal(compareTimestamps(a.text, b.text), order(a.time, b.time), `${a.text} vs ${b.text}`);
      }),
    );
  });

  it('compares UTC timestamps (the fast path) as it compares the same instants written +00:00', () => {
    fc.assert(
      fc.property(stamp({ utcOnly: true }), stamp({ utcOnly: true }), (a, b) => {
        const offset = (t: string) => t.replace(/Z$/, '+00:00');
        assert.equal(
          compareTimestamps(a.text, b.text),
          compareTimestamps(offset(a.text), offset(b.text)),
          `${a.text} vs ${b.text}`,
        );
      }),
    );
  });

  it('is a consistent order on any strings: reflexive, antisymmetric and transitive', () => {
    fc.assert(
      fc.property(timestampish, timestampish, timestampish, (a, b, c) => {
        assert.equal(compareTimestamps(a, a), 0);
        // Opposite signs (their sum is 0; comparing with -Math.sign would trip over -0 when a = b).
        assert.equal(Math.sign(compareTimestamps(a, b)) + Math.sign(compareTimestamps(b, a)), 0);
        const sorted = [a, b, c].sort(compareTimestamps);
        assert.ok(compareTimestamps(sorted[0] as string, sorted[2] as string) <= 0);
        assert.ok(compareTimestamps(sorted[0] as string, sorted[1] as string) <= 0);
        assert.ok(compareTimestamps(sorted[1] as string, sorted[2] as string) <= 0);
      }),
    );
  });

  it('splits a timestamped line back into exactly its timestamp and text', () => {
    fc.assert(
      fc.property(stamp(), fc.string({ unit: 'binary', maxLength: 30 }), (s, text) => {
        assert.deepEqual(splitTimestampedLine(`${s.text} ${text}`), { ts: s.text, text });
      }),
    );
  });

  it('never throws splitting any line, and only splits off a valid timestamp', () => {
    fc.assert(
      fc.property(timestampish, fc.string({ maxLength: 10 }), (head, tail) => {
        const split = splitTimestampedLine(head + tail);
        if (split !== null) assert.notEqual(parseTimestamp(split.ts), null);
      }),
    );
  });

  it('resumes from the start of the second holding the timestamp (sinceTime is whole seconds)', () => {
    const YEAR_0 = -62167219200;
    const YEAR_10000 = 253402300800;
    fc.assert(
      fc.property(stamp(), (s) => {
        if (s.time.seconds < YEAR_0 || s.time.seconds >= YEAR_10000) {
          // A zone offset moved the instant out of the four-digit years: no RFC 3339 text exists for it.
          assert.throws(() => toSinceTime(s.text), RangeError);
          return;
        }
        const since = toSinceTime(s.text);
        assert.match(since, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
        assert.deepEqual(parseTimestamp(since), { seconds: s.time.seconds, nanos: 0 });
      }),
    );
  });
});
