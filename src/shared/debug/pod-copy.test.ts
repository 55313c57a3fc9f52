import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { debugFixture as fixture } from '../../../test/support/debug-fixtures.js';
import { buildPodCopy, copyName, SLEEP_COMMAND, type PodCopyOptions } from './pod-copy.js';
import {
  DEBUG_POD_LABEL,
  EXPIRES_AT_ANNOTATION,
  MANAGED_BY_LABEL,
  OWNER_ANNOTATION,
  SESSION_LABEL,
  readMarks,
} from './debug-pod-marks.js';
import type { Pod } from './types.js';

const marks = {
  kind: 'copy' as const,
  session: '3f1c2a4e-0000-4000-8000-000000000001',
  owner: 'alice',
  source: 'pod demo/crashloop',
  createdAt: new Date('2026-11-25T21:00:00Z'),
  expiresAt: new Date('2026-11-25T22:00:00Z'),
};

function copy(pod: Pod, over: Partial<PodCopyOptions> = {}): Pod {
  const r = buildPodCopy(pod, {
    name: 'crashloop-debug-abcde',
    container: 'app',
    keepLabels: false,
    sameNode: false,
    profile: 'general',
    marks,
    ...over,
  });
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

describe('buildPodCopy: a copy that stays up', () => {
  test('the chosen container sleeps instead of crashing; args are cleared', () => {
    const c = copy(fixture('crashloop')).spec!.containers[0]!;
    assert.deepEqual(c.command, SLEEP_COMMAND);
    assert.equal(c.args, undefined);
    assert.equal(c.image, 'podscope.local/app:1', 'own image by default');
  });
  test('probes, lifecycle hooks, init containers and ephemeral containers are removed', () => {
    const src = fixture('web-nonroot');
    assert.ok(src.spec!.containers[0]!.livenessProbe && src.spec!.containers[0]!.lifecycle);
    const p = copy(src);
    const c = p.spec!.containers[0]!;
    for (const f of ['livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle'])
      assert.equal(c[f], undefined, f);
    assert.equal(p.spec!.initContainers, undefined);
    const withDebug = copy(fixture('noshell'));
    assert.equal(withDebug.spec!.ephemeralContainers, undefined);
  });
  test('probes go from every container, not just the chosen one', () => {
    const src = fixture('multi');
    for (const c of src.spec!.containers) c.readinessProbe = { exec: { command: ['true'] } };
    for (const c of copy(src, { container: src.spec!.containers[0]!.name }).spec!.containers)
      assert.equal(c.readinessProbe, undefined);
  });
  test('labels are removed by default; Podscope marks and annotations are set', () => {
    const p = copy(fixture('crashloop'));
    assert.deepEqual(p.metadata!.labels, {
      [MANAGED_BY_LABEL]: 'podscope',
      [DEBUG_POD_LABEL]: 'copy',
      [SESSION_LABEL]: marks.session,
    });
    assert.equal(p.metadata!.annotations![OWNER_ANNOTATION], 'alice');
    assert.equal(p.metadata!.annotations![EXPIRES_AT_ANNOTATION], '2026-11-25T22:00:00.000Z');
    assert.deepEqual(readMarks(p), {
      name: 'crashloop-debug-abcde',
      namespace: 'demo',
      kind: 'copy',
      session: marks.session,
      owner: 'alice',
      source: 'pod demo/crashloop',
      expiresAt: marks.expiresAt,
    });
  });
  test('keepLabels keeps app labels but never the ones a controller adopts pods by', () => {
    const p = copy(fixture('web'), { keepLabels: true });
    assert.equal(p.metadata!.labels!.app, 'web');
    assert.equal(p.metadata!.labels!.tier, 'frontend');
    assert.equal(p.metadata!.labels!['pod-template-hash'], undefined);
    assert.equal(p.metadata!.labels![DEBUG_POD_LABEL], 'copy');
  });
  test('no owner references, uid, resourceVersion or status are copied', () => {
    const p = copy(fixture('web'));
    assert.deepEqual(Object.keys(p.metadata!).sort(), ['annotations', 'labels', 'name', 'namespace']);
    assert.equal(p.status, undefined);
  });
  test('process namespace is shared and the node is free unless sameNode', () => {
    const src = fixture('crashloop');
    const p = copy(src);
    assert.equal(p.spec!.shareProcessNamespace, true);
    assert.equal(p.spec!.nodeName, undefined);
    assert.equal(copy(src, { sameNode: true }).spec!.nodeName, 'podscope-node');
  });
  test('sameNode for a pod not on a node is refused', () => {
    const src = fixture('crashloop');
    delete src.spec!.nodeName;
    const r = buildPodCopy(src, {
      name: 'x',
      container: 'app',
      keepLabels: false,
      sameNode: true,
      profile: 'general',
      marks,
    });
    assert.match(!r.ok ? r.error : '', /not on a node yet/);
  });
  test('replaceImage swaps the image; a non-root pod gets the app user for the root tools image', () => {
    const p = copy(fixture('web-nonroot'), { replaceImage: 'podscope.local/debug-tools:1' });
    const c = p.spec!.containers[0]!;
    assert.equal(c.image, 'podscope.local/debug-tools:1');
    assert.equal(c.imagePullPolicy, 'IfNotPresent');
    assert.equal(c.securityContext!.runAsUser, 1000);
    assert.deepEqual(c.securityContext!.capabilities, { add: ['SYS_PTRACE'] });
  });
  test('the source object is not modified', () => {
    const src = fixture('web-nonroot');
    const before = JSON.stringify(src);
    copy(src, { replaceImage: 'podscope.local/debug-tools:1' });
    assert.equal(JSON.stringify(src), before);
  });
  test('an unknown container is refused', () => {
    const r = buildPodCopy(fixture('crashloop'), {
      name: 'x',
      container: 'db',
      keepLabels: false,
      sameNode: false,
      profile: 'general',
      marks,
    });
    assert.match(!r.ok ? r.error : '', /no app container "db"/);
  });
  test('copy names are valid and at most 63 characters', () => {
    assert.equal(copyName('crashloop', 'x1y2z'), 'crashloop-debug-x1y2z');
    const long = copyName('a'.repeat(70) + '-b', 'x1y2z');
    assert.equal(long.length, 63);
    assert.match(long, /^a+-debug-x1y2z$/);
  });
});
