import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeUtf8, encodeUtf8 } from './utf8.js';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('decodeUtf8', () => {
  test('decodes ASCII, 2-, 3- and 4-byte characters', () => {
    assert.equal(decodeUtf8(bytes(0x68, 0x69)), 'hi');
    assert.equal(decodeUtf8(bytes(0xc3, 0xa9)), 'é');
    assert.equal(decodeUtf8(bytes(0xe2, 0x82, 0xac)), '€');
    assert.equal(decodeUtf8(bytes(0xf0, 0x9f, 0x98, 0x80)), '😀');
  });

  const invalid: [string, number[]][] = [
    ['a lone continuation byte', [0x80]],
    ['a truncated 3-byte sequence', [0xe2, 0x82]],
    ['an overlong encoding of "/"', [0xc0, 0xaf]],
    ['an overlong 3-byte encoding', [0xe0, 0x80, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a code point beyond U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['an invalid lead byte', [0xff, 0x41]],
    ['a 4-byte sequence interrupted by ASCII', [0xf0, 0x9f, 0x41]],
  ];
  for (const [name, input] of invalid) {
    test(`replaces ${name} exactly as the WHATWG decoder does`, () => {
      const expected = new TextDecoder().decode(bytes(...input));
      assert.equal(decodeUtf8(bytes(...input)), expected);
      assert.ok(expected.includes('\ufffd'));
    });
  }

  test('matches TextDecoder on random byte strings', () => {
    let seed = 12345;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
    for (let n = 0; n < 2000; n++) {
      const input = Uint8Array.from({ length: next() % 24 }, () => {
        const r = next();
        // Bias towards bytes that form and break multi-byte sequences.
        return r < 64 ? r : r < 128 ? 0x80 + (r % 64) : 0xc0 + (r % 64);
      });
      assert.equal(decodeUtf8(input), new TextDecoder().decode(input), `input ${Array.from(input)}`);
    }
  });

  test('decodes long input (beyond one internal flush) without loss', () => {
    const text = 'ab€😀'.repeat(10000);
    assert.equal(decodeUtf8(encodeUtf8(text)), text);
  });
});

describe('encodeUtf8', () => {
  test('matches TextEncoder', () => {
    const text = 'plain é € 😀 \u0000 end';
    assert.deepEqual(encodeUtf8(text), new TextEncoder().encode(text));
  });
});
