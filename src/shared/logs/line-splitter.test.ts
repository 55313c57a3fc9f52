import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter, truncationNotice } from './line-splitter.js';
import { encodeUtf8 } from '../text/utf8.js';

function feed(splitter: LineSplitter, chunks: Uint8Array[]): string[] {
  return [...chunks.flatMap((c) => splitter.push(c)), ...splitter.flush()];
}

/** Splits bytes into chunks at the given offsets. */
function chunksAt(data: Uint8Array, offsets: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const o of [...offsets, data.length]) {
    out.push(data.slice(prev, o));
    prev = o;
  }
  return out;
}

describe('LineSplitter', () => {
  test('splits one chunk into lines and holds back the unterminated rest', () => {
    const s = new LineSplitter();
    assert.deepEqual(s.push(encodeUtf8('one\ntwo\nthr')), ['one', 'two']);
    assert.deepEqual(s.push(encodeUtf8('ee\n')), ['three']);
    assert.deepEqual(s.flush(), []);
  });

  test('returns the final unterminated line from flush', () => {
    const s = new LineSplitter();
    assert.deepEqual(s.push(encodeUtf8('a\nlast')), ['a']);
    assert.deepEqual(s.flush(), ['last']);
    assert.deepEqual(s.flush(), []);
  });

  test('keeps empty lines', () => {
    assert.deepEqual(feed(new LineSplitter(), [encodeUtf8('\n\na\n\n')]), ['', '', 'a', '']);
  });

  test('drops the carriage return of CRLF line endings, but not one inside a line', () => {
    assert.deepEqual(feed(new LineSplitter(), [encodeUtf8('a\r\nprogress 1\rprogress 2\r\n')]), [
      'a',
      'progress 1\rprogress 2',
    ]);
  });

  test('reassembles multi-byte characters split at every possible chunk boundary', () => {
    const text = 'héllo €uro 😀 done\nnext 字\n';
    const data = encodeUtf8(text);
    for (let a = 0; a <= data.length; a++) {
      for (let b = a; b <= data.length; b += 3) {
        assert.deepEqual(
          feed(new LineSplitter(), chunksAt(data, [a, b])),
          ['héllo €uro 😀 done', 'next 字'],
          `${a},${b}`,
        );
      }
    }
  });

  test('handles one byte per chunk', () => {
    const data = encodeUtf8('α\nβγ\n😀');
    const chunks = Array.from(data, (b) => Uint8Array.of(b));
    assert.deepEqual(feed(new LineSplitter(), chunks), ['α', 'βγ', '😀']);
  });

  test('is not affected by the caller reusing its chunk buffer', () => {
    const s = new LineSplitter();
    const buf = encodeUtf8('abc');
    s.push(buf);
    buf.set(encodeUtf8('XYZ'));
    assert.deepEqual(s.push(encodeUtf8('\n')), ['abc']);
  });

  test('cuts an over-long line at the limit, marks it, and drops the rest of it', () => {
    const s = new LineSplitter({ maxLineBytes: 10 });
    const out = feed(s, [encodeUtf8('short\n0123456789abcdef'), encodeUtf8('ghij\nafter\n')]);
    assert.deepEqual(out, ['short', '0123456789' + truncationNotice(10), 'after']);
    assert.equal(s.truncatedCount, 1);
  });

  test('emits the cut line as soon as the limit is passed, without waiting for the newline', () => {
    const s = new LineSplitter({ maxLineBytes: 8 });
    assert.deepEqual(s.push(encodeUtf8('12345')), []);
    assert.deepEqual(s.push(encodeUtf8('6789')), ['12345678' + truncationNotice(8)]);
    assert.deepEqual(s.push(encodeUtf8('more and more')), []);
    assert.deepEqual(s.flush(), []);
  });

  test('accepts a line of exactly the limit', () => {
    const s = new LineSplitter({ maxLineBytes: 4 });
    assert.deepEqual(feed(s, [encodeUtf8('abcd\n')]), ['abcd']);
    assert.equal(s.truncatedCount, 0);
  });

  test('never cuts inside a multi-byte character', () => {
    // '€' is 3 bytes: the limit of 5 falls inside the second one.
    const s = new LineSplitter({ maxLineBytes: 5 });
    assert.deepEqual(feed(s, [encodeUtf8('€€€\n')]), ['€' + truncationNotice(5)]);
  });

  test('buffers no more than the limit however long the line grows', () => {
    const s = new LineSplitter({ maxLineBytes: 1024 });
    const chunk = new Uint8Array(64 * 1024).fill(0x61);
    let emitted = 0;
    for (let i = 0; i < 100; i++) emitted += s.push(chunk).length;
    assert.equal(emitted, 1);
    assert.deepEqual(s.push(encodeUtf8('\nok\n')), ['ok']);
  });

  test('rejects a nonsensical limit', () => {
    assert.throws(() => new LineSplitter({ maxLineBytes: 0 }), RangeError);
  });
});
