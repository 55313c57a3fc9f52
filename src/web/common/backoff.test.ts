import { test } from 'node:test';
import assert from 'node:assert/strict';
import { delayAfterClose, reconnectDelay } from './backoff.js';

test('reconnect delays grow exponentially up to the cap, with jitter of at most half', () => {
  assert.equal(reconnectDelay(0, { random: () => 1 }), 500);
  assert.equal(reconnectDelay(0, { random: () => 0 }), 250);
  assert.equal(reconnectDelay(3, { random: () => 1 }), 4000);
  assert.equal(reconnectDelay(50, { random: () => 1 }), 15_000);
});

test('a server restart (1012) is answered within a second, whatever the attempt; other closes back off', () => {
  assert.deepEqual(delayAfterClose(1012, 7, { random: () => 1 }), { inMs: 1000, countsAsFailure: false });
  assert.deepEqual(delayAfterClose(1012, 0, { random: () => 0 }), { inMs: 0, countsAsFailure: false });
  assert.deepEqual(delayAfterClose(1006, 3, { random: () => 1 }), { inMs: 4000, countsAsFailure: true });
  assert.deepEqual(delayAfterClose(1011, 0, { random: () => 0 }), { inMs: 250, countsAsFailure: true });
});
