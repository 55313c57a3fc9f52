import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitByRanges } from './highlight.js';

test('a match spanning two styled pieces is split at the style boundary', () => {
  const pieces = [{ text: 'ERROR' }, { text: ' disk full' }];
  assert.deepEqual(splitByRanges(pieces, [[3, 8]]), [
    { piece: 0, text: 'ERR', match: null },
    { piece: 0, text: 'OR', match: 0 },
    { piece: 1, text: ' di', match: 0 },
    { piece: 1, text: 'sk full', match: null },
  ]);
});

test('several matches in one piece keep their ordinals; empty ranges are ignored', () => {
  assert.deepEqual(
    splitByRanges(
      [{ text: 'a-a-a' }],
      [
        [0, 1],
        [2, 2],
        [4, 5],
      ],
    ),
    [
      { piece: 0, text: 'a', match: 0 },
      { piece: 0, text: '-a-', match: null },
      { piece: 0, text: 'a', match: 2 },
    ],
  );
});

test('without matches the pieces come back whole', () => {
  assert.deepEqual(splitByRanges([{ text: 'x' }, { text: '' }, { text: 'y' }], []), [
    { piece: 0, text: 'x', match: null },
    { piece: 2, text: 'y', match: null },
  ]);
});
