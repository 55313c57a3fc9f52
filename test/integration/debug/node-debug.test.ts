// Node debugging on the real cluster: a pod on the node with the host's PID/network/IPC namespaces and
// its / at /host, audited, and deleted when its lease ends.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DebugPodCreated, LeaseMessage } from '../../../src/shared/debug/debug-api.js';
import type { SessionWithCommands } from '../../../src/server/audit/audit-store.js';
import { kubectlOk } from '../../support/cluster.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../../support/podscope.js';
import { deletePod, execIn, request, waitGone } from './debug-helpers.js';

let podscope: RunningPodscope;
let node: string;
let created: DebugPodCreated | undefined;
before(async () => {
  podscope = await startPodscope({ debug: { leaseGraceMs: 1000 } });
  node = (await kubectlOk(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
});
after(async () => {
  if (created) await deletePod(created.pod, created.namespace);
  await podscope.close();
});

test('a node debug pod sees the node’s processes and its filesystem at /host, and goes with its lease', async () => {
  const r = await request<DebugPodCreated>(
    podscope,
    'POST',
    `/api/clusters/${CLUSTER}/nodes/${node}/debug`,
    {},
  );
  assert.equal(r.status, 201, JSON.stringify(r.body));
  created = r.body;
  assert.equal(created.kind, 'node');
  assert.equal(created.namespace, 'default');
  assert.equal(created.container, 'debugger');
  const ws = podscope.ws<LeaseMessage>(
    `/api/clusters/${CLUSTER}/namespaces/${created.namespace}/debug-pods/${created.pod}/lease`,
  );
  await ws.until('leased', (m) => m.some((x) => x.type === 'leased'));

  const ps = await execIn(created.pod, 'debugger', ['ps', '-eo', 'args'], created.namespace);
  assert.match(ps, /kubelet/, 'host PID namespace: the kubelet is visible');
  assert.match(ps, /containerd/);
  const hostname = (
    await execIn(created.pod, 'debugger', ['cat', '/host/etc/hostname'], created.namespace)
  ).trim();
  assert.ok(hostname.length > 0);
  const hostEtc = await execIn(created.pod, 'debugger', ['ls', '/host'], created.namespace);
  assert.match(hostEtc, /\betc\b/);
  assert.match(hostEtc, /\busr\b/);

  const s = (await podscope.getJson<SessionWithCommands>(`/api/audit/sessions/${created.auditSession}`)).body;
  assert.equal(s.kind, 'node-debug');
  assert.equal(s.details['node'], node);

  ws.close();
  await waitGone(created.pod, created.namespace, 30_000);
});

test('an unknown node is a 404 and a namespace must exist', async () => {
  const r = await request<{ error: string }>(
    podscope,
    'POST',
    `/api/clusters/${CLUSTER}/nodes/no-such-node/debug`,
    {},
  );
  assert.equal(r.status, 404);
  assert.match(r.body.error, /There is no node "no-such-node"/);
  // The namespace of node pods is the server's setting, so its policy governs them: a request cannot pick one.
  const ns = await request<{ error: string }>(
    podscope,
    'POST',
    `/api/clusters/${CLUSTER}/nodes/${node}/debug`,
    { namespace: 'kube-system' },
  );
  assert.equal(ns.status, 400);
  assert.match(ns.body.error, /Unknown field "namespace"/);
  const pods = await kubectlOk(['get', 'pods', '-A', '-l', 'podscope.io/debug-pod=node', '-o', 'name']);
  assert.equal(pods.trim(), '', 'no node pod was created');
});
