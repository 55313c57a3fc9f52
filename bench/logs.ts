// Log streaming benchmark, side by side with kubectl, in one run against the local cluster:
//   1. backlog throughput: the firehose pod's last N lines via Podscope's WebSocket vs `kubectl logs --tail=N`
//   2. live follow rate over a fixed window (the firehose writes ~5,000 lines/s)
//   3. time to first line of a follow (median of 10)
//   4. server memory per open follow stream, with 100 concurrent follows (of the steadily logging web pods)
// Run: npm run build && npx tsx bench/logs.ts   (cluster up: npm run cluster:up)
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WebSocket } from 'ws';
import { adminKubeconfig, kubectlPath, repoRoot } from '../test/support/cluster.js';
import { fromPrintedUrl } from '../test/support/podscope.js';

const CLUSTER = 'podscope-local';
const BACKLOG_LINES = 200_000;
const FOLLOW_SECONDS = 10;
const CONCURRENT = 100;

/** The access token of the server started below, as a Bearer header (from the URL it prints). */
let auth: Record<string, string> = {};

function startServer(port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, 'bin/podscope.js'), '--kubeconfig', adminKubeconfig, '--port', String(port)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) {
        auth = fromPrintedUrl(m[1]!).headers;
        resolve(child);
      }
    });
    child.on('exit', (code) => reject(new Error(`podscope exited ${code}`)));
  });
}

const rssKiB = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);

function streamUrl(port: number, query: string, pod = 'firehose') {
  return `ws://127.0.0.1:${port}/api/clusters/${CLUSTER}/namespaces/demo/pods/${pod}/logs/stream?${query}`;
}

/** Counts lines arriving on a Podscope log stream until `stop` says so. */
function podscopeCount(
  url: string,
  stop: (lines: number, ms: number) => boolean,
): Promise<{ lines: number; ms: number; firstLineMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let lines = 0;
    let first = -1;
    const ws = new WebSocket(url, { headers: auth });
    const finish = () => {
      ws.close();
      resolve({ lines, ms: performance.now() - t0, firstLineMs: first });
    };
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { type: string; lines?: unknown[] };
      if (m.type === 'lines') {
        if (first < 0) first = performance.now() - t0;
        lines += m.lines!.length;
      }
      if (m.type === 'end' || stop(lines, performance.now() - t0)) finish();
    });
    ws.on('close', finish);
    ws.on('error', reject);
  });
}

/** Counts newline bytes kubectl writes until `stop` says so. */
function kubectlCount(
  args: string[],
  stop: (lines: number, ms: number) => boolean,
): Promise<{ lines: number; ms: number; firstLineMs: number }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let lines = 0;
    let first = -1;
    const child = spawn(kubectlPath, ['--kubeconfig', adminKubeconfig, '-n', 'demo', ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      child.kill('SIGKILL');
      resolve({ lines, ms: performance.now() - t0, firstLineMs: first });
    };
    child.stdout.on('data', (d: Buffer) => {
      if (first < 0) first = performance.now() - t0;
      for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, i + 1)) lines++;
      if (stop(lines, performance.now() - t0)) finish();
    });
    child.on('exit', finish);
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main() {
  const port = 7490 + Math.floor(Math.random() * 100);
  const server = await startServer(port);
  try {
    // 1. Backlog.
    const stopAt = (n: number) => (lines: number) => lines >= n;
    const psBacklog = await podscopeCount(
      streamUrl(port, `follow=false&tailLines=${BACKLOG_LINES}`),
      stopAt(BACKLOG_LINES),
    );
    const kcBacklog = await kubectlCount(
      ['logs', 'firehose', `--tail=${BACKLOG_LINES}`],
      stopAt(BACKLOG_LINES),
    );
    const psRate = psBacklog.lines / (psBacklog.ms / 1000);
    const kcRate = kcBacklog.lines / (kcBacklog.ms / 1000);

    // 2. Live follow, both at once for the same window.
    const window = (_l: number, ms: number) => ms >= FOLLOW_SECONDS * 1000;
    const [psLive, kcLive] = await Promise.all([
      podscopeCount(streamUrl(port, 'follow=true&tailLines=0'), window),
      kubectlCount(['logs', '-f', 'firehose', '--tail=0'], window),
    ]);

    // 3. Time to first line.
    const psFirst: number[] = [];
    const kcFirst: number[] = [];
    for (let i = 0; i < 10; i++) {
      psFirst.push(
        (await podscopeCount(streamUrl(port, 'follow=true&tailLines=1'), (l) => l >= 1)).firstLineMs,
      );
      kcFirst.push((await kubectlCount(['logs', '-f', 'firehose', '--tail=1'], (l) => l >= 1)).firstLineMs);
    }

    // 4. Memory per follow stream.
    await new Promise((r) => setTimeout(r, 1000));
    const before = rssKiB(server.pid!);
    const sockets: WebSocket[] = [];
    let received = 0;
    const streaming = new Set<number>();
    // Realistic streams: the web Deployment's pods, which log a few lines a second each.
    const webPods = execFileSync(
      kubectlPath,
      [
        '--kubeconfig',
        adminKubeconfig,
        '-n',
        'demo',
        'get',
        'pods',
        '-l',
        'app=web',
        '-o',
        'jsonpath={.items[*].metadata.name}',
      ],
      { encoding: 'utf8' },
    )
      .trim()
      .split(/\s+/);
    for (let i = 0; i < CONCURRENT; i++) {
      const ws = new WebSocket(streamUrl(port, 'follow=true&tailLines=10', webPods[i % webPods.length]), {
        headers: auth,
      });
      ws.on('message', (d) => {
        received += (d as Buffer).length;
        streaming.add(i);
      });
      ws.on('error', (err) => console.error(`follow ${i}: ${err.message}`));
      sockets.push(ws);
    }
    await new Promise((r) => setTimeout(r, 15_000));
    const during = rssKiB(server.pid!);
    for (const ws of sockets) ws.terminate();

    console.log('\nPodscope log streaming benchmark (firehose pod, local cluster)\n');
    console.log('| measure | Podscope | kubectl | ratio (Podscope/kubectl) |');
    console.log('|---|---|---|---|');
    console.log(
      `| backlog read (up to ${fmt(BACKLOG_LINES)}; got ${fmt(psBacklog.lines)} / ${fmt(kcBacklog.lines)} lines) | ${fmt(psRate)} lines/s (${fmt(psBacklog.ms)} ms) | ${fmt(kcRate)} lines/s (${fmt(kcBacklog.ms)} ms) | ${(psRate / kcRate).toFixed(2)} |`,
    );
    console.log(
      `| live follow, ${FOLLOW_SECONDS} s window | ${fmt(psLive.lines / FOLLOW_SECONDS)} lines/s | ${fmt(kcLive.lines / FOLLOW_SECONDS)} lines/s | ${(psLive.lines / kcLive.lines).toFixed(2)} |`,
    );
    console.log(
      `| time to first line (median of 10) | ${fmt(median(psFirst))} ms | ${fmt(median(kcFirst))} ms | ${(median(psFirst) / median(kcFirst)).toFixed(2)} |`,
    );
    console.log(
      `\nServer RSS: ${fmt(before)} KiB idle → ${fmt(during)} KiB with ${CONCURRENT} concurrent follows of the web pods ` +
        `(${fmt((during - before) / CONCURRENT)} KiB per stream; ${streaming.size} streams delivered lines, ` +
        `${fmt(received / 1024)} KiB in total over 15 s)`,
    );
    console.log(
      '(Podscope lines are counted as received by a WebSocket client; kubectl lines as newlines on its stdout.)',
    );
  } finally {
    server.kill('SIGTERM');
  }
}

void main();
