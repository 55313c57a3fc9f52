import { test } from 'node:test';
import assert from 'node:assert/strict';
import { owningWorkload, parsePodTab, routes } from './routes.js';

test('pod URLs carry the tab only when it is not the default', () => {
  assert.equal(routes.pod('c', 'ns', 'web-1'), '/c/c/ns/ns/pods/web-1');
  assert.equal(routes.pod('c', 'ns', 'web-1', 'logs'), '/c/c/ns/ns/pods/web-1?tab=logs');
  assert.equal(routes.selectorLogs('c', 'ns', 'app=web'), '/c/c/ns/ns/logs?selector=app%3Dweb');
  assert.equal(routes.pod('c', 'ns', 'web-1', 'terminal'), '/c/c/ns/ns/pods/web-1?tab=terminal');
  assert.equal(routes.auditSession('a/b'), '/audit/sessions/a%2Fb');
});

test('parsePodTab falls back to containers', () => {
  assert.equal(parsePodTab('events'), 'events');
  assert.equal(parsePodTab('terminal'), 'terminal');
  assert.equal(parsePodTab('nope'), 'containers');
  assert.equal(parsePodTab(null), 'containers');
});

test('owningWorkload recovers the Deployment behind a ReplicaSet from the template hash', () => {
  assert.deepEqual(
    owningWorkload({ kind: 'ReplicaSet', name: 'web-5d8c7f' }, { 'pod-template-hash': '5d8c7f' }),
    {
      kind: 'deployment',
      name: 'web',
    },
  );
  assert.equal(owningWorkload({ kind: 'ReplicaSet', name: 'web-5d8c7f' }, {}), null);
  assert.deepEqual(owningWorkload({ kind: 'StatefulSet', name: 'db' }, {}), {
    kind: 'statefulset',
    name: 'db',
  });
  assert.equal(owningWorkload({ kind: 'Node', name: 'n1' }, {}), null);
  assert.equal(owningWorkload(null, {}), null);
});
