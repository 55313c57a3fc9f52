// Podscope with the in-cluster configuration, against the real API server: the pod's files (a real
// ServiceAccount token, the cluster CA, the namespace) laid out under a temporary root, and the
// `kubernetes` Service's address in KUBERNETES_SERVICE_HOST/PORT as the kubelet sets them. The same
// code runs in the chart's pods (test/integration/platform/helm-install.test.ts).
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { KubeconfigClusterRegistry } from '../../../src/server/kube/cluster-registry.js';
import type { ClusterInfo, PodSummary } from '../../../src/shared/api.js';
import { inClusterKubeConfig, SERVICE_ACCOUNT_DIR } from '../../../src/server/kube/in-cluster.js';
import {
  APP_IMAGE,
  apiServerUrl,
  kubectl,
  kubectlOk,
  stateDir,
  uniqueName,
  waitFor,
} from '../../support/cluster.js';
import { startPodscope, type RunningPodscope } from '../../support/podscope.js';
import { TerminalClient } from '../terminal/terminal-client.js';

const ns = uniqueName('incluster');
const root = mkdtempSync(path.join(tmpdir(), 'podscope-pod-root-'));
const savedEnv = { ...process.env };
let podscope: RunningPodscope;

/** A GET with a Host header of our choosing (fetch does not let a caller set Host). */
function rawGet(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { host } }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('in-cluster configuration', () => {
  before(async () => {
    const manifests = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'podscope', namespace: ns } },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: 'podscope-view', namespace: ns },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
          subjects: [{ kind: 'ServiceAccount', name: 'podscope', namespace: ns }],
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'Role',
          metadata: { name: 'exec', namespace: ns },
          rules: [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['get', 'create'] }],
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: 'podscope-exec', namespace: ns },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'exec' },
          subjects: [{ kind: 'ServiceAccount', name: 'podscope', namespace: ns }],
        },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'hello', namespace: ns },
          spec: {
            terminationGracePeriodSeconds: 0,
            containers: [
              {
                name: 'app',
                image: APP_IMAGE,
                imagePullPolicy: 'Never',
                command: ['sh', '-c', 'echo hello from the pod; exec sleep 3600'],
              },
            ],
          },
        },
      ],
    };
    const r = await kubectl(['apply', '-f', '-'], { input: JSON.stringify(manifests) });
    assert.equal(r.code, 0, r.stderr);
    const token = (await kubectlOk(['-n', ns, 'create', 'token', 'podscope', '--duration', '1h'])).trim();
    const dir = path.join(root, SERVICE_ACCOUNT_DIR);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'token'), token);
    writeFileSync(path.join(dir, 'namespace'), ns);
    copyFileSync(path.join(stateDir, 'pki', 'ca.crt'), path.join(dir, 'ca.crt'));
    const server = new URL(apiServerUrl());
    process.env['KUBERNETES_SERVICE_HOST'] = server.hostname;
    process.env['KUBERNETES_SERVICE_PORT'] = server.port;
    podscope = await startPodscope({
      registry: new KubeconfigClusterRegistry({ load: () => inClusterKubeConfig('in-cluster', root) }),
    });
  });

  after(async () => {
    await podscope?.close();
    process.env = savedEnv;
    rmSync(root, { recursive: true, force: true });
    await kubectl(['delete', 'namespace', ns, '--wait=false']);
  });

  test('one cluster, named as configured, with the pod namespace as its default', async () => {
    const r = await podscope.getJson<ClusterInfo[]>('/api/clusters');
    assert.equal(r.status, 200);
    const server = new URL(apiServerUrl());
    assert.deepEqual(
      r.body.map(({ name, server: s, defaultNamespace, current }) => ({
        name,
        server: s,
        defaultNamespace,
        current,
      })),
      [
        {
          name: 'in-cluster',
          server: `https://${server.hostname}:${server.port}`,
          defaultNamespace: ns,
          current: true,
        },
      ],
    );
  });

  test('requests carry the ServiceAccount token: what its RoleBinding allows works, the rest is 403', async () => {
    const pods = await waitFor('the pod listed', async () => {
      const r = await podscope.getJson<PodSummary[]>(`/api/clusters/in-cluster/namespaces/${ns}/pods`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.some((p) => p.name === 'hello') ? r.body : undefined;
    });
    assert.ok(pods.length >= 1);
    const logs = await waitFor('the pod logs', async () => {
      const res = await podscope.fetch(
        `/api/clusters/in-cluster/namespaces/${ns}/pods/hello/logs?container=app`,
      );
      const text = await res.text();
      return res.status === 200 && text.includes('hello from the pod') ? text : undefined;
    });
    assert.match(logs, /hello from the pod/);
    const other = await podscope.getJson<{ error: string }>(
      '/api/clusters/in-cluster/namespaces/kube-system/pods',
    );
    assert.equal(other.status, 403);
    assert.match(other.body.error, /RBAC/);
  });

  test('a terminal opens with the ServiceAccount token, and its audit record names the ServiceAccount', async () => {
    const t = new TerminalClient(
      `${podscope.wsUrl}/api/clusters/in-cluster/namespaces/${ns}/pods/hello/terminal?container=app`,
      podscope.headers,
    );
    await t.ready();
    t.type('echo in-cluster-$((6*7))\r');
    await t.outputMatches(/in-cluster-42/);
    t.type('exit\r');
    await t.closed;
    const sessions = await podscope.getJson<{ sessions: { user: string; kind: string }[] }>(
      '/api/audit/sessions',
    );
    const terminal = sessions.body.sessions.find((s) => s.kind === 'exec');
    assert.equal(terminal?.user, `system:serviceaccount:${ns}:podscope`);
  });

  test('/healthz and /readyz answer a kubelet probe: no token, addressed to the pod IP', async () => {
    const health = await rawGet(`${podscope.url}/healthz`, '10.214.0.99:7420');
    assert.deepEqual([health.status, JSON.parse(health.body)], [200, { status: 'ok' }]);
    const ready = await rawGet(`${podscope.url}/readyz`, '10.214.0.99:7420');
    assert.deepEqual(
      [ready.status, JSON.parse(ready.body)],
      [
        200,
        {
          status: 'ready',
          checks: [
            { name: 'kubernetes-api', ok: true },
            { name: 'audit-store', ok: true },
          ],
        },
      ],
    );
    // Everything else still needs the token and one of our names.
    assert.equal((await rawGet(`${podscope.url}/api/clusters`, '10.214.0.99:7420')).status, 403);
    assert.equal((await fetch(`${podscope.url}/api/clusters`)).status, 401);
  });
});

describe('/readyz when the API server cannot be reached', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'podscope-unready-'));
  let unready: RunningPodscope;
  before(async () => {
    const kubeconfig = path.join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          { name: 'gone', cluster: { server: 'https://127.0.0.1:1', 'insecure-skip-tls-verify': true } },
        ],
        users: [{ name: 'u', user: { token: 'x' } }],
        contexts: [{ name: 'gone', context: { cluster: 'gone', user: 'u' } }],
        'current-context': 'gone',
      }),
    );
    unready = await startPodscope({ kubeconfig });
  });
  after(async () => {
    await unready?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('503, naming the failing check and nothing more', async () => {
    const res = await fetch(`${unready.url}/readyz`);
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), {
      status: 'not ready',
      checks: [
        { name: 'kubernetes-api', ok: false },
        { name: 'audit-store', ok: true },
      ],
    });
    assert.equal((await fetch(`${unready.url}/healthz`)).status, 200, 'alive all the same');
  });
});
