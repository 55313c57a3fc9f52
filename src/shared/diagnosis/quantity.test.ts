import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, formatCpu, formatResource, parseQuantity } from './quantity.js';

test('quantities', () => {
  assert.equal(parseQuantity('64'), 64);
  assert.equal(parseQuantity('500m'), 0.5);
  assert.equal(parseQuantity('24Mi'), 24 * 2 ** 20);
  assert.equal(parseQuantity('1.5Gi'), 1.5 * 2 ** 30);
  assert.equal(parseQuantity('1k'), 1000);
  assert.equal(parseQuantity('1e3'), 1000);
  assert.equal(parseQuantity('lots'), null);
});

test('formatting', () => {
  assert.equal(formatCpu(64), '64 CPUs');
  assert.equal(formatCpu(1), '1 CPU');
  assert.equal(formatCpu(0.25), '250m CPU');
  assert.equal(formatBytes(24 * 2 ** 20), '24Mi');
  assert.equal(formatBytes(1.5 * 2 ** 30), '1.5Gi');
  assert.equal(formatBytes(100), '100 bytes');
  assert.equal(formatResource('memory', 2 ** 30), '1Gi');
  assert.equal(formatResource('nvidia.com/gpu', 2), '2');
});
