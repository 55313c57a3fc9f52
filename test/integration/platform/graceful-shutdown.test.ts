// SIGTERM to a real Podscope process (src/server/cli.ts, as a pod's container runs it) with a log follow,
// an event watch, a pod watch and a terminal open: it stops taking connections at once, the terminal's
// process is ended and its audit record closed ("server shutdown") with the recording flushed, every
// stream is closed with 1012 "server shutting down, reconnect", and the process exits 0 well within its
// --shutdown-timeout. The log follow, reopened on another Podscope from the last line shown (what the web
// app does on 1012), goes on with no line lost or shown twice. The log is JSON lines without the token.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Readable } from 'node:stream';
import type { LogStreamMessage } from '../../../src/shared/api.js';
import { SqliteAuditStore } from '../../../src/server/audit/sqlite-audit-store.js';
import { LogStore } from '../../../src/web/logs/log-store.js';
import { DEFAULT_LOG_OPTIONS, podStreamQuery } from '../../../src/web/logs/log-options.js';
import { adminKubeconfig, kubectlOk, repoRoot, waitFor } from '../../support/cluster.js';
import {
  CLUSTER,
  fromPrintedUrl,
  startPodscope,
  WsClient,
  type RunningPodscope,
} from '../../support/podscope.js';
import { createTestPod, deleteTestPod, waitRunning } from '../../support/pods.js';
import { TerminalClient, terminalUrl } from '../terminal/terminal-client.js';

const NS = 'demo';
const SHUTDOWN_TIMEOUT_S = 15;
const dataDir = mkdtempSync(path.join(tmpdir(), 'podscope-shutdown-'));
let pod: string;
let child: ChildProcess | undefined;
let other: RunningPodscope | undefined;

before(async () => {
  // A numbered line every 50 ms: a gap or a repeat in the numbers is a lost or duplicated line.
  pod = await createTestPod({
    prefix: 'shutdown',
    script: 'i=0; while true; do i=$((i+1)); echo "n=$i"; usleep 50000; done',
  });
  await waitRunning(pod);
});

after(async () => {
  if (child?.exitCode === null) child.kill('SIGKILL');
  await other?.close();
  rmSync(dataDir, { recursive: true, force: true });
  await deleteTestPod(pod);
});

function start(): Promise<{ printed: string; metricsPort: number; out: () => string; err: () => string }> {
  child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/server/cli.ts',
      '--kubeconfig',
      adminKubeconfig,
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--metrics-port',
      '0',
      '--log-level',
      'info',
      '--shutdown-timeout',
      String(SHUTDOWN_TIMEOUT_S),
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /Podscope is running at (\S+)/.exec(out);
      const metrics = /Metrics: port (\d+), path \/metrics/.exec(out);
      if (url && metrics)
        resolve({ printed: url[1]!, metricsPort: Number(metrics[1]), out: () => out, err: () => err });
    });
    child!.once('exit', (code) => reject(new Error(`podscope exited ${code}: ${err}`)));
  });
}

const podBase = `/api/clusters/${CLUSTER}/namespaces/${NS}/pods`;

/** Feeds a log stream into the web app's own store (resume trackers included). */
function follow(
  wsUrl: string,
  headers: Record<string, string>,
  query: Record<string, unknown>,
  store: LogStore,
) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) params.set(k, String(v));
  const ws = new WsClient<LogStreamMessage>(`${wsUrl}${podBase}/${pod}/logs/stream?${params}`, headers);
  let fed = 0;
  /** Hands the new messages to the store; returns how many numbered lines it shows. */
  const feed = () => {
    store.ingest(ws.messages.slice(fed));
    fed = ws.messages.length;
    return numbers(store).length;
  };
  return { ws, feed };
}

/** The counter values the store shows, in order. */
function numbers(store: LogStore): number[] {
  return store
    .toText(false)
    .split('\n')
    .map((l) => /^n=(\d+)$/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);
}

async function text(stream: Readable | undefined): Promise<string> {
  if (stream === undefined) return '';
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

test('SIGTERM: streams told to reconnect (1012), terminal ended and audited, exit 0 in time; the follow resumes elsewhere without loss', async () => {
  const { printed, metricsPort, out, err } = await start();
  const a = fromPrintedUrl(printed);
  other = await startPodscope();
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;

  // The metrics port: /metrics without a token, nothing else.
  const scrape = await fetch(metricsUrl);
  assert.equal(scrape.status, 200);
  assert.match(await scrape.text(), /^podscope_shutting_down 0$/m);
  assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/api/clusters`)).status, 404);
  assert.equal((await fetch(`${a.url}/metrics`)).status, 401, 'the main port wants the token');

  // Open: a log follow, an event watch, a pod watch and a terminal running a long foreground command.
  const store = new LogStore();
  const logs = follow(a.wsUrl, a.headers, { container: 'app', tailLines: 5, follow: true }, store);
  await logs.ws.until('20 lines', () => logs.feed() >= 20, 30_000);
  const events = new WsClient(`${a.wsUrl}/api/clusters/${CLUSTER}/namespaces/${NS}/events/watch`, a.headers);
  await events.until('the snapshot', (m) => m.length > 0);
  const pods = new WsClient(`${a.wsUrl}${podBase}/watch`, a.headers);
  await pods.until('the snapshot', (m) => m.length > 0);
  const terminal = new TerminalClient(terminalUrl(a.wsUrl, NS, pod), a.headers);
  const { sessionId } = await terminal.ready();
  terminal.type('echo before-$((6*7)); sleep 1000\r');
  await terminal.outputMatches(/\r\nbefore-42\r\n/);
  assert.match(await kubectlOk(['-n', NS, 'exec', pod, '--', 'ps', '-o', 'args']), /^sleep 1000$/m);
  const beforeMetrics = await (await fetch(metricsUrl)).text();
  assert.match(beforeMetrics, /^podscope_open_streams\{kind="terminal"\} 1$/m);
  assert.match(beforeMetrics, /^podscope_open_streams\{kind="logs"\} 1$/m);

  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
  const signalledAt = Date.now();
  child!.kill('SIGTERM');

  // Not ready as soon as the signal is handled (it arrives asynchronously): the metrics say so, and
  // the main port takes no new connection.
  await waitFor(
    'the metrics to say shutting down',
    async () =>
      /^podscope_shutting_down 1$/m.test(await (await fetch(metricsUrl)).text()) ? true : undefined,
    5_000,
    10,
  );
  await waitFor(
    'the main port to refuse new connections',
    () =>
      fetch(`${a.url}/readyz`).then(
        () => undefined,
        () => true,
      ),
    5_000,
    10,
  );

  // The follow is told to reconnect, and does so on the other replica from its last line.
  const closed = await new Promise<{ code: number; reason: string }>((resolve) => {
    const check = () => (logs.ws.closedWith ? resolve(logs.ws.closedWith) : setTimeout(check, 20));
    check();
  });
  assert.deepEqual(closed, { code: 1012, reason: 'server shutting down, reconnect' });
  logs.feed();
  const shownBefore = numbers(store).length;
  const since = store.beginResume();
  assert.ok(since !== null, 'a resume point');
  const resumed = follow(
    other.wsUrl,
    other.headers,
    podStreamQuery(DEFAULT_LOG_OPTIONS, 'app', since),
    store,
  );
  await resumed.ws.until(
    '20 more lines on the other replica',
    () => resumed.feed() >= shownBefore + 20,
    30_000,
  );
  resumed.ws.close();
  const seen = numbers(store);
  const first = seen[0]!;
  assert.deepEqual(
    seen,
    seen.map((_, i) => first + i),
    `contiguous, no line lost or repeated across the restart: ${seen.join(',')}`,
  );

  // Every stream got the same close; the terminal was told why first.
  const code = await exited;
  const tookMs = Date.now() - signalledAt;
  for (const ws of [events, pods]) {
    assert.deepEqual(ws.closedWith, { code: 1012, reason: 'server shutting down, reconnect' });
  }
  assert.deepEqual(terminal.closedWith, { code: 1012, reason: 'server shutting down, reconnect' });
  const error = terminal.message('error');
  assert.equal(error?.fatal, true);
  assert.match(error?.message ?? '', /Podscope is restarting \(server shutdown\)/);
  assert.equal(code, 0, err());
  assert.ok(tookMs < SHUTDOWN_TIMEOUT_S * 1000, `exited after ${tookMs} ms`);

  // The process in the container is gone, the record closed as "server shutdown", the recording flushed.
  assert.doesNotMatch(await kubectlOk(['-n', NS, 'exec', pod, '--', 'ps', '-o', 'args']), /^sleep 1000$/m);
  const audit = new SqliteAuditStore(path.join(dataDir, 'audit.db'));
  try {
    const record = await audit.getSession(sessionId);
    assert.ok(record?.endedAt, 'ended');
    assert.ok(record.endedAt.getTime() <= Date.now() && record.endedAt.getTime() >= signalledAt);
    assert.match(record.error ?? '', /^server shutdown: Podscope stopped/);
    assert.deepEqual(
      record.commands.map((c) => c.line),
      ['echo before-$((6*7)); sleep 1000'],
    );
    assert.match(await text(await audit.readRecording(sessionId)), /before-42/);
  } finally {
    await audit.close();
  }

  // The log: JSON lines with request ids, the shutdown reported complete, the token nowhere.
  const lines = out()
    .split('\n')
    .filter((l) => l.startsWith('{'));
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(parsed.some((l) => typeof l['reqId'] === 'string' && l['msg'] === 'incoming request'));
  const report = parsed.find((l) => l['msg'] === 'shut down') as
    { report: { completed: boolean; elapsedMs: number } } | undefined;
  assert.equal(report?.report.completed, true, out().slice(-3000));
  console.log(`SIGTERM → exit 0 in ${tookMs} ms (drain ${report?.report.elapsedMs} ms)`);
  const token = a.token!;
  const mentions = (out() + err()).split('\n').filter((l) => l.includes(token));
  assert.deepEqual(
    mentions.map((l) => l.replace(token, 'TOKEN')),
    [`Podscope is running at ${a.url}/?token=TOKEN`],
    'only the printed URL carries the token',
  );
});

test('a second signal during the drain exits at once, with code 1', async () => {
  const { printed, out } = await start();
  const a = fromPrintedUrl(printed);
  // A terminal makes the drain take a while (its processes are ended with an exec into the container).
  const terminal = new TerminalClient(terminalUrl(a.wsUrl, NS, pod), a.headers);
  await terminal.ready();
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
  child!.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 50));
  const second = Date.now();
  child!.kill('SIGTERM');
  assert.equal(await exited, 1);
  assert.ok(Date.now() - second < 2000, `exited ${Date.now() - second} ms after the second signal`);
  assert.match(out(), /"msg":"second signal during the shutdown: exiting now"/);
  assert.doesNotMatch(out(), /"msg":"shut down"/, 'the drain did not get to finish');
});
