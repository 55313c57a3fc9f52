// /metrics against the real cluster: a log follow, an event watch and a terminal move the stream,
// byte, session and API server series; an unreachable API server moves the error counter; no pod,
// namespace or user name ever appears; the endpoint wants the token on the main port.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { adminKubeconfig, waitFor } from '../../support/cluster.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../../support/podscope.js';
import { createTestPod, deleteTestPod, waitRunning } from '../../support/pods.js';
import { TerminalClient, terminalUrl } from '../terminal/terminal-client.js';

const NS = 'demo';
let pod: string;
let podscope: RunningPodscope;

before(async () => {
  pod = await createTestPod({
    prefix: 'metrics',
    script: 'i=0; while true; do i=$((i+1)); echo "metrics line $i"; usleep 100000; done',
  });
  podscope = await startPodscope();
  await waitRunning(pod);
});

after(async () => {
  await podscope?.close();
  await deleteTestPod(pod);
});

/** Every sample of a scrape, keyed by `name{labels}` as printed. */
async function scrape(p: RunningPodscope): Promise<Map<string, number>> {
  const res = await p.fetch('/metrics');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const body = await res.text();
  assert.doesNotMatch(body, new RegExp(`${pod}|namespace=|pod=|user=`), 'no names in any label');
  const samples = new Map<string, number>();
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

const get = (s: Map<string, number>, key: string) => s.get(key) ?? 0;

describe('/metrics', () => {
  test('needs the token on the main port', async () => {
    assert.equal((await fetch(`${podscope.url}/metrics`)).status, 401);
  });

  test('streams, bytes, audited sessions and API server requests move with real use', async () => {
    const before = await scrape(podscope);
    assert.equal(get(before, 'podscope_open_streams{kind="logs"}'), 0);
    assert.ok(before.has('process_resident_memory_bytes'), 'process metrics');

    const logs = podscope.ws<{ type: string; lines?: unknown[] }>(
      `/api/clusters/${CLUSTER}/namespaces/${NS}/pods/${pod}/logs/stream?container=app&follow=true&tailLines=10`,
    );
    await logs.until('10 lines', (m) => m.flatMap((x) => x.lines ?? []).length >= 10);
    const events = podscope.ws(`/api/clusters/${CLUSTER}/namespaces/${NS}/events/watch`);
    await events.until('the snapshot', (m) => m.length > 0);
    const during = await scrape(podscope);
    assert.equal(get(during, 'podscope_open_streams{kind="logs"}'), 1);
    assert.equal(get(during, 'podscope_open_streams{kind="events"}'), 1);
    assert.equal(
      get(during, 'podscope_streams_opened_total{kind="logs"}') -
        get(before, 'podscope_streams_opened_total{kind="logs"}'),
      1,
    );
    const outBytes = (s: Map<string, number>) =>
      get(s, 'podscope_stream_bytes_total{kind="logs",direction="out"}');
    assert.ok(outBytes(during) - outBytes(before) > 10 * 'metrics line 1'.length, 'the lines, in bytes');
    const logGets = (s: Map<string, number>) =>
      get(s, 'podscope_kube_request_duration_seconds_count{verb="get",resource="pods/log",code_class="2xx"}');
    assert.ok(logGets(during) > logGets(before), 'the log request to the API server was timed');
    const watches = (s: Map<string, number>) =>
      get(s, 'podscope_kube_request_duration_seconds_count{verb="watch",resource="events",code_class="2xx"}');
    // The watch request follows the list the snapshot came from: its headers may come a moment later.
    await waitFor(
      'the event watch to be timed',
      async () => (watches(await scrape(podscope)) > watches(before) ? true : undefined),
      10_000,
      100,
    );
    // Bytes keep flowing while the follow is open.
    await waitFor(
      'more log bytes',
      async () => (outBytes(await scrape(podscope)) > outBytes(during) ? true : undefined),
      10_000,
      200,
    );
    logs.close();
    events.close();
    await waitFor(
      'the streams counted as closed',
      async () => {
        const s = await scrape(podscope);
        return get(s, 'podscope_open_streams{kind="logs"}') === 0 &&
          get(s, 'podscope_open_streams{kind="events"}') === 0
          ? true
          : undefined;
      },
      10_000,
      100,
    );

    // A terminal: an exec session started and ended (the shell exits 0), bytes in and out.
    const terminal = new TerminalClient(terminalUrl(podscope.wsUrl, NS, pod), podscope.headers);
    await terminal.ready();
    terminal.type('echo hello-$((6*7))\r');
    await terminal.outputMatches(/\r\nhello-42\r\n/);
    const open = await scrape(podscope);
    assert.equal(get(open, 'podscope_open_streams{kind="terminal"}'), 1);
    assert.ok(get(open, 'podscope_stream_bytes_total{kind="terminal",direction="in"}') > 0);
    assert.ok(
      get(
        open,
        'podscope_kube_request_duration_seconds_count{verb="connect",resource="pods/exec",code_class="1xx"}',
      ) >
        get(
          before,
          'podscope_kube_request_duration_seconds_count{verb="connect",resource="pods/exec",code_class="1xx"}',
        ),
      'exec upgrades are timed too',
    );
    terminal.type('exit\r');
    await terminal.closed;
    const after = await waitFor(
      'the session ended',
      async () => {
        const s = await scrape(podscope);
        return get(s, 'podscope_audited_sessions_ended_total{kind="exec",outcome="ok"}') >
          get(before, 'podscope_audited_sessions_ended_total{kind="exec",outcome="ok"}')
          ? s
          : undefined;
      },
      10_000,
      100,
    );
    assert.equal(
      get(after, 'podscope_audited_sessions_started_total{kind="exec"}') -
        get(before, 'podscope_audited_sessions_started_total{kind="exec"}'),
      1,
    );
    assert.equal(get(after, 'podscope_open_streams{kind="terminal"}'), 0);
  });

  test('an API server that does not answer counts as errors (no-answer)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'podscope-metrics-'));
    const kc = new KubeConfig();
    kc.loadFromFile(adminKubeconfig);
    const raw = JSON.parse(kc.exportConfig()) as { clusters: { cluster: { server: string } }[] };
    // A port nothing listens on.
    for (const c of raw.clusters) c.cluster.server = 'https://127.0.0.1:9';
    const file = path.join(dir, 'kubeconfig');
    writeFileSync(file, JSON.stringify(raw));
    const down = await startPodscope({ kubeconfig: file });
    try {
      const res = await down.fetch(`/api/clusters/${CLUSTER}/namespaces/${NS}/pods`);
      assert.ok(res.status >= 500, `status ${res.status}`);
      const s = await scrape(down);
      assert.ok(
        get(s, 'podscope_kube_request_errors_total{verb="get",resource="namespaces",reason="no-answer"}') >=
          1,
      );
      assert.ok(
        get(
          s,
          'podscope_kube_request_duration_seconds_count{verb="get",resource="namespaces",code_class="error"}',
        ) >= 1,
      );
    } finally {
      await down.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
