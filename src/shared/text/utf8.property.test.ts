import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { anyUtf16, cutAt, cutPoints, utf8ishBytes } from '../../../test/support/arbitraries.js';
import { Utf8StreamDecoder, decodeUtf8, encodeUtf8 } from './utf8.js';

/** The WHATWG decoder this module promises to match (terminal output keeps a leading BOM). */
const reference = (bytes: Uint8Array): string => new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);

function streamed(chunks: Uint8Array[]): string {
  const decoder = new Utf8StreamDecoder();
  return chunks.map((chunk) => decoder.write(chunk)).join('') + decoder.end();
}

describe('utf8 properties', () => {
  it('decodes any bytes exactly as TextDecoder does', () => {
    fc.assert(
      fc.property(utf8ishBytes(), (bytes) => {
        assert.equal(decodeUtf8(bytes), reference(bytes));
      }),
    );
  });

  it('decodes the same text however the bytes are cut into chunks', () => {
    fc.assert(
      fc.property(utf8ishBytes(), cutPoints, (bytes, cuts) => {
        assert.equal(streamed(cutAt(bytes, cuts)), reference(bytes));
      }),
    );
  });

  it('is not pending between chunks exactly when the bytes so far end on a whole character', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), cutPoints, (text, cuts) => {
        const bytes = encodeUtf8(text);
        const decoder = new Utf8StreamDecoder();
        let offset = 0;
        for (const chunk of cutAt(bytes, cuts)) {
          decoder.write(chunk);
          offset += chunk.length;
          // In valid UTF-8 a character ends where the next byte is not a continuation byte.
          const atBoundary = offset === bytes.length || ((bytes[offset] as number) & 0xc0) !== 0x80;
          assert.equal(decoder.pending, !atBoundary);
        }
      }),
    );
  });

  it('encodes any string exactly as TextEncoder does (lone surrogates become U+FFFD)', () => {
    fc.assert(
      fc.property(anyUtf16(), (text) => {
        assert.deepEqual(encodeUtf8(text), new TextEncoder().encode(text));
      }),
    );
  });

  it('round-trips any valid Unicode text through encode and decode', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        assert.equal(decodeUtf8(encodeUtf8(text)), text);
      }),
    );
  });

  it('never produces a lone surrogate when decoding, whatever the input', () => {
    fc.assert(
      fc.property(utf8ishBytes(), (bytes) => {
        assert.doesNotMatch(
          decodeUtf8(bytes),
          /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/,
        );
      }),
    );
  });
});
