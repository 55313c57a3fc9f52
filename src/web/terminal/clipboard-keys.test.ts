import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clipboardShortcut, type KeyLike } from './clipboard-keys.js';

const key = (over: Partial<KeyLike>): KeyLike => ({
  type: 'keydown',
  key: 'C',
  code: 'KeyC',
  ctrlKey: true,
  shiftKey: true,
  altKey: false,
  metaKey: false,
  ...over,
});

test('Ctrl+Shift+C copies and Ctrl+Shift+V pastes', () => {
  assert.equal(clipboardShortcut(key({})), 'copy');
  assert.equal(clipboardShortcut(key({ key: 'V', code: 'KeyV' })), 'paste');
});

test('the physical key counts, whatever the layout prints', () => {
  assert.equal(clipboardShortcut(key({ key: 'Ц', code: 'KeyC' })), 'copy');
});

test('Ctrl+C stays the interrupt, and key-ups or other modifiers are not shortcuts', () => {
  assert.equal(clipboardShortcut(key({ shiftKey: false, key: 'c' })), null);
  assert.equal(clipboardShortcut(key({ type: 'keyup' })), null);
  assert.equal(clipboardShortcut(key({ altKey: true })), null);
  assert.equal(clipboardShortcut(key({ key: 'X', code: 'KeyX' })), null);
});
