import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildNodeDebugPod, nodeDebugPodName, NODE_DEBUG_CONTAINER } from './node-debug.js';
import type { DebugProfile } from './profiles.js';

const marks = {
  kind: 'node' as const,
  session: 's-1',
  owner: 'alice',
  source: 'node podscope-node',
  createdAt: new Date('2026-11-25T21:00:00Z'),
  expiresAt: new Date('2026-11-25T22:00:00Z'),
};
const build = (profile: DebugProfile) =>
  buildNodeDebugPod({
    name: 'node-debugger-podscope-node-abcde',
    namespace: 'default',
    node: 'podscope-node',
    image: 'podscope.local/debug-tools:1',
    profile,
    marks,
  });

describe('buildNodeDebugPod: like kubectl debug node/N', () => {
  test('general: pinned, tolerates everything, never restarts, host namespaces, / at /host', () => {
    const p = build('general');
    const s = p.spec!;
    assert.equal(s.nodeName, 'podscope-node');
    assert.equal(s.restartPolicy, 'Never');
    assert.deepEqual(s.tolerations, [{ operator: 'Exists' }]);
    assert.deepEqual([s.hostPID, s.hostNetwork, s.hostIPC], [true, true, true]);
    assert.deepEqual(s.volumes, [{ name: 'host-root', hostPath: { path: '/' } }]);
    const c = s.containers[0]!;
    assert.equal(c.name, NODE_DEBUG_CONTAINER);
    assert.deepEqual(c.volumeMounts, [{ name: 'host-root', mountPath: '/host' }]);
    assert.equal(c.securityContext, undefined);
    assert.equal(p.metadata!.labels!['podscope.io/debug-pod'], 'node');
  });
  test('sysadmin is privileged as well', () => {
    const p = build('sysadmin');
    assert.equal(p.spec!.containers[0]!.securityContext!.privileged, true);
    assert.equal(p.spec!.hostPID, true);
    assert.equal(p.spec!.volumes!.length, 1);
  });
  test('baseline and restricted get no host namespaces or host mount', () => {
    for (const profile of ['baseline', 'restricted'] as const) {
      const s = build(profile).spec!;
      assert.equal(s.hostPID, undefined);
      assert.equal(s.volumes, undefined);
    }
  });
  test('names fit in 63 characters', () => {
    assert.equal(nodeDebugPodName('podscope-node', 'ab12c'), 'node-debugger-podscope-node-ab12c');
    assert.ok(nodeDebugPodName('n'.repeat(80), 'ab12c').length <= 63);
  });
});
