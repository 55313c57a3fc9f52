import assert from 'node:assert/strict';
import { test } from 'node:test';
import { searchCountText } from './search-count.js';

test('no match, one match, several: singular and plural', () => {
  assert.equal(searchCountText(0, null), 'No matches');
  assert.equal(searchCountText(1, null), '1 match');
  assert.equal(searchCountText(1, 0), '1 match');
  assert.equal(searchCountText(12, null), '12 matches');
});

test('with a current match: its position among all', () => {
  assert.equal(searchCountText(12, 0), '1 of 12 matches');
  assert.equal(searchCountText(12, 11), '12 of 12 matches');
  assert.equal(searchCountText(25_000, 1_233), '1,234 of 25,000 matches');
});

test('while the search is still looking: the count so far', () => {
  assert.equal(searchCountText(0, null, true), 'Searching…');
  assert.equal(searchCountText(1, null, true), 'Searching… 1 match so far');
  assert.equal(searchCountText(1_200, 3, true), 'Searching… 1,200 matches so far');
  assert.equal(searchCountText(1_200, 3, false), '4 of 1,200 matches');
});
