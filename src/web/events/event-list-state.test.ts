import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventView } from '../../shared/api.js';
import { applyEventWatch, INITIAL_EVENT_LIST, parseEventOrder } from './event-list-state.js';

const event = (uid: string, extra: Partial<EventView> = {}): EventView => ({
  uid,
  type: 'Normal',
  reason: 'Pulled',
  message: 'Pulled image',
  count: 1,
  firstSeen: '2026-01-01T00:00:00Z',
  lastSeen: '2026-01-01T00:00:00Z',
  source: 'kubelet',
  involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'ns', fieldPath: null },
  ...extra,
});

test('the event watch replaces on snapshot and applies changes by uid', () => {
  let state = applyEventWatch(INITIAL_EVENT_LIST, { type: 'snapshot', events: [event('a'), event('b')] });
  state = applyEventWatch(state, { type: 'upsert', event: event('a', { count: 4 }) });
  state = applyEventWatch(state, { type: 'delete', uid: 'b' });
  assert.deepEqual([...state.events.keys()], ['a']);
  assert.equal(state.events.get('a')?.count, 4);
  state = applyEventWatch(state, { type: 'error', message: 'You may not list events.', status: 403 });
  assert.equal(state.error, 'You may not list events.');
});

test('the order defaults to newest first', () => {
  assert.equal(parseEventOrder(null), 'newest');
  assert.equal(parseEventOrder('oldest'), 'oldest');
  assert.equal(parseEventOrder('sideways'), 'newest');
});
