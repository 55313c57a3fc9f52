import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filesHref } from './file-links.js';

test('filesHref opens the Files tab at a container, debug container and path', () => {
  assert.equal(
    filesHref('c', 'demo', 'noshell', { container: 'app', via: 'podscope-debug-app-1', path: '/tmp' }),
    '/c/c/ns/demo/pods/noshell?tab=files&container=app&via=podscope-debug-app-1&path=%2Ftmp',
  );
  assert.equal(filesHref('c', 'demo', 'web', {}), '/c/c/ns/demo/pods/web?tab=files');
});
