import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { LogLine, LogStreamMessage } from '../api.js';
import { decodeLogStreamMessage, encodeCompactLines, encodeLogStreamMessage } from './wire.js';

/** Through the wire as a browser receives it: UTF-8 bytes, decoded again. */
const roundTrip = (m: LogStreamMessage) =>
  decodeLogStreamMessage(Buffer.from(encodeLogStreamMessage(m), 'utf8').toString('utf8'));

describe('log stream wire format', () => {
  test('a single container’s lines go in a compact frame', () => {
    const lines: LogLine[] = [
      { ts: '2026-12-01T06:50:42.126061994Z', text: 'firehose line 1' },
      { ts: '2026-12-01T06:50:42.126235945Z', text: '' },
    ];
    const frame = encodeLogStreamMessage({ type: 'lines', lines });
    assert.equal(
      frame,
      'L2026-12-01T06:50:42.126061994Z 15 firehose line 1\n2026-12-01T06:50:42.126235945Z 0 \n',
    );
    assert.deepEqual(decodeLogStreamMessage(frame), { type: 'lines', lines });
  });

  test('texts with spaces, newlines, digits and non-ASCII characters come back exactly', () => {
    const lines: LogLine[] = [
      { ts: 't', text: '12 34 \n\n 5' },
      { ts: '', text: 'naïve — 日本語 🙂 \r' },
      { ts: '2026-12-01T00:00:00Z', text: ' leading and trailing ' },
    ];
    assert.deepEqual(roundTrip({ type: 'lines', lines }), { type: 'lines', lines });
  });

  test('lines that name their source, and every other message, go as JSON', () => {
    const merged: LogStreamMessage = {
      type: 'lines',
      lines: [{ ts: 't', text: 'x', source: { pod: 'web-1', container: 'app' } }],
    };
    assert.equal(encodeLogStreamMessage(merged), JSON.stringify(merged));
    const marker: LogStreamMessage = {
      type: 'marker',
      kind: 'restarted',
      message: 'container restarted',
      ts: 't',
    };
    assert.equal(encodeLogStreamMessage(marker), JSON.stringify(marker));
    assert.deepEqual(roundTrip(marker), marker);
    assert.equal(encodeCompactLines([{ ts: 'a b', text: 'x' }]), null, 'a space in ts cannot be framed');
  });

  test('an empty batch is a frame of no lines', () => {
    assert.deepEqual(roundTrip({ type: 'lines', lines: [] }), { type: 'lines', lines: [] });
  });

  test('a malformed compact frame is refused whole', () => {
    for (const bad of [
      'Lts',
      'Lts 3 ab',
      'Lts 3 abcd\n',
      'Lts 2 ab\nmore',
      'Lts x ab\n',
      'Lts -1 \n',
      'Lts  ab\n',
      'Lts 1234567890 x\n',
      'Lts 2 ab',
    ]) {
      assert.throws(() => decodeLogStreamMessage(bad), /Malformed log lines frame|JSON/, JSON.stringify(bad));
    }
    assert.throws(() => decodeLogStreamMessage('not json'));
  });

  it('round-trips any lines', () => {
    const line = fc.record({
      ts: fc.oneof(
        fc.constant(''),
        fc.string().filter((s) => !s.includes(' ')),
      ),
      text: fc.oneof(
        fc.string(),
        fc.string({ unit: 'binary' }),
        fc.string({ unit: fc.constantFrom(' ', '\n', '1', 'L', '{') }),
      ),
    });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (generated) => {
        const lines = generated.map((l) => ({ ts: l.ts, text: l.text }));
        const frame = encodeLogStreamMessage({ type: 'lines', lines });
        assert.equal(frame[0], 'L');
        assert.deepEqual(decodeLogStreamMessage(frame), { type: 'lines', lines });
      }),
    );
  });
});
