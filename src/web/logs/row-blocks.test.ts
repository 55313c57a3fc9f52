import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockOf, blockRange, groupBlocks } from './row-blocks.js';

const range = (startIndex: number, endIndex: number, overscan: number, count: number) => ({
  startIndex,
  endIndex,
  overscan,
  count,
});

test('the range with its overscan is widened to whole blocks of sequence numbers', () => {
  // Keys are the indexes plus 3 (the first three lines were dropped): blocks of 4 are keys 0-3, 4-7…
  const keyOf = (i: number) => i + 3;
  // Rows 10..12 on screen, overscan 2: indexes 8..14 = keys 11..17, widened to keys 8..19 = indexes 5..16.
  assert.deepEqual(blockRange(range(10, 12, 2, 100), keyOf, 4), [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
});

test('the range stops at the ends of the list', () => {
  const keyOf = (i: number) => i;
  assert.deepEqual(blockRange(range(0, 1, 1, 3), keyOf, 4), [0, 1, 2]);
  assert.deepEqual(blockRange(range(5, 6, 0, 7), keyOf, 4), [4, 5, 6]);
  assert.deepEqual(blockRange(range(0, 0, 5, 0), keyOf, 4), []);
});

test('with sparse keys (a filter) a block holds only the rows whose keys fall in it', () => {
  const keys = [1, 2, 9, 10, 11, 30, 70];
  const keyOf = (i: number) => keys[i]!;
  // Index 3 (key 10) on screen, no overscan: its block 8..15 holds indexes 2..4.
  assert.deepEqual(blockRange(range(3, 3, 0, keys.length), keyOf, 8), [2, 3, 4]);
  const groups = groupBlocks([0, 1, 2, 3, 4, 5, 6], keyOf, 8);
  assert.deepEqual(
    groups.map((g) => [g.block, g.items]),
    [
      [0, [0, 1]],
      [1, [2, 3, 4]],
      [3, [5]],
      [8, [6]],
    ],
  );
});

test('a row keeps its block when older rows go: blocks follow keys, not indexes', () => {
  const before = groupBlocks([20, 21, 22, 23, 24], (k) => k, 4);
  const after = groupBlocks([21, 22, 23, 24], (k) => k, 4);
  assert.deepEqual(
    before.map((g) => g.block),
    [5, 6],
  );
  assert.deepEqual(after.find((g) => g.items.includes(24))?.block, blockOf(24, 4));
  assert.deepEqual(after[0]?.items, [21, 22, 23]);
});
