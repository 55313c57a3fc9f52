// A followed log survives container restarts and dropped connections: no line lost, none repeated.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LogLine, LogStreamMessage } from '../../../src/shared/api.js';
import { adminKubeconfig } from '../../support/cluster.js';
import { createTestPod, deleteTestPod, waitRunning } from '../../support/pods.js';
import { CLUSTER, CuttableProxy, startPodscope } from '../../support/podscope.js';

const created: string[] = [];
after(async () => {
  await Promise.all(created.map(deleteTestPod));
});

const lines = (msgs: LogStreamMessage[]): LogLine[] =>
  msgs.flatMap((m) => (m.type === 'lines' ? m.lines : []));

describe('following a container', () => {
  test('across a restart: marker with the exit code, then the new instance', async () => {
    const pod = await createTestPod({
      prefix: 'restarts',
      script:
        'echo "instance $(cat /proc/sys/kernel/random/uuid | cut -c1-8) up"; sleep 2; echo "about to fail"; exit 1',
    });
    created.push(pod);
    await waitRunning(pod);
    const podscope = await startPodscope();
    const ws = podscope.ws<LogStreamMessage>(
      `/api/clusters/${CLUSTER}/namespaces/demo/pods/${pod}/logs/stream?follow=true`,
    );
    try {
      const msgs = await ws.until(
        'two instances',
        (m) => lines(m).filter((l) => /^instance \w+ up$/.test(l.text)).length >= 2,
        90_000,
      );
      const restart = msgs.find((m) => m.type === 'marker' && m.kind === 'restarted');
      assert.ok(restart && restart.type === 'marker', 'restart marker');
      assert.match(restart.message, /container restarted — exit code 1 \(Error\)/);
      const exited = msgs.findIndex((m) => m.type === 'marker' && m.kind === 'exited');
      const restartedAt = msgs.indexOf(restart);
      assert.ok(exited >= 0 && exited < restartedAt, 'exit marker comes before the restart marker');
      const texts = lines(msgs).map((l) => l.text);
      const ups = texts.filter((t) => /^instance \w+ up$/.test(t));
      assert.notEqual(ups[0], ups[1], 'the second "up" line comes from a new instance');
      assert.deepEqual(texts.slice(0, 2), [ups[0], 'about to fail']);
      // Lines of the first instance come before the marker, the second instance's after it.
      const before = msgs
        .slice(0, restartedAt)
        .flatMap((m) => (m.type === 'lines' ? m.lines.map((l) => l.text) : []));
      assert.deepEqual(before, [ups[0], 'about to fail']);
    } finally {
      ws.close();
      await podscope.close();
    }
  });

  test('across dropped API server connections: resumes with no line missing or duplicated', async () => {
    const pod = await createTestPod({
      prefix: 'counter',
      // 40 numbered lines per second; several share a timestamp second, some are identical text.
      script: 'i=0; while true; do i=$((i+1)); echo "line $i"; echo "same text"; usleep 25000; done',
    });
    created.push(pod);
    await waitRunning(pod);

    const kc = new KubeConfig();
    kc.loadFromFile(adminKubeconfig);
    const server = new URL(kc.getCurrentCluster()!.server);
    const proxy = new CuttableProxy({ host: server.hostname, port: Number(server.port) });
    await proxy.start();
    const dir = mkdtempSync(path.join(tmpdir(), 'podscope-proxy-'));
    const proxied = path.join(dir, 'kubeconfig');
    const raw = JSON.parse(kc.exportConfig()) as { clusters: { cluster: { server: string } }[] };
    for (const c of raw.clusters) c.cluster.server = `https://127.0.0.1:${proxy.port}`;
    writeFileSync(proxied, JSON.stringify(raw));

    const podscope = await startPodscope({ kubeconfig: proxied });
    const ws = podscope.ws<LogStreamMessage>(
      `/api/clusters/${CLUSTER}/namespaces/demo/pods/${pod}/logs/stream?follow=true`,
    );
    const numbered = (m: LogStreamMessage[]) => lines(m).filter((l) => l.text.startsWith('line '));
    const reconnects = (m: LogStreamMessage[]) =>
      m.filter((x) => x.type === 'marker' && x.kind === 'reconnected').length;
    /** Numbered lines that arrived after the last reconnect marker: proof the current connection streams. */
    const sinceLastReconnect = (m: LogStreamMessage[]) => {
      let i = m.length - 1;
      while (i >= 0 && !(m[i]!.type === 'marker' && (m[i] as { kind?: string }).kind === 'reconnected')) i--;
      return numbered(m.slice(i + 1)).length;
    };
    try {
      for (let drop = 1; drop <= 3; drop++) {
        // Cut only a connection that is streaming now: 40 lines after the previous reconnect. (Lines
        // alone are no proof: after a cut, a busy process still reads what its socket had buffered.)
        await ws.until(`40 lines on connection ${drop}`, (m) => sinceLastReconnect(m) >= 40, 60_000);
        assert.ok(proxy.cutAll() > 0, 'there were connections to cut');
        // Each cut of the live stream is reported once, before the lines that follow it.
        await ws.until(`reconnect marker ${drop}`, (m) => reconnects(m) >= drop, 60_000);
      }
      const target = numbered(ws.messages).length + 80;
      await ws.until('80 more lines after three drops', (m) => numbered(m).length >= target, 60_000);
      const got = numbered(ws.messages).map((l) => Number(l.text.slice(5)));
      const first = got[0]!;
      assert.deepEqual(
        got,
        got.map((_, i) => first + i),
        'numbered lines are contiguous: none lost, none repeated',
      );
      const all = lines(ws.messages);
      assert.equal(
        all.filter((l) => l.text === 'same text').length,
        all.filter((l) => l.text.startsWith('line ')).length +
          (all[all.length - 1]!.text.startsWith('line ') ? -1 : 0),
      );
      const markers = ws.messages.filter((m) => m.type !== 'lines');
      assert.equal(reconnects(ws.messages), 3, `one marker per cut: ${JSON.stringify(markers)}`);
    } finally {
      ws.close();
      await podscope.close();
      await proxy.stop();
    }
  });
});
