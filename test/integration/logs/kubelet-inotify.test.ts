// When the node cannot watch a log file (out of inotify instances), the kubelet ends a follow by
// writing its own error into the log body — after the 200, with no timestamp — and closing it. Podscope
// shows that error as the reason in its reconnect marker, never as a line of the container, and the
// follow goes on without a lost or repeated line once the node can watch again. The test lowers the
// node's fs.inotify.max_user_instances for a few seconds (the single-node cluster is this machine:
// instances already open stay; only new ones are refused) and puts it back whatever happens.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, test } from 'node:test';
import type { LogLine, LogStreamMessage } from '../../../src/shared/api.js';
import { createTestPod, deleteTestPod, waitRunning } from '../../support/pods.js';
import { CLUSTER, startPodscope } from '../../support/podscope.js';

const LIMIT = '/proc/sys/fs/inotify/max_user_instances';
const created: string[] = [];
after(async () => {
  await Promise.all(created.map(deleteTestPod));
});

const lines = (msgs: LogStreamMessage[]): LogLine[] =>
  msgs.flatMap((m) => (m.type === 'lines' ? m.lines : []));
const ticks = (msgs: LogStreamMessage[]) =>
  lines(msgs)
    .map((l) => /^tick (\d+)$/.exec(l.text)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);

test('the kubelet’s "failed to create fsnotify watcher" is the reconnect marker’s reason, not a line', async () => {
  const pod = await createTestPod({
    prefix: 'inotify',
    script: 'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.3; done',
  });
  created.push(pod);
  await waitRunning(pod);
  const podscope = await startPodscope();
  const saved = readFileSync(LIMIT, 'utf8').trim();
  // The kubelet creates its watcher when a follow first reaches the end of the file: one already
  // open is not affected, so the limit goes down (no new inotify instance for anyone) before it opens.
  await new Promise((r) => setTimeout(r, 2000)); // a few ticks in the file
  writeFileSync(LIMIT, '1');
  let ws: ReturnType<typeof podscope.ws<LogStreamMessage>> | undefined;
  try {
    ws = podscope.ws<LogStreamMessage>(
      `/api/clusters/${CLUSTER}/namespaces/demo/pods/${pod}/logs/stream?follow=true`,
    );
    await ws.until('the first ticks', (m) => ticks(m).length >= 3, 30_000);
    const reason = (m: LogStreamMessage) =>
      m.type === 'marker' && m.kind === 'reconnected' && /out of inotify instances/.test(m.message);
    await ws.until('a reconnect naming the node’s inotify limit', (m) => m.some(reason), 60_000);
    writeFileSync(LIMIT, saved);
    const before = ticks(await ws.until('anything', () => true, 1000)).at(-1) ?? 0;
    const msgs = await ws.until(
      'ticks again once the node can watch',
      (m) => (ticks(m).at(-1) ?? 0) >= before + 5,
      60_000,
    );
    const marker = msgs.find(reason);
    assert.ok(marker && marker.type === 'marker');
    assert.match(
      marker.message,
      /^log stream reconnected — the node's kubelet stopped following: failed to create fsnotify watcher: too many open files \(the node is out of inotify instances: raise the node's fs\.inotify\.max_user_instances\); resumed after the last line received$/,
    );
    assert.deepEqual(
      lines(msgs).filter((l) => /fsnotify|failed to/.test(l.text)),
      [],
      'the kubelet’s error is not a line of the container',
    );
    // Resumed after the last line: every tick once, in order, none missing.
    const got = ticks(msgs);
    assert.deepEqual(
      got,
      got.map((_, i) => got[0]! + i),
    );
  } finally {
    writeFileSync(LIMIT, saved);
    ws?.close();
    await podscope.close();
  }
});
