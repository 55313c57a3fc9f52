import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ansiCss } from './ansi-style.js';

test('palette colours become classes, hex colours inline styles', () => {
  assert.deepEqual(ansiCss({ fg: 'bright-red', bold: true }), { className: 'ansi-fg-bright-red ansi-bold' });
  assert.deepEqual(ansiCss({ fg: '#aabbcc', bg: 'blue' }), { className: 'ansi-bg-blue', color: '#aabbcc' });
});

test('anything else is dropped rather than passed into class names or styles', () => {
  assert.deepEqual(ansiCss({ fg: 'red" onclick="x', bg: 'url(javascript:1)' }), { className: '' });
});

test('inverse swaps colours, using the theme colours where one is default', () => {
  assert.deepEqual(ansiCss({ fg: 'green', inverse: true }), { className: 'ansi-fg-inverse ansi-bg-green' });
  assert.deepEqual(ansiCss({ inverse: true }), { className: 'ansi-fg-inverse ansi-bg-inverse' });
});
