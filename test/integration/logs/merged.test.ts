// Merged output of a workload: every pod's lines, interleaved by timestamp, each with its source.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LogLine, LogStreamMessage } from '../../../src/shared/api.js';
import { compareTimestamps } from '../../../src/shared/logs/timestamps.js';
import { createTestPod, deleteTestPod } from '../../support/pods.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../../support/podscope.js';

let podscope: RunningPodscope;
before(async () => {
  podscope = await startPodscope();
});
after(() => podscope.close());

const lines = (m: LogStreamMessage[]): LogLine[] => m.flatMap((x) => (x.type === 'lines' ? x.lines : []));

describe('merged workload logs', () => {
  test('a Deployment: lines of all 3 replicas, ordered by timestamp within each batch', async () => {
    const ws = podscope.ws<LogStreamMessage>(
      `/api/clusters/${CLUSTER}/namespaces/demo/workloads/deployment/web/logs/stream?tailLines=5`,
    );
    try {
      const msgs = await ws.until(
        '3 sources',
        (m) => new Set(lines(m).map((l) => l.source?.pod)).size >= 3,
        30_000,
      );
      for (const m of msgs) {
        if (m.type !== 'lines') continue;
        for (let i = 1; i < m.lines.length; i++) {
          assert.ok(compareTimestamps(m.lines[i - 1]!.ts, m.lines[i]!.ts) <= 0, 'sorted by timestamp');
        }
      }
      assert.ok(lines(msgs).every((l) => l.source?.container === 'app' && l.source.pod.startsWith('web-')));
    } finally {
      ws.close();
    }
  });

  test('a label selector picks up a pod that appears later', async () => {
    const label = `merge-${process.pid}`;
    const first = await createTestPod({
      prefix: 'merge-a',
      script: 'while true; do echo "from a"; sleep 1; done',
      labels: { merge: label },
    });
    const ws = podscope.ws<LogStreamMessage>(
      `/api/clusters/${CLUSTER}/namespaces/demo/logs/stream?selector=${encodeURIComponent(`merge=${label}`)}`,
    );
    let second: string | undefined;
    try {
      await ws.until('lines from a', (m) => lines(m).some((l) => l.text === 'from a'), 60_000);
      second = await createTestPod({
        prefix: 'merge-b',
        script: 'while true; do echo "from b"; sleep 1; done',
        labels: { merge: label },
      });
      const msgs = await ws.until('lines from b', (m) => lines(m).some((l) => l.text === 'from b'), 60_000);
      assert.ok(
        msgs.some((m) => m.type === 'marker' && m.kind === 'source-added' && m.source?.pod === second),
      );
      assert.ok(
        lines(msgs)
          .filter((l) => l.text === 'from b')
          .every((l) => l.source?.pod === second),
      );
      assert.ok(
        lines(msgs)
          .filter((l) => l.text === 'from a')
          .every((l) => l.source?.pod === first),
      );
    } finally {
      ws.close();
      await deleteTestPod(first);
      if (second) await deleteTestPod(second);
    }
  });
});
