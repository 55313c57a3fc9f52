import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { kubeRequestLabels, statusClass } from './request-labels.js';

describe('kubeRequestLabels', () => {
  const cases: [string, string, Record<string, string | boolean>, string, string][] = [
    ['GET', '/api/v1/namespaces/demo/pods', {}, 'list', 'pods'],
    ['GET', '/api/v1/namespaces/demo/pods', { watch: true }, 'watch', 'pods'],
    ['GET', '/api/v1/namespaces/demo/pods', { watch: '1' }, 'watch', 'pods'],
    ['GET', '/api/v1/namespaces/demo/pods/web-7f9c', {}, 'get', 'pods'],
    ['GET', '/api/v1/namespaces/demo/pods/web-7f9c/log', { follow: true }, 'get', 'pods/log'],
    ['POST', '/api/v1/namespaces/demo/pods/web-7f9c/exec', {}, 'connect', 'pods/exec'],
    [
      'PATCH',
      '/api/v1/namespaces/demo/pods/web/ephemeralcontainers',
      {},
      'patch',
      'pods/ephemeralcontainers',
    ],
    ['DELETE', '/api/v1/namespaces/demo/pods/web-copy', {}, 'delete', 'pods'],
    ['POST', '/api/v1/namespaces/demo/pods', {}, 'create', 'pods'],
    ['GET', '/api/v1/namespaces/demo', {}, 'get', 'namespaces'],
    ['GET', '/api/v1/namespaces', {}, 'list', 'namespaces'],
    ['GET', '/api/v1/nodes/node-1', {}, 'get', 'nodes'],
    ['GET', '/apis/apps/v1/namespaces/demo/deployments/web', {}, 'get', 'deployments'],
    ['GET', '/apis/apps/v1/namespaces/demo/replicasets', {}, 'list', 'replicasets'],
    [
      'PUT',
      '/apis/coordination.k8s.io/v1/namespaces/podscope/leases/podscope-leader',
      {},
      'update',
      'leases',
    ],
    [
      'POST',
      '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      {},
      'create',
      'selfsubjectaccessreviews',
    ],
    ['GET', '/readyz', {}, 'get', '/readyz'],
    ['GET', '/version', {}, 'get', '/version'],
    ['GET', '/openapi/v3/some/thing', {}, 'get', 'other'],
    ['GET', '/api/v1/namespaces/demo/Pods%2Fx', {}, 'list', 'other'],
  ];
  for (const [method, path, query, verb, resource] of cases) {
    test(`${method} ${path} ${JSON.stringify(query)} → ${verb} ${resource}`, () => {
      assert.deepEqual(kubeRequestLabels(method, path, query), { verb, resource });
    });
  }

  test('no namespace or object name ever reaches a label', () => {
    for (const [method, path, query] of cases) {
      const labels = kubeRequestLabels(method, path, query);
      for (const secret of ['demo', 'web-7f9c', 'web-copy', 'node-1', 'podscope-leader']) {
        assert.ok(!labels.resource.includes(secret), `${path}: ${labels.resource}`);
      }
    }
  });
});

test('statusClass', () => {
  assert.equal(statusClass(200), '2xx');
  assert.equal(statusClass(101), '1xx');
  assert.equal(statusClass(404), '4xx');
  assert.equal(statusClass(503), '5xx');
  assert.equal(statusClass(null), 'error');
  assert.equal(statusClass(0), 'error');
  assert.equal(statusClass(999), 'error');
});
