import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reconnectDelay } from './backoff.js';

test('reconnect delays grow exponentially up to the cap, with jitter of at most half', () => {
  assert.equal(reconnectDelay(0, { random: () => 1 }), 500);
  assert.equal(reconnectDelay(0, { random: () => 0 }), 250);
  assert.equal(reconnectDelay(3, { random: () => 1 }), 4000);
  assert.equal(reconnectDelay(50, { random: () => 1 }), 15_000);
});
