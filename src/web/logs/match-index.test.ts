import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MatchIndex } from './match-index.js';

function build(): MatchIndex {
  const index = new MatchIndex();
  index.add(2, 1);
  index.add(5, 3);
  index.add(9, 2);
  return index;
}

test('ordinals walk every match of every line in order', () => {
  const index = build();
  assert.equal(index.total, 6);
  assert.deepEqual(index.at(0), { seq: 2, nth: 0 });
  assert.deepEqual(index.at(1), { seq: 5, nth: 0 });
  assert.deepEqual(index.at(3), { seq: 5, nth: 2 });
  assert.deepEqual(index.at(5), { seq: 9, nth: 1 });
  assert.equal(index.at(6), null);
  assert.equal(index.ordinalOf({ seq: 5, nth: 2 }), 3);
  assert.equal(index.ordinalOf({ seq: 5, nth: 3 }), null);
  assert.equal(index.ordinalAtOrAfter(6), 4);
  assert.equal(index.ordinalAtOrAfter(100), 6);
});

test('dropping old lines renumbers ordinals but keeps positions', () => {
  const index = build();
  index.dropBefore(3);
  assert.equal(index.total, 5);
  assert.deepEqual(index.at(0), { seq: 5, nth: 0 });
  assert.equal(index.ordinalOf({ seq: 9, nth: 0 }), 3);
  assert.equal(index.ordinalOf({ seq: 2, nth: 0 }), null);
  index.dropBefore(10);
  assert.equal(index.total, 0);
  assert.equal(index.at(0), null);
});

test('compaction after many drops keeps the answers', () => {
  const index = new MatchIndex();
  for (let seq = 0; seq < 20_000; seq++) index.add(seq, 1 + (seq % 2));
  index.dropBefore(15_000);
  index.add(20_000, 5);
  assert.equal(index.lineCount, 5001);
  assert.equal(index.total, 2500 * 1 + 2500 * 2 + 5);
  assert.deepEqual(index.at(0), { seq: 15_000, nth: 0 });
  assert.deepEqual(index.at(index.total - 1), { seq: 20_000, nth: 4 });
});
