// Podscope installed into the real local cluster with its Helm chart, as `npm run demo:platform` does
// (scripts/platform/install.sh): both replicas Ready on read-only root filesystems, the UI and the
// API answer through the Service with no affinity (a cookie from one replica works on the other), the
// features work as the chart's ServiceAccount, and that account can do nothing more than the chart says.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { V1Deployment, V1Pod, V1Service } from '@kubernetes/client-node';
import { getJson, kubectl, uniqueName, waitFor } from '../../support/cluster.js';
import { helm, installPodscope, releasePods } from '../../support/helm.js';
import { CLUSTER, WsClient } from '../../support/podscope.js';
import { TerminalClient, terminalUrl } from '../terminal/terminal-client.js';
import type { PodSummary } from '../../../src/shared/api.js';
import type { DebugPodCreated } from '../../../src/shared/debug/debug-api.js';

const ns = uniqueName('platform');
const release = 'podscope-it';
const sa = `system:serviceaccount:${ns}:${release}`;

let base = ''; // http://10.213.0.1:NODEPORT
let token = '';
let podIps: string[] = [];

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A GET with our own Host header and cookie (fetch sets neither). */
function get(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers, timeout: 15_000 }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

describe('Podscope installed with its Helm chart', () => {
  before(async () => {
    // The shared access token (token login, the chart's default, has its own test: auth/in-cluster-login).
    const r = await installPodscope({
      namespace: ns,
      release,
      helmArgs: ['--set', 'auth.mode=access-token'],
    });
    assert.equal(r.code, 0, r.out);
    const m = /Open: (http:\/\/10\.213\.0\.1:\d+)\/c\/podscope-local\/ns\/demo\?token=([A-Za-z0-9]+)/.exec(
      r.out,
    );
    assert.ok(m, r.out);
    [, base, token] = m as unknown as [string, string, string];
    const pods = { items: await releasePods(ns, release) };
    podIps = pods.items.map((p) => p.status!.podIP!);
  });

  after(async () => {
    await helm(['uninstall', release, '--namespace', ns, '--wait']);
    await kubectl(['delete', 'namespace', ns, '--wait=false']);
  });

  test('both replicas are Ready, as non-root on a read-only root filesystem, on their own pod IPs', async () => {
    const d = await getJson<V1Deployment>(['-n', ns, 'get', 'deployment', release]);
    assert.equal(d.status?.readyReplicas, 2);
    const pods = { items: await releasePods(ns, release) };
    assert.equal(pods.items.length, 2);
    for (const p of pods.items) {
      assert.equal(p.status?.containerStatuses?.[0]?.ready, true, `${p.metadata?.name} ready`);
      assert.equal(p.spec?.containers[0]?.securityContext?.readOnlyRootFilesystem, true);
      assert.equal(p.spec?.securityContext?.runAsUser, 65532);
      assert.equal(p.spec?.serviceAccountName, release);
    }
    assert.equal(new Set(podIps).size, 2);
  });

  test('the UI answers through the Service: the printed URL logs the browser in and the app loads', async () => {
    const login = await get(`${base}/c/podscope-local/ns/demo?token=${token}`);
    assert.equal(login.status, 302);
    assert.equal(login.headers.location, '/c/podscope-local/ns/demo');
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    assert.match(cookie, /^podscope-token-7420=/);
    const page = await get(`${base}/c/podscope-local/ns/demo`, { cookie, accept: 'text/html' });
    assert.equal(page.status, 200);
    assert.match(page.body, /<div id="root"><\/div>/);
    assert.equal((await get(`${base}/api/clusters`)).status, 401, 'nothing without the token');
  });

  test('a cookie one replica gave is accepted by the other; the Service answers to its DNS name only', async () => {
    const [a, b] = podIps;
    const login = await get(`http://${a}:7420/?token=${token}`);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const onB = await get(`http://${b}:7420/api/clusters`, { cookie });
    assert.equal(onB.status, 200, onB.body);
    assert.deepEqual(
      (JSON.parse(onB.body) as { name: string }[]).map((c) => c.name),
      ['podscope-local'],
    );
    const svc = await getJson<V1Service>(['-n', ns, 'get', 'service', release]);
    const viaClusterIp = await get(`http://${svc.spec!.clusterIP}/api/clusters`, {
      cookie,
      host: `${release}.${ns}.svc.cluster.local`,
    });
    assert.equal(viaClusterIp.status, 200, 'the Service DNS name is one of the names Podscope answers to');
    const byIp = await get(`http://${svc.spec!.clusterIP}/api/clusters`, { cookie });
    assert.equal(byIp.status, 403, 'a name nobody configured is refused (DNS rebinding)');
  });

  test('as its ServiceAccount it lists the demo pods, streams logs over a WebSocket and opens a terminal', async () => {
    const headers = { authorization: `Bearer ${token}` };
    const pods = JSON.parse(
      (await get(`${base}/api/clusters/${CLUSTER}/namespaces/demo/pods`, headers)).body,
    ) as PodSummary[];
    const web = pods.find((p) => p.name.startsWith('web-') && p.status === 'Running');
    assert.ok(web, JSON.stringify(pods).slice(0, 500));

    const wsBase = base.replace(/^http/, 'ws');
    const follow = new WsClient<{ type: string; lines?: unknown[] }>(
      `${wsBase}/api/clusters/${CLUSTER}/namespaces/demo/pods/${web.name}/logs/stream?container=app&tailLines=5`,
      { ...headers, origin: base },
    );
    await follow.until('log lines', (msgs) => msgs.some((m) => (m.lines?.length ?? 0) > 0));
    follow.close();

    const t = new TerminalClient(terminalUrl(wsBase, 'demo', web.name, { container: 'app' }), {
      ...headers,
      origin: base,
    });
    await t.ready();
    t.type('echo podscope-$((6*7))\r');
    await t.outputMatches(/podscope-42/);
    t.type('exit\r');
    await t.closed;
  });

  test('a pod copy made through one replica is deleted through the other (RBAC and the admission policy allow it)', async () => {
    const [a, b] = podIps;
    const json = { authorization: `Bearer ${token}`, 'content-type': 'application/json', origin: base };
    const api = `/api/clusters/${CLUSTER}/namespaces/demo`;
    const made = await fetch(`http://${a}:7420${api}/pods/crashloop/copies`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ container: 'app' }),
    });
    const copy = (await made.json()) as DebugPodCreated;
    assert.equal(made.status, 201, JSON.stringify(copy));
    const pod = await getJson<V1Pod>(['-n', 'demo', 'get', 'pod', copy.pod]);
    assert.equal(pod.metadata?.labels?.['app.kubernetes.io/managed-by'], 'podscope');
    const gone = await fetch(`http://${b}:7420${api}/debug-pods/${copy.pod}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}`, origin: base },
    });
    assert.deepEqual([gone.status, await gone.json()], [200, { deleted: true }]);
  });

  test('the ServiceAccount has the rights the chart documents and no more', async () => {
    const can = async (...args: string[]) =>
      (await kubectl(['auth', 'can-i', ...args, '--as', sa])).stdout.trim();
    for (const allowed of [
      ['list', 'pods', '-A'],
      ['get', 'pods', '--subresource=log', '-n', 'demo'],
      ['create', 'pods', '--subresource=exec', '-n', 'demo'],
      ['get', 'pods', '--subresource=exec', '-n', 'demo'],
      ['patch', 'pods', '--subresource=ephemeralcontainers', '-n', 'demo'],
      ['watch', 'events', '-n', 'demo'],
    ]) {
      assert.equal(await can(...allowed), 'yes', allowed.join(' '));
    }
    for (const denied of [
      ['get', 'secrets', '-n', ns],
      ['list', 'secrets', '-A'],
      ['get', 'configmaps', '-n', 'demo'],
      ['create', 'deployments', '-n', 'demo'],
      ['delete', 'namespaces'],
      ['get', 'nodes'],
      ['impersonate', 'users'],
      ['escalate', 'clusterroles'],
      ['create', 'clusterrolebindings'],
    ]) {
      assert.equal(await can(...denied), 'no', denied.join(' '));
    }
  });

  test('the replicas elect one leader on their Lease, which is all the ServiceAccount may touch of Leases', async () => {
    const pods = { items: await releasePods(ns, release) };
    const names = pods.items.map((p) => p.metadata!.name!);
    const holder = await waitFor(
      'a leader',
      async () => {
        const lease = await getJson<{ spec?: { holderIdentity?: string } }>([
          '-n',
          ns,
          'get',
          'lease',
          `${release}-leader`,
        ]);
        return lease.spec?.holderIdentity || undefined;
      },
      60_000,
    );
    // Replica ids are the pod's name (its hostname) and a random part.
    assert.ok(
      names.some((n) => holder.startsWith(`${n}-`)),
      `${holder} is one of ${names.join(', ')}`,
    );
    const can = async (...args: string[]) =>
      (await kubectl(['auth', 'can-i', ...args, '--as', sa])).stdout.trim();
    assert.equal(await can('update', `leases.coordination.k8s.io/${release}-leader`, '-n', ns), 'yes');
    assert.equal(await can('update', 'leases.coordination.k8s.io/another', '-n', ns), 'no');
    assert.equal(await can('create', 'leases.coordination.k8s.io', '-n', 'demo'), 'no');
  });

  test('the admission policy: it may not delete or create pods that are not its own, nor node debug pods', async () => {
    const victim = (await kubectl(['-n', 'demo', 'get', 'pods', '-o', 'name'])).stdout.split('\n')[0]!;
    const del = await kubectl(['-n', 'demo', 'delete', victim, '--dry-run=server', '--as', sa]);
    assert.notEqual(del.code, 0);
    assert.match(del.stderr, /may only create, change or delete the pods Podscope makes/);

    const pod = (labels: Record<string, string>) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: uniqueName('vap'), namespace: 'demo', labels },
        spec: { containers: [{ name: 'c', image: 'podscope.local/app:1', imagePullPolicy: 'Never' }] },
      });
    const create = (labels: Record<string, string>) =>
      kubectl(['create', '-f', '-', '--dry-run=server', '--as', sa], { input: pod(labels) });
    const foreign = await create({ app: 'anything' });
    assert.notEqual(foreign.code, 0);
    assert.match(foreign.stderr, /may only create, change or delete the pods Podscope makes/);
    const copy = await create({
      'app.kubernetes.io/managed-by': 'podscope',
      'podscope.io/debug-pod': 'copy',
    });
    assert.equal(copy.code, 0, copy.stderr);
    const node = await create({
      'app.kubernetes.io/managed-by': 'podscope',
      'podscope.io/debug-pod': 'node',
    });
    assert.notEqual(node.code, 0);
    assert.match(node.stderr, /Node debugging is off in this installation/);
    // The policy binds Podscope's account only: the admin is not affected.
    assert.equal(
      (await kubectl(['create', '-f', '-', '--dry-run=server'], { input: pod({ app: 'x' }) })).code,
      0,
    );
  });

  test('readiness follows the API server check: /readyz of a replica says what it checked', async () => {
    const r = await waitFor('readyz', async () => {
      const res = await get(`http://${podIps[0]}:7420/readyz`);
      return res.status === 200 ? res : undefined;
    });
    assert.deepEqual(JSON.parse(r.body), {
      status: 'ready',
      checks: [
        { name: 'kubernetes-api', ok: true },
        { name: 'audit-store', ok: true },
      ],
    });
  });
});
