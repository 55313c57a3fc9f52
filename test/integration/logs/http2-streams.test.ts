// Long-lived requests over HTTP/2 against the real API server: hundreds of streams (log follows and
// watches) share a few TLS connections (as many per connection as the server's SETTINGS allow), an
// aborted follow frees its place, and every request keeps its own identity on a shared connection.
// Mostly watches: each log follow costs the kubelet an inotify instance, and a node has 128 of them
// for everything by default (fs.inotify.max_user_instances) — beyond, the kubelet answers a follow
// with "failed to create fsnotify watcher: too many open files" and ends it.
import assert from 'node:assert/strict';
import { setMaxListeners } from 'node:events';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeApiError } from '../../../src/server/http/errors.js';
import { BearerTokenCredential } from '../../../src/server/kube/identity.js';
import { ClusterConnection, type KubeClient } from '../../../src/server/kube/kube-client.js';
import { podPath } from '../../../src/server/kube/pods.js';
import { adminKubeconfig, kubectl, uniqueName } from '../../support/cluster.js';
import { createTestPod, deleteTestPod, waitRunning } from '../../support/pods.js';
import { CLUSTER } from '../../support/podscope.js';
import { READ_PODS, serviceAccount, tokenOf } from '../../support/token-login.js';

const FOLLOWS = 20;
const WATCHES = 230;
const STREAMS = FOLLOWS + WATCHES;
let pod: string;
let cluster: ClusterConnection;
let apiPort: number;
const reader = uniqueName('h2-reader');
const nobody = uniqueName('h2-nobody');

before(async () => {
  pod = await createTestPod({
    prefix: 'h2',
    script: 'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.2; done',
  });
  await Promise.all([
    waitRunning(pod),
    serviceAccount('demo', reader, READ_PODS),
    serviceAccount('demo', nobody, []),
  ]);
  const kc = new KubeConfig();
  kc.loadFromFile(adminKubeconfig);
  const server = kc.getCurrentCluster()!.server;
  apiPort = Number(new URL(server).port || 443);
  cluster = new ClusterConnection(CLUSTER, kc, server, null, {
    kubeRequestConnections: 4,
    kubeStreamConnections: 4,
    kubeStreams: STREAMS + 50,
  });
});
after(async () => {
  cluster?.close();
  if (pod) await deleteTestPod(pod);
  for (const kind of ['rolebinding', 'role', 'serviceaccount']) {
    await kubectl(['-n', 'demo', 'delete', kind, reader, nobody, '--ignore-not-found', '--wait=false']);
  }
});

/** This process's TCP connections to the API server's port, counted by the kernel (not by us). */
function tcpConnectionsToApiServer(): number {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const row of text.split('\n').slice(1)) {
      const f = row.trim().split(/\s+/);
      if (f.length < 10) continue;
      const remotePort = parseInt(f[2]!.split(':')[1]!, 16);
      if (remotePort === apiPort && f[3] === '01') inodes.add(f[9]!); // 01: ESTABLISHED
    }
  }
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m && inodes.has(m[1]!)) n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

const follow = (client: KubeClient, signal: AbortSignal) =>
  client.stream({
    path: `${podPath('demo', pod)}/log`,
    query: { follow: true, tailLines: 1 },
    signal,
  });

const watch = (client: KubeClient, signal: AbortSignal) =>
  client.stream({
    path: '/api/v1/namespaces/demo/pods',
    query: { watch: true, fieldSelector: `metadata.name=${pod}` },
    signal,
  });

const firstChunk = (body: Readable) =>
  new Promise<string>((resolve, reject) => {
    body.once('data', (d: Buffer) => resolve(d.toString()));
    body.once('error', reject);
  });

const streamsOpen = () => cluster.h2.connections.reduce((n, c) => n + c.active, 0);

describe('log follows over HTTP/2', () => {
  const stop = new AbortController();
  setMaxListeners(STREAMS * 4, stop.signal); // one signal for every stream of the test
  after(() => stop.abort());

  test(`${STREAMS} streams share a few TLS connections, within the server's stream limit`, async () => {
    assert.equal(cluster.http2, true, 'the local API server is reached directly over TLS');
    const bodies = await Promise.all(
      Array.from({ length: STREAMS }, (_, i) =>
        (i < FOLLOWS ? follow : watch)(cluster.client(null), stop.signal),
      ),
    );
    const firsts = await Promise.all(bodies.map(firstChunk));
    assert.ok(
      firsts.slice(0, FOLLOWS).every((t) => /tick \d+/.test(t)),
      'every follow streams the pod',
    );
    assert.ok(
      firsts.slice(FOLLOWS).every((t) => t.startsWith('{"type":"ADDED"')),
      'every watch streams its events',
    );
    const connections = cluster.h2.connections;
    const perConnection = connections[0]!.maxStreams;
    assert.ok(perConnection >= 100, `the server allows ${perConnection} streams per connection`);
    assert.equal(connections.length, Math.ceil(STREAMS / perConnection));
    assert.ok(connections.every((c) => c.active <= c.maxStreams));
    assert.equal(streamsOpen(), STREAMS);
    assert.equal(cluster.streamSlots.inUse, STREAMS);
    // What the kernel sees: a handful of TCP connections, not one per follow.
    assert.ok(
      tcpConnectionsToApiServer() <= connections.length + 4,
      `${tcpConnectionsToApiServer()} TCP connections to the API server for ${STREAMS} streams`,
    );
  });

  test('a follow that is aborted frees its place at once; the next one reuses the connection', async () => {
    const before = cluster.h2.connections.length;
    const leaving = new AbortController();
    const body = await follow(cluster.client(null), leaving.signal);
    await firstChunk(body);
    assert.equal(streamsOpen(), STREAMS + 1);
    leaving.abort();
    const deadline = Date.now() + 5000;
    while (streamsOpen() !== STREAMS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(streamsOpen(), STREAMS);
    assert.equal(cluster.streamSlots.inUse, STREAMS);
    const next = await follow(cluster.client(null), stop.signal);
    await firstChunk(next);
    assert.equal(cluster.h2.connections.length, before, 'no new connection for the next follow');
  });

  test('identity is per request: on a shared connection, an impersonated user without log access gets 403', async () => {
    const before = cluster.h2.connections.length;
    const outsider = cluster.client({ user: 'podscope-h2-outsider@podscope.test', groups: [] });
    await assert.rejects(
      follow(outsider, stop.signal),
      (err: unknown) =>
        err instanceof KubeApiError &&
        err.status === 403 &&
        /podscope-h2-outsider@podscope\.test.*cannot get resource "pods\/log"/.test(err.message),
    );
    // The same user in a group that may read everything: allowed, on the same connections.
    const admin = cluster.client({ user: 'podscope-h2-outsider@podscope.test', groups: ['system:masters'] });
    assert.match(await firstChunk(await follow(admin, stop.signal)), /tick \d+/);
    assert.equal(cluster.h2.connections.length, before, 'both went over the shared connections');
    assert.equal(streamsOpen(), STREAMS + 2, 'the refused one holds nothing');
  });

  test("a person's own token: a connection without Podscope's client certificate, the token's RBAC", async () => {
    const before = cluster.h2.connections.length;
    const asReader = cluster.client({
      user: `system:serviceaccount:demo:${reader}`,
      groups: [],
      credential: new BearerTokenCredential(CLUSTER, await tokenOf('demo', reader)),
    });
    const asNobody = cluster.client({
      user: `system:serviceaccount:demo:${nobody}`,
      groups: [],
      credential: new BearerTokenCredential(CLUSTER, await tokenOf('demo', nobody)),
    });
    assert.match(await firstChunk(await follow(asReader, stop.signal)), /tick \d+/);
    await assert.rejects(
      follow(asNobody, stop.signal),
      (err: unknown) =>
        err instanceof KubeApiError &&
        err.status === 403 &&
        new RegExp(`serviceaccount:demo:${nobody}.*cannot get resource "pods/log"`).test(err.message),
    );
    assert.equal(
      cluster.h2.connections.length,
      before + 1,
      'token calls share one connection of their own (no client certificate on it)',
    );
  });
});
