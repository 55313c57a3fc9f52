import assert from 'node:assert/strict';
import { test } from 'node:test';
import { binaryStringBytes, inputFrames } from './input-frames.js';

const decode = (frames: Uint8Array[]): string[] =>
  frames.map((f) => new TextDecoder('utf-8', { fatal: true }).decode(f));

test('keystrokes are one UTF-8 frame', () => {
  const frames = inputFrames('echo é\r');
  assert.equal(frames.length, 1);
  assert.deepEqual([...(frames[0] as Uint8Array)], [...Buffer.from('echo é\r', 'utf8')]);
  assert.deepEqual(inputFrames(''), []);
});

test('a large paste is split into frames no bigger than the limit, never inside a character', () => {
  const text = 'a' + '€'.repeat(10); // 1 + 30 bytes; € is 3 bytes
  const frames = inputFrames(text, 8);
  assert.ok(frames.every((f) => f.length <= 8));
  assert.equal(decode(frames).join(''), text, 'each frame decodes on its own (fatal decoder)');
  assert.deepEqual(
    frames.map((f) => f.length),
    [7, 6, 6, 6, 6],
  );
});

test('the default limit is the server frame limit of 64 KiB', () => {
  const frames = inputFrames('x'.repeat(64 * 1024 + 1));
  assert.deepEqual(
    frames.map((f) => f.length),
    [64 * 1024, 1],
  );
});

test('binary strings become their bytes', () => {
  assert.deepEqual([...binaryStringBytes('\x1b[M \xff!')], [0x1b, 0x5b, 0x4d, 0x20, 0xff, 0x21]);
});
