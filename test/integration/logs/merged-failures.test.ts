// How a merged stream ends when something fails: a source Kubernetes refuses ends the stream with a
// plain error; a browser that vanishes mid-stream ends it quietly and releases its connections. In
// neither case may a promise be rejected with nobody listening (Node would exit on it).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { WebSocket } from 'ws';
import type { LogStreamMessage } from '../../../src/shared/api.js';
import { parseConfig } from '../../../src/server/config/podscope-config.js';
import { adminKubeconfig, kubectl, kubectlOk } from '../../support/cluster.js';
import { createTestPod, deleteTestPod, waitRunning } from '../../support/pods.js';
import { CLUSTER, startPodscope, WsClient } from '../../support/podscope.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
process.on('unhandledRejection', onUnhandled);

const label = `failing-${process.pid}`;
const account = `podscope-nolog-${process.pid}`;
const dir = mkdtempSync(path.join(tmpdir(), 'podscope-nolog-'));
let pod: string;

before(async () => {
  pod = await createTestPod({
    prefix: 'failing',
    script: 'while true; do echo "still here"; sleep 0.5; done',
    labels: { failing: label },
  });
  await waitRunning(pod);
});
after(async () => {
  process.off('unhandledRejection', onUnhandled);
  if (pod) await deleteTestPod(pod);
  rmSync(dir, { recursive: true, force: true });
});

/** A kubeconfig for a service account that may list and watch pods in demo, but not read their logs. */
async function kubeconfigWithoutLogAccess(): Promise<string> {
  await kubectlOk(['-n', 'demo', 'create', 'serviceaccount', account]);
  await kubectlOk(['-n', 'demo', 'create', 'role', account, '--verb=get,list,watch', '--resource=pods']);
  await kubectlOk([
    '-n',
    'demo',
    'create',
    'rolebinding',
    account,
    `--role=${account}`,
    `--serviceaccount=demo:${account}`,
  ]);
  const token = (await kubectlOk(['-n', 'demo', 'create', 'token', account, '--duration=1h'])).trim();
  const admin = new KubeConfig();
  admin.loadFromFile(adminKubeconfig);
  const cluster = admin.getCurrentCluster()!;
  const file = path.join(dir, 'kubeconfig');
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: CLUSTER, cluster: { server: cluster.server, 'certificate-authority': cluster.caFile } },
      ],
      users: [{ name: account, user: { token } }],
      contexts: [{ name: CLUSTER, context: { cluster: CLUSTER, user: account, namespace: 'demo' } }],
      'current-context': CLUSTER,
    }),
  );
  return file;
}

describe('a merged stream that fails', () => {
  test('a source refused by RBAC (no pods/log) ends the stream with that error, once', async () => {
    let podscope: Awaited<ReturnType<typeof startPodscope>> | undefined;
    try {
      podscope = await startPodscope({ kubeconfig: await kubeconfigWithoutLogAccess() });
      const ws = new WsClient<LogStreamMessage>(
        `${podscope.wsUrl}/api/clusters/${CLUSTER}/namespaces/demo/logs/stream?selector=${encodeURIComponent(`failing=${label}`)}&follow=true`,
        podscope.headers,
      );
      const msgs = await ws.until('the error', (m) => m.some((x) => x.type === 'error'), 30_000);
      const errors = msgs.filter((m) => m.type === 'error');
      assert.equal(errors.length, 1);
      const error = errors[0]!;
      assert.equal(error.type === 'error' && error.status, 403);
      assert.match(
        error.type === 'error' ? error.message : '',
        /^Kubernetes RBAC does not allow this: .*pods\/log/,
      );
      assert.ok(!msgs.some((m) => m.type === 'lines'), 'no output was read');
      await ws.until('the socket closed', () => ws.closedWith !== null, 10_000);
      assert.equal(ws.closedWith?.code, 1008);
      assert.deepEqual(unhandled, []);
    } finally {
      await podscope?.close();
      for (const kind of ['rolebinding', 'role', 'serviceaccount']) {
        await kubectl(['-n', 'demo', 'delete', kind, account, '--ignore-not-found', '--wait=false']);
      }
    }
  });

  test('the browser vanishing mid-stream ends it quietly and frees its stream connections', async () => {
    // Two stream connections: the merged stream of one pod holds both (its log and its pod watch).
    const podscope = await startPodscope({
      config: parseConfig({ limits: { kubeStreamConnections: 2, mergedLogPendingBytes: 64 * 1024 } }),
    });
    try {
      const base = `${podscope.wsUrl}/api/clusters/${CLUSTER}/namespaces/demo`;
      // firehose writes about 4,000 lines a second on top of its backlog: sends are in flight.
      const raw = new WebSocket(`${base}/logs/stream?selector=app%3Dfirehose&follow=true&tailLines=20000`, {
        headers: podscope.headers,
      });
      let received = 0;
      await new Promise<void>((resolve, reject) => {
        raw.on('message', () => {
          received++;
          if (received === 3) resolve();
        });
        raw.once('error', reject);
      });
      raw.terminate(); // no close handshake: like a browser tab killed or a network gone

      // Both connections come back: two follows of our pod can stream side by side.
      const a = new WsClient<LogStreamMessage>(
        `${base}/pods/${pod}/logs/stream?follow=true&tailLines=1`,
        podscope.headers,
      );
      const b = new WsClient<LogStreamMessage>(
        `${base}/pods/${pod}/logs/stream?follow=true&tailLines=1`,
        podscope.headers,
      );
      try {
        const has = (m: LogStreamMessage[]) => m.some((x) => x.type === 'lines');
        await Promise.all([
          a.until('follow a streaming', has, 30_000),
          b.until('follow b streaming', has, 30_000),
        ]);
      } finally {
        a.close();
        b.close();
      }
      const res = await podscope.fetch(`/api/clusters/${CLUSTER}/namespaces/demo/pods`);
      assert.equal(res.status, 200, 'the server still serves');
      assert.deepEqual(unhandled, []);
    } finally {
      await podscope.close();
    }
  });
});
