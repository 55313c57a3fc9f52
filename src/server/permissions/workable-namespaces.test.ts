import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseExecPolicyConfig } from '../policy/exec-policy.js';
import { knownNamespaces, workCheck } from './workable-namespaces.js';

describe('knownNamespaces: where to look when the person may not list namespaces', () => {
  const config = parseExecPolicyConfig({
    rules: [
      { cluster: 'prod-*', namespace: 'payments', policy: 'no-exec' },
      { namespace: 'team-*', policy: 'non-root', user: 1000 },
      { cluster: 'dev', namespace: 'sandbox', policy: 'root-allowed' },
      { namespace: 'shared', policy: 'non-root', user: 1000 },
      { policy: 'non-root', user: 1000 },
    ],
  });

  it('takes the context namespace and the literal namespaces of rules for this cluster', () => {
    assert.deepEqual(knownNamespaces(config, 'prod-eu', 'demo'), ['demo', 'payments', 'shared']);
    assert.deepEqual(knownNamespaces(config, 'dev', null), ['sandbox', 'shared']);
  });

  it('names each once, and none from patterns', () => {
    assert.deepEqual(knownNamespaces(config, 'other', 'shared'), ['shared']);
    assert.deepEqual(knownNamespaces({ rules: [] }, 'x', null), []);
  });

  it('asks "may I list pods there?"', () => {
    assert.deepEqual(workCheck('demo'), { verb: 'list', group: '', resource: 'pods', namespace: 'demo' });
  });
});
