// Log streaming benchmark, side by side with kubectl, in one run against the local cluster:
//   1. backlog throughput: the firehose pod's last N lines via Podscope's WebSocket vs `kubectl logs --tail=N`
//   2. live follow rate over a fixed window (the firehose writes ~5,000 lines/s)
//   3. time to first line of a follow (median of 10)
//   4. server memory per open follow stream, with 100 concurrent follows (of the steadily logging web pods)
//   5. 100 concurrent follows of the firehose: how many streams receive lines, and the lines delivered
//      in total, vs 100 `kubectl logs -f` processes (one after the other, same window)
// The server runs in a process of its own (from the sources, through tsx: no build needed).
// Run: npx tsx bench/logs.ts [--only backlog,follow,first-line,follow-memory,firehose]   (or npm run bench)
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { WebSocket } from 'ws';
import { adminKubeconfig, kubectlPath } from '../test/support/cluster.js';
import { emitMeasures, parseBenchArgs, wants, type Measure } from './report.js';
import { startServer } from './server.js';

const CLUSTER = 'podscope-local';
const BACKLOG_LINES = 200_000;
const FOLLOW_SECONDS = 10;
const CONCURRENT = 100;
const FIREHOSE_FOLLOWS = 100;
const FIREHOSE_SECONDS = 15;
const args = parseBenchArgs(process.argv.slice(2));

/** The access token of the server started below, as a Bearer header (from the URL it prints). */
let auth: Record<string, string> = {};

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

/** `n` follows of `pod` at once for `seconds`: lines per stream, through Podscope or kubectl. */
async function manyFollows(
  n: number,
  seconds: number,
  open: (i: number, count: (lines: number) => void) => () => void,
): Promise<number[]> {
  const counts = new Array<number>(n).fill(0);
  const closers = Array.from({ length: n }, (_, i) => open(i, (lines) => (counts[i]! += lines)));
  await new Promise((r) => setTimeout(r, seconds * 1000));
  for (const close of closers) close();
  return counts;
}

async function main() {
  const measures: Measure[] = [];
  const bench = await startServer();
  const { port, child: server } = bench;
  auth = bench.headers;
  try {
    const stopAt = (n: number) => (lines: number) => lines >= n;
    if (wants(args, 'backlog')) {
      const psBacklog = await podscopeCount(
        streamUrl(port, `follow=false&tailLines=${BACKLOG_LINES}`),
        stopAt(BACKLOG_LINES),
      );
      const kcBacklog = await kubectlCount(
        ['logs', 'firehose', `--tail=${BACKLOG_LINES}`],
        stopAt(BACKLOG_LINES),
      );
      measures.push({
        id: 'backlog',
        measure: `backlog read (last ${fmt(BACKLOG_LINES)} lines)`,
        unit: 'lines/s',
        podscope: psBacklog.lines / (psBacklog.ms / 1000),
        kubectl: kcBacklog.lines / (kcBacklog.ms / 1000),
        goal: { on: 'ratio', op: '>=', target: 1.0 },
        note: `got ${fmt(psBacklog.lines)} / ${fmt(kcBacklog.lines)} lines`,
      });
    }

    if (wants(args, 'follow')) {
      // Both at once for the same window.
      const window = (_l: number, ms: number) => ms >= FOLLOW_SECONDS * 1000;
      const [psLive, kcLive] = await Promise.all([
        podscopeCount(streamUrl(port, 'follow=true&tailLines=0'), window),
        kubectlCount(['logs', '-f', 'firehose', '--tail=0'], window),
      ]);
      measures.push({
        id: 'follow',
        measure: `live follow of the firehose, ${FOLLOW_SECONDS} s`,
        unit: 'lines/s',
        podscope: psLive.lines / FOLLOW_SECONDS,
        kubectl: kcLive.lines / FOLLOW_SECONDS,
        goal: { on: 'ratio', op: '>=', target: 1.0 },
      });
    }

    if (wants(args, 'first-line')) {
      const psFirst: number[] = [];
      const kcFirst: number[] = [];
      for (let i = 0; i < 10; i++) {
        psFirst.push(
          (await podscopeCount(streamUrl(port, 'follow=true&tailLines=1'), (l) => l >= 1)).firstLineMs,
        );
        kcFirst.push((await kubectlCount(['logs', '-f', 'firehose', '--tail=1'], (l) => l >= 1)).firstLineMs);
      }
      measures.push({
        id: 'first-line',
        measure: 'time to first line of a follow',
        unit: 'ms',
        podscope: median(psFirst),
        kubectl: median(kcFirst),
        goal: { on: 'ratio', op: '<=', target: 1.0 },
        note: 'median of 10; kubectl includes its process start',
      });
    }

    if (wants(args, 'follow-memory')) {
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
      measures.push({
        id: 'follow-memory',
        measure: `server memory per open follow (${CONCURRENT} follows of the web pods)`,
        unit: 'KiB',
        podscope: (during - before) / CONCURRENT,
        kubectl: null,
        goal: { on: 'value', op: '<=', target: 64 },
        note: `RSS ${fmt(before)} → ${fmt(during)} KiB; ${streaming.size} streams delivered, ${fmt(received / 1024)} KiB in 15 s`,
      });
    }

    if (wants(args, 'firehose')) {
      const ours = await manyFollows(FIREHOSE_FOLLOWS, FIREHOSE_SECONDS, (_i, count) => {
        const ws = new WebSocket(streamUrl(port, 'follow=true&tailLines=0'), { headers: auth });
        ws.on('message', (data) => {
          const m = JSON.parse(data.toString()) as { type: string; lines?: unknown[] };
          if (m.type === 'lines') count(m.lines!.length);
        });
        ws.on('error', () => undefined);
        return () => ws.terminate();
      });
      const theirs = await manyFollows(FIREHOSE_FOLLOWS, FIREHOSE_SECONDS, (_i, count) => {
        const child = spawn(
          kubectlPath,
          ['--kubeconfig', adminKubeconfig, '-n', 'demo', 'logs', '-f', 'firehose', '--tail=0'],
          { stdio: ['ignore', 'pipe', 'ignore'] },
        );
        child.stdout.on('data', (d: Buffer) => {
          let n = 0;
          for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, i + 1)) n++;
          count(n);
        });
        return () => child.kill('SIGKILL');
      });
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      measures.push({
        id: 'firehose',
        measure: `${FIREHOSE_FOLLOWS} follows of the firehose: streams that received lines`,
        unit: 'streams',
        podscope: ours.filter((c) => c > 0).length,
        kubectl: theirs.filter((c) => c > 0).length,
        goal: { on: 'value', op: '>=', target: FIREHOSE_FOLLOWS },
        note: `${FIREHOSE_SECONDS} s each`,
      });
      measures.push({
        id: 'firehose',
        measure: `${FIREHOSE_FOLLOWS} follows of the firehose: lines delivered in total`,
        unit: 'lines/s',
        podscope: sum(ours) / FIREHOSE_SECONDS,
        kubectl: sum(theirs) / FIREHOSE_SECONDS,
        goal: null,
        note: `fewest per stream: ${fmt(Math.min(...ours))} / ${fmt(Math.min(...theirs))} lines`,
      });
    }
  } finally {
    await bench.stop();
  }
  emitMeasures(args, 'Log streaming (firehose and web pods, local cluster, one run)', measures);
  // (Podscope lines are counted as received by a WebSocket client; kubectl lines as newlines on its stdout.)
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
