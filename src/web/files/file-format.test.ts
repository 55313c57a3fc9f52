import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, modeText, parseSizeHeader, progressText } from './file-format.js';

test('sizes read like ls -h', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1024), '1 KiB');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(10 * 1024 * 1024), '10 MiB');
  assert.equal(formatBytes(1024 * 1024 - 1), '1 MiB');
  assert.equal(formatBytes(1024 ** 3), '1 GiB');
  assert.equal(formatBytes(-1), '—');
});

test('progress shows the share when the total is known', () => {
  assert.equal(progressText(512, 1024), '512 B of 1 KiB (50%)');
  assert.equal(progressText(2048, 1024), '2 KiB of 1 KiB (100%)');
  assert.equal(progressText(1536, null), '1.5 KiB');
});

test('only a plain byte count is a size header', () => {
  assert.equal(parseSizeHeader('53'), 53);
  assert.equal(parseSizeHeader(null), null);
  assert.equal(parseSizeHeader('-1'), null);
  assert.equal(parseSizeHeader('12abc'), null);
});

test('modes read like ls -l', () => {
  assert.equal(modeText('644', 'file'), '-rw-r--r--');
  assert.equal(modeText('755', 'directory'), 'drwxr-xr-x');
  assert.equal(modeText('777', 'symlink'), 'lrwxrwxrwx');
  assert.equal(modeText('1777', 'directory'), 'drwxrwxrwx');
});
