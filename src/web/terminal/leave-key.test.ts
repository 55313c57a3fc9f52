import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KeyLike } from './clipboard-keys.js';
import { isLeaveTerminalKey, tabLeavesTerminal } from './leave-key.js';

const key = (over: Partial<KeyLike>): KeyLike => ({
  type: 'keydown',
  key: 'L',
  code: 'KeyL',
  ctrlKey: true,
  shiftKey: true,
  altKey: false,
  metaKey: false,
  ...over,
});

test('Ctrl+Shift+L leaves the terminal, on any keyboard layout', () => {
  assert.equal(isLeaveTerminalKey(key({})), true);
  assert.equal(isLeaveTerminalKey(key({ key: 'Д', code: 'KeyL' })), true);
});

test('Tab, Esc and Ctrl+L stay with the program in the terminal', () => {
  assert.equal(isLeaveTerminalKey(key({ key: 'Tab', code: 'Tab', ctrlKey: false, shiftKey: false })), false);
  assert.equal(isLeaveTerminalKey(key({ key: 'Tab', code: 'Tab', ctrlKey: false })), false);
  assert.equal(
    isLeaveTerminalKey(key({ key: 'Escape', code: 'Escape', ctrlKey: false, shiftKey: false })),
    false,
  );
  assert.equal(isLeaveTerminalKey(key({ key: 'l', shiftKey: false })), false);
});

test('only the key press counts, and not with other modifiers', () => {
  assert.equal(isLeaveTerminalKey(key({ type: 'keyup' })), false);
  assert.equal(isLeaveTerminalKey(key({ altKey: true })), false);
  assert.equal(isLeaveTerminalKey(key({ metaKey: true })), false);
});

test('Tab moves the focus on only while no session is open', () => {
  const tab = key({ key: 'Tab', code: 'Tab', ctrlKey: false, shiftKey: false });
  assert.equal(tabLeavesTerminal(tab, false), true);
  assert.equal(tabLeavesTerminal({ ...tab, shiftKey: true }, false), true);
  assert.equal(tabLeavesTerminal(tab, true), false);
  assert.equal(tabLeavesTerminal({ ...tab, ctrlKey: true }, false), false);
});
