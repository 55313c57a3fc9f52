// Long-lived requests (log follows, watches) have their own pool (HTTP/2 streams, or HTTP/1.1
// connections): more follows than it holds wait for a free place, and short requests to the same
// cluster are not held up by them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { PodSummary, LogStreamMessage } from '../../../src/shared/api.js';
import { parseConfig } from '../../../src/server/config/podscope-config.js';
import { createTestPod, deleteTestPod, waitRunning } from '../../support/pods.js';
import { CLUSTER, startPodscope, WsClient, type RunningPodscope } from '../../support/podscope.js';

const STREAM_POOL = 3;
/** A pod list takes tens of ms here; a starved one would wait for a follow to end (never, here). */
const PROMPT_MS = 3000;
let podscope: RunningPodscope;
let pod: string;

before(async () => {
  pod = await createTestPod({
    prefix: 'pool',
    script: 'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.3; done',
  });
  await waitRunning(pod);
  podscope = await startPodscope({
    // Over HTTP/2 (the local API server) kubeStreams bounds the streams; over HTTP/1.1, the connections.
    config: parseConfig({ limits: { kubeStreams: STREAM_POOL, kubeStreamConnections: STREAM_POOL } }),
  });
});
after(async () => {
  await podscope?.close();
  if (pod) await deleteTestPod(pod);
});

const follow = () =>
  new WsClient<LogStreamMessage>(
    `${podscope.wsUrl}/api/clusters/${CLUSTER}/namespaces/demo/pods/${pod}/logs/stream?follow=true&tailLines=1`,
    podscope.headers,
  );
const lineCount = (ws: WsClient<LogStreamMessage>) =>
  ws.messages.reduce((n, m) => n + (m.type === 'lines' ? m.lines.length : 0), 0);
const streaming = (ws: WsClient<LogStreamMessage>, what: string) =>
  ws.until(what, () => lineCount(ws) > 0, 30_000);

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

describe('the stream connection pool', () => {
  test('follows beyond the pool wait; a pod list still answers at once; a closed follow frees its connection', async () => {
    const open: WsClient<LogStreamMessage>[] = [];
    try {
      for (let i = 0; i < STREAM_POOL; i++) open.push(follow());
      await Promise.all(open.map((ws, i) => streaming(ws, `follow ${i} streaming`)));

      const extra = follow();
      const leaving = follow();
      open.push(extra, leaving);
      await Promise.all([extra.opened, leaving.opened]);
      // Both have had ample time to start (a follow's first line comes in well under a second here).
      await new Promise((r) => setTimeout(r, 4000));
      assert.equal(lineCount(extra), 0, 'a follow beyond the pool waits for a connection');
      assert.equal(lineCount(leaving), 0);

      // Short requests go through their own pool: answered promptly while the stream pool is full.
      for (let i = 0; i < 3; i++) {
        const { ms, value } = await timed(async () => {
          // Starved, it would hang: give up well before the test's own timeout, with a clear error.
          const res = await podscope.fetch(`/api/clusters/${CLUSTER}/namespaces/demo/pods`, {
            signal: AbortSignal.timeout(10_000),
          });
          return { status: res.status, body: (await res.json()) as PodSummary[] };
        });
        assert.equal(value.status, 200);
        assert.ok(
          value.body.some((p) => p.name === pod),
          'the list has the test pod',
        );
        assert.ok(ms < PROMPT_MS, `pod list answered in ${Math.round(ms)} ms`);
      }
      const detail = await timed(() =>
        podscope.fetch(`/api/clusters/${CLUSTER}/namespaces/demo/pods/${pod}`, {
          signal: AbortSignal.timeout(10_000),
        }),
      );
      assert.equal(detail.value.status, 200);
      assert.ok(detail.ms < PROMPT_MS, `pod GET answered in ${Math.round(detail.ms)} ms`);

      // A browser that leaves while waiting takes no connection with it; one that leaves while
      // streaming hands its connection to the next in line.
      leaving.close();
      await new Promise((r) => setTimeout(r, 500));
      open[0]!.close();
      await streaming(extra, 'the waiting follow streaming once a connection is free');
      const again = follow();
      open.push(again);
      await new Promise((r) => setTimeout(r, 3000));
      assert.equal(lineCount(again), 0, 'the pool is full again (3 streaming)');
      open[1]!.close();
      await streaming(again, 'the next follow streaming');
      assert.equal(lineCount(leaving), 0, 'the follow that left never streamed');
    } finally {
      for (const ws of open) ws.close();
    }
  });
});
