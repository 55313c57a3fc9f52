import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAge, humanDuration } from './time.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

test('humanDuration prints ages the way kubectl does', () => {
  assert.equal(humanDuration(0), '0s');
  assert.equal(humanDuration(45 * s), '45s');
  assert.equal(humanDuration(119 * s), '119s');
  assert.equal(humanDuration(3 * m + 12 * s), '3m12s');
  assert.equal(humanDuration(5 * m), '5m');
  assert.equal(humanDuration(42 * m), '42m');
  assert.equal(humanDuration(5 * h + 10 * m), '5h10m');
  assert.equal(humanDuration(20 * h), '20h');
  assert.equal(humanDuration(2 * d + 3 * h), '2d3h');
  assert.equal(humanDuration(30 * d), '30d');
  assert.equal(humanDuration(3 * 365 * d + 30 * d), '3y30d');
  assert.equal(humanDuration(10 * 365 * d), '10y');
});

test('humanDuration tolerates small clock skew but flags nonsense', () => {
  assert.equal(humanDuration(-500), '0s');
  assert.equal(humanDuration(-5 * s), '<invalid>');
});

test('formatAge handles missing and unparseable times', () => {
  const now = Date.parse('2026-01-01T00:10:00Z');
  assert.equal(formatAge('2026-01-01T00:05:00Z', now), '5m');
  assert.equal(formatAge(null, now), '—');
  assert.equal(formatAge('yesterday', now), '—');
});
