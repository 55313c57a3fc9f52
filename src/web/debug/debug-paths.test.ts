import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePodTab } from '../common/routes.js';
import { debugPaths, terminalHref } from './debug-paths.js';

test('debug endpoints encode every path segment', () => {
  assert.equal(debugPaths.options('k/1'), '/api/clusters/k%2F1/debug/options');
  assert.equal(
    debugPaths.debugContainers('c', 'demo', 'a?b'),
    '/api/clusters/c/namespaces/demo/pods/a%3Fb/debug-containers',
  );
  assert.equal(
    debugPaths.copies('c', 'demo', 'crashloop'),
    '/api/clusters/c/namespaces/demo/pods/crashloop/copies',
  );
  assert.equal(debugPaths.nodeDebug('c', 'node 1'), '/api/clusters/c/nodes/node%201/debug');
  assert.equal(debugPaths.debugPods('c', 'demo'), '/api/clusters/c/namespaces/demo/debug-pods');
  assert.equal(debugPaths.debugPod('c', 'demo', 'x'), '/api/clusters/c/namespaces/demo/debug-pods/x');
  assert.equal(debugPaths.lease('c', 'demo', 'x'), '/api/clusters/c/namespaces/demo/debug-pods/x/lease');
});

test('terminalHref opens the Terminal tab with the container chosen', () => {
  assert.equal(
    terminalHref('c', 'demo', 'crashloop-debug-ab12c', 'app'),
    '/c/c/ns/demo/pods/crashloop-debug-ab12c?tab=terminal&container=app',
  );
  assert.equal(
    terminalHref('c', 'demo', 'web', 'podscope-debug-app-1'),
    '/c/c/ns/demo/pods/web?tab=terminal&container=podscope-debug-app-1',
  );
  assert.equal(terminalHref('c', 'demo', 'p', 'a&b'), '/c/c/ns/demo/pods/p?tab=terminal&container=a%26b');
});

test('the Debug and Files tabs are pod tabs', () => {
  assert.equal(parsePodTab('debug'), 'debug');
  assert.equal(parsePodTab('files'), 'files');
});
