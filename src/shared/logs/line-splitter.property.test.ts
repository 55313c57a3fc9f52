import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cutAt, cutPoints, utf8ishBytes } from '../../../test/support/arbitraries.js';
import { decodeUtf8, encodeUtf8 } from '../text/utf8.js';
import { LineSplitter, truncationNotice } from './line-splitter.js';

function lines(chunks: Uint8Array[], maxLineBytes?: number): string[] {
  const splitter = new LineSplitter(maxLineBytes === undefined ? {} : { maxLineBytes });
  return [...chunks.flatMap((chunk) => splitter.push(chunk)), ...splitter.flush()];
}

/** Log output: text lines with CR, CRLF and empty lines, or raw bytes with newlines mixed in. */
const logBytes = fc.oneof(
  fc
    .array(fc.tuple(fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('\n', '\r\n', '\r', '')), {
      maxLength: 8,
    })
    .map((parts) => encodeUtf8(parts.map(([text, end]) => text + end).join(''))),
  utf8ishBytes(),
);
const limit = fc.oneof(fc.constant(undefined), fc.integer({ min: 4, max: 24 }));

describe('LineSplitter properties', () => {
  it('gives the same lines however the same bytes are cut into chunks', () => {
    fc.assert(
      fc.property(logBytes, cutPoints, limit, (bytes, cuts, max) => {
        assert.deepEqual(lines(cutAt(bytes, cuts), max), lines([bytes], max));
      }),
    );
  });

  it('without a cut, gives each newline-terminated piece decoded, minus one trailing CR', () => {
    fc.assert(
      fc.property(logBytes, cutPoints, (bytes, cuts) => {
        const text = decodeUtf8(bytes);
        const expected = text.split('\n');
        if (expected[expected.length - 1] === '') expected.pop(); // a final newline ends the last line
        assert.deepEqual(
          lines(cutAt(bytes, cuts)),
          expected.map((line) => line.replace(/\r$/, '')),
        );
      }),
    );
  });

  it('emits one line per line of input even when cutting, a cut one starting like the whole line', () => {
    fc.assert(
      fc.property(logBytes, cutPoints, fc.integer({ min: 4, max: 24 }), (bytes, cuts, max) => {
        const pieces = decodeUtf8(bytes).split('\n');
        if (pieces[pieces.length - 1] === '') pieces.pop();
        const out = lines(cutAt(bytes, cuts), max);
        assert.equal(out.length, pieces.length);
        const notice = truncationNotice(max);
        out.forEach((line, i) => {
          assert.ok(!line.includes('\n'));
          const piece = pieces[i] as string;
          if (!line.endsWith(notice)) {
            assert.equal(line, piece.replace(/\r$/, ''));
            return;
          }
          // The cut falls where no character continues, so the kept text starts the decoded line.
          assert.ok(piece.startsWith(line.slice(0, -notice.length)));
        });
      }),
    );
  });

  it('cuts valid UTF-8 only at character boundaries, keeping a prefix of the line', () => {
    const longLine = fc
      .string({ unit: 'binary', minLength: 1, maxLength: 30 })
      .map((t) => t.replace(/\n/g, ''));
    fc.assert(
      fc.property(longLine, cutPoints, fc.integer({ min: 4, max: 24 }), (text, cuts, max) => {
        const bytes = encodeUtf8(`${text}\n`);
        const [line = ''] = lines(cutAt(bytes, cuts), max);
        const notice = truncationNotice(max);
        if (bytes.length - 1 <= max) return assert.equal(line, text.replace(/\r$/, ''));
        assert.ok(line.endsWith(notice));
        const kept = line.slice(0, -notice.length);
        assert.ok(
          text.startsWith(kept),
          `${JSON.stringify(kept)} is not a prefix of ${JSON.stringify(text)}`,
        );
        // Backing off to a boundary never gives up more than one character (at most 3 bytes).
        assert.ok(encodeUtf8(kept).length > max - 4);
      }),
    );
  });
});
