import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compareTimestamps, parseTimestamp, splitTimestampedLine, toSinceTime } from './timestamps.js';

describe('splitTimestampedLine', () => {
  test('splits a full-nanosecond kubelet prefix from the text', () => {
    assert.deepEqual(splitTimestampedLine('2026-11-25T20:01:02.123456789Z hello world'), {
      ts: '2026-11-25T20:01:02.123456789Z',
      text: 'hello world',
    });
  });

  test('accepts fractions with trailing zeros trimmed, and none at all', () => {
    assert.equal(splitTimestampedLine('2026-11-25T20:01:02.1234Z x')?.ts, '2026-11-25T20:01:02.1234Z');
    assert.equal(splitTimestampedLine('2026-11-25T20:01:02Z x')?.ts, '2026-11-25T20:01:02Z');
  });

  test('accepts a zone offset', () => {
    assert.deepEqual(splitTimestampedLine('2026-11-25T21:01:02.5+01:00 msg'), {
      ts: '2026-11-25T21:01:02.5+01:00',
      text: 'msg',
    });
  });

  test('keeps the text byte-for-byte after the single separating space', () => {
    assert.equal(splitTimestampedLine('2026-11-25T20:01:02Z   indented ')?.text, '  indented ');
    assert.equal(
      splitTimestampedLine('2026-11-25T20:01:02Z a 2026-11-25T20:01:02Z b')?.text,
      'a 2026-11-25T20:01:02Z b',
    );
  });

  test('an empty log line is the timestamp followed by one space (or nothing)', () => {
    assert.deepEqual(splitTimestampedLine('2026-11-25T20:01:02.1Z '), {
      ts: '2026-11-25T20:01:02.1Z',
      text: '',
    });
    assert.deepEqual(splitTimestampedLine('2026-11-25T20:01:02.1Z'), {
      ts: '2026-11-25T20:01:02.1Z',
      text: '',
    });
  });

  const notTimestamped = [
    'hello',
    '',
    ' 2026-11-25T20:01:02Z leading space',
    '2026-11-25 20:01:02Z space instead of T',
    '2026-11-25T20:01:02 no zone',
    '2026-11-25T20:01:02.Z empty fraction',
    '2026-11-25T20:01:02.1234567891Z ten fraction digits',
    '2026-13-25T20:01:02Z month 13',
    '2026-02-29T20:01:02Z not a leap year',
    '2026-11-25T24:00:00Z hour 24',
    '2026-11-25T20:60:00Z minute 60',
    '2026-11-25T20:01:60Z leap second',
    '2026-11-25T20:01:02+0100 offset without colon',
    '2026-11-25t20:01:02z lower case',
    '\u001b[31m2026-11-25T20:01:02Z colored',
  ];
  for (const line of notTimestamped) {
    test(`returns null for ${JSON.stringify(line)}`, () => {
      assert.equal(splitTimestampedLine(line), null);
    });
  }

  test('accepts 29 February in a leap year', () => {
    assert.notEqual(splitTimestampedLine('2028-02-29T00:00:00Z leap'), null);
  });
});

describe('compareTimestamps', () => {
  test('orders timestamps that differ only below a millisecond', () => {
    assert.equal(compareTimestamps('2026-11-25T20:01:02.123456789Z', '2026-11-25T20:01:02.123456788Z'), 1);
    assert.equal(compareTimestamps('2026-11-25T20:01:02.000000001Z', '2026-11-25T20:01:02.000000002Z'), -1);
  });

  test('treats differently trimmed fractions of the same instant as equal', () => {
    assert.equal(compareTimestamps('2026-11-25T20:01:02.1Z', '2026-11-25T20:01:02.100000000Z'), 0);
    assert.equal(compareTimestamps('2026-11-25T20:01:02Z', '2026-11-25T20:01:02.000Z'), 0);
  });

  test('compares by value, not by string length', () => {
    // As strings '…02.9Z' > '…02.10Z'; as times .9 > .1 too, but .10 vs .09 inverts a naive comparison.
    assert.equal(compareTimestamps('2026-11-25T20:01:02.09Z', '2026-11-25T20:01:02.1Z'), -1);
    assert.equal(compareTimestamps('2026-11-25T20:01:02Z', '2026-11-25T20:01:02.000000001Z'), -1);
  });

  test('normalises zone offsets to UTC', () => {
    assert.equal(compareTimestamps('2026-11-25T21:01:02.5+01:00', '2026-11-25T20:01:02.5Z'), 0);
    assert.equal(compareTimestamps('2026-11-25T15:31:02-04:30', '2026-11-25T20:01:02Z'), 0);
    assert.equal(compareTimestamps('2026-11-26T00:30:00+01:00', '2026-11-25T23:29:59.999999999Z'), 1);
  });

  test('crosses day, month and year boundaries correctly', () => {
    assert.equal(compareTimestamps('2026-12-31T23:59:59.999999999Z', '2027-01-01T00:00:00Z'), -1);
  });

  test('sorts unparsable timestamps first instead of throwing', () => {
    const sorted = ['2026-01-01T00:00:01Z', 'garbage', '2026-01-01T00:00:00Z'].sort(compareTimestamps);
    assert.deepEqual(sorted, ['garbage', '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z']);
  });
});

describe('parseTimestamp', () => {
  test('returns epoch seconds and nanoseconds', () => {
    assert.deepEqual(parseTimestamp('1970-01-01T00:00:01.000000042Z'), { seconds: 1, nanos: 42 });
    assert.deepEqual(parseTimestamp('1970-01-01T01:00:00+01:00'), { seconds: 0, nanos: 0 });
  });
});

describe('toSinceTime', () => {
  test('floors to whole seconds in UTC', () => {
    assert.equal(toSinceTime('2026-11-25T20:01:02.999999999Z'), '2026-11-25T20:01:02Z');
    assert.equal(toSinceTime('2026-11-25T20:01:02Z'), '2026-11-25T20:01:02Z');
  });

  test('converts offsets to UTC', () => {
    assert.equal(toSinceTime('2026-11-26T00:30:00.5+01:00'), '2026-11-25T23:30:00Z');
  });

  test('never rounds up into the next second', () => {
    assert.equal(toSinceTime('2026-12-31T23:59:59.9999999Z'), '2026-12-31T23:59:59Z');
  });

  test('throws on input that is not a timestamp (a programming error, not user input)', () => {
    assert.throws(() => toSinceTime('yesterday'), RangeError);
  });

  test('throws rather than write a year outside 0000–9999 once converted to UTC', () => {
    assert.throws(() => toSinceTime('0000-01-01T00:30:00+01:00'), /outside the years 0000–9999/);
    assert.throws(() => toSinceTime('9999-12-31T23:30:00-01:00'), RangeError);
    assert.equal(toSinceTime('0001-01-01T00:00:00Z'), '0001-01-01T00:00:00Z');
  });
});

describe('compareTimestamps fast path for UTC timestamps', () => {
  // Reference: the full parser's order (seconds, then nanoseconds).
  const reference = (a: string, b: string) => {
    const pa = parseTimestamp(a)!;
    const pb = parseTimestamp(b)!;
    if (pa.seconds !== pb.seconds) return pa.seconds < pb.seconds ? -1 : 1;
    return pa.nanos === pb.nanos ? 0 : pa.nanos < pb.nanos ? -1 : 1;
  };
  const pick = (xs: string[], i: number) => xs[i % xs.length]!;
  test('agrees with the full parser on many UTC and offset timestamps', () => {
    const bases = [
      '2026-11-25T20:01:02',
      '2026-11-25T20:01:03',
      '2026-12-31T23:59:59',
      '2027-01-01T00:00:00',
    ];
    const fractions = ['', '.1', '.10', '.123456789', '.12345678', '.000000001', '.9', '.5'];
    const zones = ['Z', 'Z', 'Z', '+00:00', '+01:00', '-05:30'];
    const all: string[] = [];
    for (let i = 0; i < 400; i++)
      all.push(`${pick(bases, i)}${pick(fractions, i * 7)}${pick(zones, i * 13)}`);
    for (let i = 0; i < all.length; i++) {
      for (let j = 0; j < all.length; j += 7) {
        assert.equal(
          compareTimestamps(all[i]!, all[j]!),
          reference(all[i]!, all[j]!),
          `${all[i]} vs ${all[j]}`,
        );
      }
    }
  });
  test('orders the years 0000–0099 as years, not as 1900–1999 (found by a property test)', () => {
    assert.equal(compareTimestamps('0050-01-01T00:00:00Z', '1949-01-01T00:00:00Z'), -1);
    assert.equal(compareTimestamps('0050-01-01T00:00:00+00:00', '1949-01-01T00:00:00Z'), -1);
    assert.deepEqual(parseTimestamp('0000-01-01T00:00:00Z'), { seconds: -62167219200, nanos: 0 });
    assert.deepEqual(parseTimestamp('0000-02-29T00:00:00Z')?.seconds, -62162121600); // year 0 is a leap year
    assert.equal(parseTimestamp('1900-02-29T00:00:00Z'), null); // 1900 is not
  });
  test('an invalid date in UTC form still sorts before valid ones', () => {
    assert.equal(compareTimestamps('2026-13-01T00:00:00Z', '2026-01-01T00:00:00Z'), -1);
  });
});
