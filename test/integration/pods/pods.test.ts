// The pod list and pod page show what `kubectl get pods` and `describe` show, live from a watch.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApiError, PodDetail, PodSummary, PodWatchMessage } from '../../../src/shared/api.js';
import { nobodyKubeconfig, waitFor } from '../../support/cluster.js';
import { createTestPod, deleteTestPod } from '../../support/pods.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../../support/podscope.js';
import { kubectl } from '../../support/cluster.js';

let podscope: RunningPodscope;
before(async () => {
  podscope = await startPodscope();
});
after(() => podscope.close());

const base = () => `/api/clusters/${CLUSTER}/namespaces/demo`;

describe('pod list', () => {
  test('STATUS matches kubectl get pods for every demo pod', async () => {
    // Only the demo workloads: other tests create and delete pods in this namespace meanwhile.
    const demo =
      /^(configerror|crashloop|firehose|imagepull|migrate-\w+|multi|noshell|oomkilled|pending|unhealthy|web-\w+-\w+)$/;
    await waitFor(
      'statuses to agree',
      async () => {
        const ours = (await podscope.getJson<PodSummary[]>(`${base()}/pods`)).body.filter((p) =>
          demo.test(p.name),
        );
        const r = await kubectl(['-n', 'demo', 'get', 'pods', '--no-headers']);
        const theirs = new Map(
          r.stdout
            .trim()
            .split('\n')
            .map((l) => l.trim().split(/\s+/))
            .filter((cols) => demo.test(cols[0]!))
            .map((cols) => [cols[0]!, { ready: cols[1]!, status: cols[2]!, restarts: Number(cols[3]) }]),
        );
        for (const p of ours) {
          const k = theirs.get(p.name);
          if (
            !k ||
            k.status !== p.status ||
            k.ready !== `${p.ready}/${p.total}` ||
            k.restarts !== p.restarts
          ) {
            return undefined;
          }
        }
        return ours.length === theirs.size && ours.length >= 13 ? true : undefined;
      },
      60_000,
      2000,
    );
  });

  test('problem pods are flagged and healthy ones are not', async () => {
    const pods = (await podscope.getJson<PodSummary[]>(`${base()}/pods`)).body;
    const byName = (prefix: string) =>
      pods.filter((p) => p.name === prefix || p.name.startsWith(`${prefix}-`));
    for (const name of ['crashloop', 'oomkilled', 'imagepull', 'pending', 'configerror']) {
      assert.ok(
        byName(name).every((p) => p.problem),
        `${name} is a problem`,
      );
    }
    for (const p of [...byName('web'), ...byName('multi')]) assert.equal(p.problem, false, p.name);
    assert.ok(byName('web').every((p) => p.owner?.kind === 'ReplicaSet' && p.node === 'podscope-node'));
  });

  test('the watch sends a snapshot, then an upsert and a delete for a new pod', async () => {
    const ws = podscope.ws<PodWatchMessage>(`/api/clusters/${CLUSTER}/namespaces/demo/pods/watch`);
    try {
      await ws.until('snapshot', (m) =>
        m.some((x) => x.type === 'snapshot' && x.pods.some((p) => p.name === 'crashloop')),
      );
      const name = await createTestPod({ prefix: 'watched', script: 'sleep 3600' });
      await ws.until(
        'running upsert',
        (m) => m.some((x) => x.type === 'upsert' && x.pod.name === name && x.pod.status === 'Running'),
        60_000,
      );
      await deleteTestPod(name);
      await ws.until('delete', (m) => m.some((x) => x.type === 'delete' && x.name === name), 60_000);
    } finally {
      ws.close();
    }
  });
});

describe('pod page', () => {
  test('shows init and app containers with state, last termination and restarts', async () => {
    const multi = (await podscope.getJson<PodDetail>(`${base()}/pods/multi`)).body;
    assert.deepEqual(
      multi.containers.map((c) => [c.kind, c.name]),
      [
        ['init', 'init-config'],
        ['app', 'app'],
        ['app', 'sidecar'],
      ],
    );
    assert.equal(multi.containers[0]!.state, 'terminated');
    assert.equal(multi.containers[0]!.reason, 'Completed');
    assert.equal(multi.containers[0]!.exitCode, 0);

    const crash = (await podscope.getJson<PodDetail>(`${base()}/pods/crashloop`)).body;
    const app = crash.containers[0]!;
    assert.ok(app.restartCount > 0);
    assert.equal(app.lastTermination?.exitCode, 1);
    assert.equal(app.lastTermination?.reason, 'Error');

    const oom = (await podscope.getJson<PodDetail>(`${base()}/pods/oomkilled`)).body;
    assert.equal(oom.containers[0]!.lastTermination?.reason, 'OOMKilled');
  });
});

describe('Kubernetes failures in plain words', () => {
  test('RBAC: a user with no bindings gets 403 and a sentence', async () => {
    const nobody = await startPodscope({ kubeconfig: nobodyKubeconfig });
    try {
      const r = await nobody.getJson<ApiError>(`/api/clusters/${CLUSTER}/namespaces/demo/pods`);
      assert.equal(r.status, 403);
      assert.match(
        r.body.error,
        /^Kubernetes RBAC does not allow this: .*User "podscope-nobody" cannot list resource "pods"/,
      );
      const logs = await nobody.getJson<ApiError>(
        `/api/clusters/${CLUSTER}/namespaces/demo/pods/crashloop/logs`,
      );
      assert.equal(logs.status, 403);
    } finally {
      await nobody.close();
    }
  });

  test('an unreachable API server is a 502 naming the server', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dir = mkdtempSync(path.join(tmpdir(), 'podscope-unreachable-'));
    const file = path.join(dir, 'kubeconfig');
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': 'gone',
        clusters: [
          { name: 'gone', cluster: { server: 'https://127.0.0.1:1', 'insecure-skip-tls-verify': true } },
        ],
        users: [{ name: 'u', user: { token: 'x' } }],
        contexts: [{ name: 'gone', context: { cluster: 'gone', user: 'u' } }],
      }),
    );
    const down = await startPodscope({ kubeconfig: file });
    try {
      const r = await down.getJson<ApiError>(`/api/clusters/gone/namespaces`);
      assert.equal(r.status, 502);
      assert.match(
        r.body.error,
        /Cannot reach the Kubernetes API server at https:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/,
      );
    } finally {
      await down.close();
    }
  });
});
