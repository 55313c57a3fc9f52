import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import {
  chooseKubeSource,
  inClusterAvailable,
  inClusterKubeConfig,
  SERVICE_ACCOUNT_DIR,
  tokenSubject,
  type KubeSourceInputs,
} from './in-cluster.js';

const none: KubeSourceInputs = {
  inClusterFlag: false,
  kubeconfigFlag: undefined,
  contextFlag: undefined,
  kubeconfigEnv: undefined,
  homeKubeconfigExists: false,
  inClusterAvailable: false,
};

describe('chooseKubeSource', () => {
  const rows: [string, Partial<KubeSourceInputs>, string][] = [
    ['--in-cluster in a pod', { inClusterFlag: true, inClusterAvailable: true }, 'in-cluster'],
    ['--in-cluster outside a pod', { inClusterFlag: true }, 'error'],
    [
      '--in-cluster with --kubeconfig',
      { inClusterFlag: true, inClusterAvailable: true, kubeconfigFlag: 'k' },
      'error',
    ],
    [
      '--in-cluster with --context',
      { inClusterFlag: true, inClusterAvailable: true, contextFlag: 'c' },
      'error',
    ],
    ['--kubeconfig, even in a pod', { kubeconfigFlag: '/k', inClusterAvailable: true }, 'kubeconfig'],
    ['$KUBECONFIG, even in a pod', { kubeconfigEnv: '/k', inClusterAvailable: true }, 'kubeconfig'],
    ['~/.kube/config, even in a pod', { homeKubeconfigExists: true, inClusterAvailable: true }, 'kubeconfig'],
    ['--context names a kubeconfig context', { contextFlag: 'c', inClusterAvailable: true }, 'kubeconfig'],
    ['nothing, in a pod: auto-detected', { inClusterAvailable: true, kubeconfigEnv: '' }, 'in-cluster'],
    ['nothing, not in a pod: the default kubeconfig (and its error)', {}, 'kubeconfig'],
  ];
  for (const [what, over, kind] of rows) {
    test(`${what} → ${kind}`, () => assert.equal(chooseKubeSource({ ...none, ...over }).kind, kind));
  }

  test('the errors say what is wrong', () => {
    const outside = chooseKubeSource({ ...none, inClusterFlag: true });
    assert.match(
      outside.kind === 'error' ? outside.message : '',
      /needs to run in a pod.*automountServiceAccountToken/,
    );
    const both = chooseKubeSource({
      ...none,
      inClusterFlag: true,
      inClusterAvailable: true,
      kubeconfigFlag: 'x',
    });
    assert.match(
      both.kind === 'error' ? both.message : '',
      /cannot be combined with --kubeconfig or --context/,
    );
  });

  test('a --kubeconfig path is passed on', () => {
    assert.deepEqual(chooseKubeSource({ ...none, kubeconfigFlag: '/etc/k' }), {
      kind: 'kubeconfig',
      path: '/etc/k',
      why: '--kubeconfig',
    });
  });
});

const jwt = (claims: object) =>
  ['e30', Buffer.from(JSON.stringify(claims)).toString('base64url'), 'signature'].join('.');

describe('tokenSubject', () => {
  test('reads the sub claim of a ServiceAccount token', () => {
    assert.equal(
      tokenSubject(jwt({ sub: 'system:serviceaccount:podscope:podscope' })),
      'system:serviceaccount:podscope:podscope',
    );
    assert.equal(tokenSubject(`${jwt({ sub: 'x' })}\n`), 'x');
  });
  test('anything else is null', () => {
    for (const t of ['', 'opaque', 'a.!!!.c', jwt({}), jwt({ sub: 42 }), jwt({ sub: '' })])
      assert.equal(tokenSubject(t), null, t);
  });
});

describe('in-cluster configuration from a pod’s files', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'podscope-incluster-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const dir = path.join(root, SERVICE_ACCOUNT_DIR);
  mkdirSync(dir, { recursive: true });
  const env = { KUBERNETES_SERVICE_HOST: '10.215.0.1', KUBERNETES_SERVICE_PORT: '443' };

  test('needs the Service environment and the token file', () => {
    assert.equal(inClusterAvailable(env, root), false, 'no token file yet');
    writeFileSync(path.join(dir, 'token'), jwt({ sub: 'system:serviceaccount:tools:podscope' }));
    assert.equal(inClusterAvailable(env, root), true);
    assert.equal(inClusterAvailable({ KUBERNETES_SERVICE_HOST: '10.215.0.1' }, root), false);
  });

  test('one context named as asked, the Service address, the pod namespace, the ServiceAccount as user', () => {
    writeFileSync(path.join(dir, 'namespace'), 'tools');
    writeFileSync(path.join(dir, 'ca.crt'), 'not read until a request is made');
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const kc = inClusterKubeConfig('prod-eu', root);
      assert.deepEqual(
        kc.getContexts().map((c) => [c.name, c.cluster, c.user, c.namespace]),
        [['prod-eu', 'prod-eu', 'system:serviceaccount:tools:podscope', 'tools']],
      );
      assert.equal(kc.getCurrentContext(), 'prod-eu');
      assert.equal(kc.getCurrentCluster()?.server, 'https://10.215.0.1:443');
      assert.equal(kc.getCurrentCluster()?.caFile, path.join(dir, 'ca.crt'));
      assert.equal(
        kc.getCurrentUser()?.authProvider?.name,
        'tokenFile',
        'the token is re-read as it rotates',
      );
    } finally {
      process.env = saved;
    }
  });
});
