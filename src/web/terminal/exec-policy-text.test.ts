import assert from 'node:assert/strict';
import { test } from 'node:test';
import { policySource, policyTitle } from './exec-policy-text.js';

test('each policy reads as a sentence naming who you will be', () => {
  assert.equal(
    policyTitle({ policy: 'root-allowed', source: 'default', rule: null, reason: 'x' }),
    "Root allowed: you enter as the container's own user",
  );
  assert.equal(
    policyTitle({ policy: 'non-root', user: 65534, source: 'namespace-label', rule: null, reason: 'x' }),
    'Non-root: you enter as uid 65534',
  );
  assert.equal(
    policyTitle({ policy: 'non-root', user: 'app', source: 'config', rule: 'rule 1', reason: 'x' }),
    'Non-root: you enter as user app',
  );
  assert.equal(
    policyTitle({ policy: 'no-exec', source: 'config', rule: 'rule 1', reason: 'x' }),
    'No exec: terminals are not allowed here',
  );
});

test('the source is named for people', () => {
  assert.equal(
    policySource({ policy: 'no-exec', source: 'namespace-label', rule: null, reason: '' }),
    'namespace label',
  );
  assert.equal(
    policySource({ policy: 'no-exec', source: 'config', rule: 'rule 1', reason: '' }),
    'Podscope configuration, rule: rule 1',
  );
  assert.equal(
    policySource({ policy: 'root-allowed', source: 'config', rule: 'admins get root', reason: '' }),
    'Podscope configuration, rule: admins get root',
  );
  assert.equal(
    policySource({ policy: 'no-exec', source: 'default', rule: null, reason: '' }),
    'built-in default',
  );
});
