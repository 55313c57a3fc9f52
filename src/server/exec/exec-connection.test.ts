import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainUpgradeRefusal } from './exec-connection.js';

test('a 403 whose message stops after "is forbidden:" says which verb is missing', () => {
  const m = explainUpgradeRefusal(403, 'pods "app" is forbidden: ', 'team-a');
  assert.match(m, /^pods "app" is forbidden: your account may not create "pods\/exec" in namespace "team-a"/);
  assert.match(m, /Kubernetes 1\.35/);
});

test('complete messages and other statuses are left as Kubernetes wrote them', () => {
  const full =
    'pods "app" is forbidden: User "u" cannot create resource "pods/exec" in API group "" in the namespace "a"';
  assert.equal(explainUpgradeRefusal(403, full, 'a'), full);
  assert.equal(explainUpgradeRefusal(404, 'pods "app" is forbidden: ', 'a'), 'pods "app" is forbidden: ');
});
