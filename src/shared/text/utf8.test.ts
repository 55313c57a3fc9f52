import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Utf8StreamDecoder, decodeUtf8, encodeUtf8 } from './utf8.js';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('decodeUtf8 on whole input', () => {
  it('decodes ASCII, 2-, 3- and 4-byte characters', () => {
    assert.equal(decodeUtf8(bytes(0x68, 0x69)), 'hi');
    assert.equal(decodeUtf8(bytes(0xc3, 0xa9)), 'é');
    assert.equal(decodeUtf8(bytes(0xe2, 0x82, 0xac)), '€');
    assert.equal(decodeUtf8(bytes(0xf0, 0x9f, 0x98, 0x80)), '😀');
  });

  it('keeps a leading byte-order mark (terminal output is not a document)', () => {
    assert.equal(decodeUtf8(bytes(0xef, 0xbb, 0xbf, 0x41)), '\ufeffA');
  });

  it('replaces a lone continuation byte and an invalid lead byte with one U+FFFD each', () => {
    assert.equal(decodeUtf8(bytes(0x41, 0x80, 0x42)), 'A\ufffdB');
    assert.equal(decodeUtf8(bytes(0xc0, 0xc1, 0xf5, 0xff)), '\ufffd\ufffd\ufffd\ufffd');
  });

  it('replaces a truncated sequence followed by ASCII with one U+FFFD and keeps the ASCII', () => {
    assert.equal(decodeUtf8(bytes(0xe2, 0x82, 0x41)), '\ufffdA');
    assert.equal(decodeUtf8(bytes(0xf0, 0x9f, 0x98, 0x41)), '\ufffdA');
  });

  it('rejects overlong forms, surrogates and code points above U+10FFFF byte by byte', () => {
    // Overlong '/' (E0 80 AF): E0 needs A0..BF next, so each byte is its own maximal subpart.
    assert.equal(decodeUtf8(bytes(0xe0, 0x80, 0xaf)), '\ufffd\ufffd\ufffd');
    // Encoded surrogate U+D800 (ED A0 80).
    assert.equal(decodeUtf8(bytes(0xed, 0xa0, 0x80)), '\ufffd\ufffd\ufffd');
    // U+110000 (F4 90 80 80).
    assert.equal(decodeUtf8(bytes(0xf4, 0x90, 0x80, 0x80)), '\ufffd\ufffd\ufffd\ufffd');
    // Overlong 4-byte (F0 80 80 80).
    assert.equal(decodeUtf8(bytes(0xf0, 0x80, 0x80, 0x80)), '\ufffd\ufffd\ufffd\ufffd');
  });

  it('accepts the boundary code points U+007F, U+0080, U+07FF, U+0800, U+FFFF, U+10000, U+10FFFF', () => {
    const text = '\u007f\u0080\u07ff\u0800\uffff\u{10000}\u{10ffff}';
    assert.equal(decodeUtf8(Buffer.from(text, 'utf8')), text);
  });

  it('replaces an unfinished sequence at the very end with one U+FFFD', () => {
    assert.equal(decodeUtf8(bytes(0x41, 0xf0, 0x9f, 0x98)), 'A\ufffd');
  });

  it('decodes input longer than one internal batch', () => {
    const text = 'ab€😀'.repeat(5000);
    assert.equal(decodeUtf8(Buffer.from(text, 'utf8')), text);
  });
});

describe('Utf8StreamDecoder across chunks', () => {
  it('joins a 4-byte character split over four writes', () => {
    const d = new Utf8StreamDecoder();
    assert.equal(d.write(bytes(0xf0)), '');
    assert.equal(d.pending, true);
    assert.equal(d.write(bytes(0x9f)), '');
    assert.equal(d.write(bytes(0x98)), '');
    assert.equal(d.write(bytes(0x80, 0x21)), '😀!');
    assert.equal(d.pending, false);
    assert.equal(d.end(), '');
  });

  it('reports an invalid byte after a split lead only when it arrives', () => {
    const d = new Utf8StreamDecoder();
    assert.equal(d.write(bytes(0xe2, 0x82)), '');
    assert.equal(d.write(bytes(0x41)), '\ufffdA');
  });

  it('flushes an unfinished character as U+FFFD on end and can be reused afterwards', () => {
    const d = new Utf8StreamDecoder();
    assert.equal(d.write(bytes(0xc3)), '');
    assert.equal(d.end(), '\ufffd');
    assert.equal(d.write(bytes(0xc3, 0xa9)), 'é');
  });

  it('matches TextDecoder (WHATWG) on random bytes cut at random offsets', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    // Bias towards bytes that form (or almost form) multi-byte sequences.
    const interesting = [
      0x41, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc2, 0xc3, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5,
      0xff,
    ];
    for (let round = 0; round < 300; round++) {
      const input = Uint8Array.from({ length: 1 + Math.floor(random() * 40) }, () =>
        random() < 0.7
          ? (interesting[Math.floor(random() * interesting.length)] as number)
          : Math.floor(random() * 256),
      );
      const reference = new TextDecoder('utf-8', { ignoreBOM: true });
      const ours = new Utf8StreamDecoder();
      let expected = '';
      let actual = '';
      let offset = 0;
      while (offset < input.length) {
        const end = Math.min(input.length, offset + 1 + Math.floor(random() * 5));
        const chunk = input.subarray(offset, end);
        expected += reference.decode(chunk, { stream: true });
        actual += ours.write(chunk);
        offset = end;
      }
      expected += reference.decode();
      actual += ours.end();
      assert.equal(actual, expected, `input ${Buffer.from(input).toString('hex')}`);
    }
  });
});

describe('encodeUtf8', () => {
  it('encodes every length class byte-exactly', () => {
    assert.deepEqual(encodeUtf8('A'), bytes(0x41));
    assert.deepEqual(encodeUtf8('é'), bytes(0xc3, 0xa9));
    assert.deepEqual(encodeUtf8('€'), bytes(0xe2, 0x82, 0xac));
    assert.deepEqual(encodeUtf8('😀'), bytes(0xf0, 0x9f, 0x98, 0x80));
    assert.deepEqual(encodeUtf8(''), bytes());
  });

  it('encodes a lone surrogate as U+FFFD like TextEncoder', () => {
    assert.deepEqual(encodeUtf8('a\ud800b'), bytes(0x61, 0xef, 0xbf, 0xbd, 0x62));
    assert.deepEqual(encodeUtf8('\udc00'), new TextEncoder().encode('\udc00'));
    assert.deepEqual(encodeUtf8('x\ud83d'), new TextEncoder().encode('x\ud83d'));
  });

  it('round-trips through the decoder', () => {
    const text = 'ls -la /tmp/ünïcødé € 😀\r\n';
    assert.equal(decodeUtf8(encodeUtf8(text)), text);
    assert.deepEqual(encodeUtf8(text), new Uint8Array(Buffer.from(text, 'utf8')));
  });
});
