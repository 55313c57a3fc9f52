import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateReplicaId } from '../audit/audit-store.js';
import { newReplicaId, replicaIdFrom } from './replica-identity.js';

test('the pod name from the downward API, else the hostname, plus a random part', () => {
  assert.equal(
    replicaIdFrom({ podName: 'podscope-7d9f8-x2x4q', hostname: 'ignored', random: 'a1b2c3d4' }),
    'podscope-7d9f8-x2x4q-a1b2c3d4',
  );
  assert.equal(
    replicaIdFrom({ podName: ' ', hostname: 'Laptop.local', random: '00ff' }),
    'laptop.local-00ff',
  );
});

test('names that are not DNS-like are cleaned into a valid replica id', () => {
  for (const hostname of ['', '---', 'My Machine (2)', 'ü'.repeat(300), '.hidden']) {
    const id = replicaIdFrom({ hostname, random: 'abcd1234' });
    assert.equal(validateReplicaId(id), id, hostname);
    assert.ok(id.length <= 253);
  }
});

test('two starts in the same pod get different ids', () => {
  const env = { POD_NAME: 'podscope-0' };
  const a = newReplicaId(env);
  const b = newReplicaId(env);
  assert.match(a, /^podscope-0-[0-9a-f]{8}$/);
  assert.notEqual(a, b);
});
