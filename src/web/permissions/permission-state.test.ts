import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buttonState } from './permission-state.js';

const allowed = { offered: true, allowed: true, deniedBy: null, reason: null, missing: [] };

test('unknown and allowed actions are enabled', () => {
  assert.deepEqual(buttonState(null), { hidden: false, disabled: false, reason: null });
  assert.deepEqual(buttonState(undefined), { hidden: false, disabled: false, reason: null });
  assert.deepEqual(buttonState(allowed), { hidden: false, disabled: false, reason: null });
  // "Could not check" is advice, not a refusal.
  assert.deepEqual(buttonState({ ...allowed, reason: 'Could not check: timeout' }), {
    hidden: false,
    disabled: false,
    reason: null,
  });
});

test('a refused action is disabled with its reason', () => {
  const p = {
    ...allowed,
    allowed: false,
    deniedBy: 'rbac' as const,
    reason: 'You may not create pods/exec in namespace "demo".',
    missing: ['create pods/exec'],
  };
  assert.deepEqual(buttonState(p), { hidden: false, disabled: true, reason: p.reason });
});

test('an action not offered here is hidden', () => {
  assert.equal(buttonState({ ...allowed, offered: false }).hidden, true);
});
