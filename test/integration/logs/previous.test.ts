// "Previous" on a crash-looping container always shows the instance that crashed — also in the window
// right after a crash, when the status still names the ended instance as the current one and the
// kubelet's `previous` would read the instance before it (often already garbage-collected).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { LogStreamMessage } from '../../../src/shared/api.js';
import { getJson, waitFor } from '../../support/cluster.js';
import { createTestPod, deleteTestPod } from '../../support/pods.js';
import { CLUSTER, startPodscope } from '../../support/podscope.js';

interface PodStatus {
  status?: {
    containerStatuses?: {
      restartCount: number;
      state?: { terminated?: { containerID?: string } };
    }[];
  };
}

const created: string[] = [];
after(async () => {
  await Promise.all(created.map(deleteTestPod));
});

test('previous logs (stream and download) right after a crash are those of the instance that just crashed', async () => {
  // Each instance prints its own container ID (from its cgroup path) and crashes a second later.
  const pod = await createTestPod({
    prefix: 'crashes',
    script: 'echo "id $(grep -o "[0-9a-f]\\{64\\}" /proc/self/cgroup | head -n 1)"; sleep 1; exit 3',
  });
  created.push(pod);
  const podscope = await startPodscope();
  try {
    // Catch the moment the status shows a crashed instance as the current, terminated one.
    const ended = await waitFor(
      'a crashed instance shown as terminated',
      async () => {
        const p = await getJson<PodStatus>(['-n', 'demo', 'get', 'pod', pod]);
        const s = p.status?.containerStatuses?.[0];
        const id = s?.state?.terminated?.containerID;
        return s && s.restartCount >= 1 && id ? id.replace(/^containerd:\/\//, '') : undefined;
      },
      120_000,
      100,
    );
    const ws = podscope.ws<LogStreamMessage>(
      `/api/clusters/${CLUSTER}/namespaces/demo/pods/${pod}/logs/stream?previous=true`,
    );
    const msgs = await ws.until('the end', (m) => m.some((x) => x.type === 'end' || x.type === 'error'));
    const texts = msgs.flatMap((m) => (m.type === 'lines' ? m.lines.map((l) => l.text) : []));
    assert.deepEqual(texts, [`id ${ended}`], JSON.stringify(msgs));
    ws.close();
    // The download of "previous" is the same instance.
    const res = await podscope.fetch(
      `/api/clusters/${CLUSTER}/namespaces/demo/pods/${pod}/logs?previous=true`,
    );
    assert.equal(await res.text(), `id ${ended}\n`);
  } finally {
    await podscope.close();
  }
});
