// A follow keeps only what it needs of the pod it started from: the pod object read before the log
// request (6–12 KiB of parsed objects: managed fields, spec, status) must be free for the GC while the
// follow goes on. Kept, it was a third of a follow's JS heap (issue 13: 1,000 follows in one server).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { KubeConfig } from '@kubernetes/client-node';
import { ClusterConnection, type KubeClient } from '../../../src/server/kube/kube-client.js';
import { getPod } from '../../../src/server/kube/pods.js';
import { streamContainerLogs, type LogSink } from '../../../src/server/logs/container-logs.js';
import { adminKubeconfig } from '../../support/cluster.js';
import { createTestPod, deleteTestPod, waitRunning } from '../../support/pods.js';
import { CLUSTER } from '../../support/podscope.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

let pod: string;
let cluster: ClusterConnection;

before(async () => {
  pod = await createTestPod({
    prefix: 'follow-mem',
    script: 'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.1; done',
  });
  await waitRunning(pod);
  const kc = new KubeConfig();
  kc.loadFromFile(adminKubeconfig);
  cluster = new ClusterConnection(CLUSTER, kc, kc.getCurrentCluster()!.server, null, {
    kubeRequestConnections: 2,
    kubeStreamConnections: 2,
  });
});
after(async () => {
  cluster?.close();
  if (pod) await deleteTestPod(pod);
});

/**
 * Reads the pod and starts a follow with it, as the stream route does. Returns a weak reference to the
 * pod object and no strong one (this function's frame ends here).
 */
async function startFollow(client: KubeClient, sink: LogSink, signal: AbortSignal) {
  const podObject = await getPod(client, 'demo', pod);
  const done = streamContainerLogs(
    client,
    { namespace: 'demo', pod, container: 'app' },
    { follow: true, tailLines: 1 },
    sink,
    signal,
    podObject,
  );
  return { podRef: new WeakRef(podObject), done };
}

test('an open follow does not keep the pod object it started from', async () => {
  const client = cluster.client(null);
  const abort = new AbortController();
  let lines = 0;
  const sink: LogSink = {
    lines: async (batch) => {
      lines += batch.length;
    },
    marker: async () => undefined,
  };
  const { podRef, done } = await startFollow(client, sink, abort.signal);
  const until = async (what: string, ok: () => boolean) => {
    const deadline = Date.now() + 30_000;
    while (!ok()) {
      assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  try {
    await until('the first lines', () => lines >= 3);
    // Twice, with a turn of the event loop between: weak references are cleared after the GC's turn.
    gc();
    await new Promise((r) => setImmediate(r));
    gc();
    assert.equal(podRef.deref(), undefined, 'the follow still holds the pod object');
    const seen = lines;
    await until('more lines after the GC', () => lines >= seen + 3);
  } finally {
    abort.abort();
  }
  assert.equal(await done, 'stream closed');
});
