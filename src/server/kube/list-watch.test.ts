import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { jsonLines } from './list-watch.js';

async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield Buffer.from(p, 'utf8');
}

async function collect<T>(gen: AsyncGenerator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of gen) out.push(v);
  return out;
}

describe('watch event lines', () => {
  test('objects split across chunks, including inside a multi-byte character', async () => {
    const text = '{"a":"é"}\n{"b":2}\n';
    const bytes = Buffer.from(text, 'utf8');
    const cut = bytes.indexOf(0xa9); // second byte of "é"
    async function* split() {
      yield bytes.subarray(0, cut);
      yield bytes.subarray(cut);
    }
    assert.deepEqual(await collect(jsonLines(split())), [{ a: 'é' }, { b: 2 }]);
    assert.deepEqual(await collect(jsonLines(chunks('{"x":', '1}\n\n', '{"y":2}\n'))), [{ x: 1 }, { y: 2 }]);
  });

  test('a line that never ends is an error, not an ever-growing buffer', async () => {
    const endless = chunks(...Array.from({ length: 20 }, () => 'x'.repeat(100)));
    await assert.rejects(collect(jsonLines(endless, 1000)), /longer than 1000 characters/);
  });
});
