import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiPaths, toWebSocketUrl, withQuery } from './api-paths.js';

test('withQuery leaves out undefined, null and empty values', () => {
  assert.equal(
    withQuery('/x', { a: 1, b: undefined, c: null, d: '', e: false, f: 'y z' }),
    '/x?a=1&e=false&f=y+z',
  );
  assert.equal(withQuery('/x', {}), '/x');
});

test('toWebSocketUrl follows the page protocol', () => {
  assert.equal(toWebSocketUrl('/api/a', { protocol: 'http:', host: 'h:1' }), 'ws://h:1/api/a');
  assert.equal(toWebSocketUrl('/api/a', { protocol: 'https:', host: 'h' }), 'wss://h/api/a');
});

test('path segments are encoded, so odd names cannot change the path', () => {
  assert.equal(
    apiPaths.podLogsStream('kind-dev', 'ns', 'a/b?c'),
    '/api/clusters/kind-dev/namespaces/ns/pods/a%2Fb%3Fc/logs/stream',
  );
});
