import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findReferences, parseConfigError, parseMountFailure } from './references.js';

describe('CreateContainerConfigError messages (recorded from the local cluster)', () => {
  test('missing ConfigMap, Secret, key', () => {
    assert.deepEqual(parseConfigError('configmap "billing-settings" not found'), {
      kind: 'missing-configmap',
      name: 'billing-settings',
    });
    assert.deepEqual(parseConfigError('Error: secret "payments-api-keys" not found'), {
      kind: 'missing-secret',
      name: 'payments-api-keys',
    });
    assert.deepEqual(parseConfigError("couldn't find key password in Secret diag-rec/ledger-db"), {
      kind: 'missing-key',
      key: 'password',
      objectKind: 'Secret',
      name: 'ledger-db',
    });
    assert.deepEqual(parseConfigError("couldn't find key url in ConfigMap demo/settings"), {
      kind: 'missing-key',
      key: 'url',
      objectKind: 'ConfigMap',
      name: 'settings',
    });
  });
  test('runAsNonRoot', () => {
    assert.equal(
      parseConfigError(
        'container has runAsNonRoot and image will run as root (pod: "x_demo(1)", container: app)',
      ).kind,
      'run-as-non-root',
    );
  });
  test('anything else is kept word for word', () => {
    assert.deepEqual(parseConfigError('something odd'), { kind: 'other', detail: 'something odd' });
  });
});

describe('where the spec refers to an object', () => {
  const container = {
    name: 'app',
    env: [
      { name: 'A', valueFrom: { secretKeyRef: { name: 'db', key: 'user' } } },
      { name: 'B', valueFrom: { secretKeyRef: { name: 'db', key: 'password', optional: true } } },
      { name: 'C', value: 'x' },
    ],
    envFrom: [{ configMapRef: { name: 'cfg' } }, { secretRef: { name: 'db' } }],
  };
  const pod = {
    volumes: [
      { name: 'certs', secret: { secretName: 'db' } },
      { name: 'all', projected: { sources: [{ configMap: { name: 'cfg' } }, { secret: { name: 'db' } }] } },
    ],
  };
  const path = 'spec.containers[name="app"]';

  test('a key: only the env that reads it', () => {
    assert.deepEqual(findReferences(container, path, pod, 'Secret', 'db', 'password'), [
      {
        path: 'spec.containers[name="app"].env[name="B"].valueFrom.secretKeyRef',
        use: 'env B',
        optional: true,
      },
      { path: 'spec.volumes[name="certs"].secret', use: 'volume certs', optional: false },
      { path: 'spec.volumes[name="all"].projected.sources[1].secret', use: 'volume all', optional: false },
    ]);
  });

  test('a whole object: env, envFrom and volumes', () => {
    assert.deepEqual(
      findReferences(container, path, pod, 'ConfigMap', 'cfg').map((r) => r.path),
      [
        'spec.containers[name="app"].envFrom[0].configMapRef',
        'spec.volumes[name="all"].projected.sources[0].configMap',
      ],
    );
  });
});

describe('FailedMount messages', () => {
  test('recorded: a ConfigMap volume whose ConfigMap is missing', () => {
    assert.deepEqual(
      parseMountFailure(
        'MountVolume.SetUp failed for volume "settings" : configmap "search-settings" not found',
      ),
      {
        kind: 'missing-object',
        volume: 'settings',
        objectKind: 'ConfigMap',
        name: 'search-settings',
      },
    );
  });
  test('a timeout names the volume', () => {
    const p = parseMountFailure(
      'Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[kube-api-access-x]: timed out waiting for the condition',
    );
    assert.equal(p.kind, 'other');
    assert.equal(p.volume, 'data');
  });
});
