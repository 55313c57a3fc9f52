// Log streaming benchmark, side by side with kubectl, in one run against the local cluster:
//   1. backlog throughput: the firehose pod's last N lines via Podscope's WebSocket vs `kubectl logs --tail=N`
//   2. live follow rate over a fixed window (the firehose writes ~5,000 lines/s)
//   3. time to first line of a follow (median of 10)
//   4. 1,000 concurrent follows of the steadily logging web pods, held for 30 s (`follow-memory` and
//      `follow-1000` share one run): how many deliver, and the server's memory while they are open
//      against the same server idle. Memory is read inside the server right after a full GC (the server
//      runs with --expose-gc and bench/server-hooks.mjs, asked over IPC: no HTTP route), read again
//      every 500 ms until the RSS settles (V8 returns freed pages a while after a GC; see memoryAfterGc). Idle is read after a warm-up of 10 follows for 3 s, closed again, so that
//      code compiled once and the first HTTP/2 connection are not counted as per-follow memory (the
//      cold idle RSS is in the note). Reported: the RSS growth over idle whole (`follow-1000`, goal
//      ≤ 200 MiB) and ÷ 1,000 without the growth of V8's young generation (`follow-memory`, goal ≤ 64 KiB:
//      the young generation is sized by the allocation rate — up to 2 × 16 MiB semi-spaces here — not by
//      the number of streams; the note gives it, the rest of the heap and the native part separately),
//      and the JS heap used ÷ 1,000 (live JavaScript objects alone). PODSCOPE_BENCH_HEAP_SNAPSHOTS=DIR
//      also writes a heap snapshot of the server idle and with the follows open (bench/heap-diff.ts
//      compares them by constructor); writing one leaves native memory in the RSS, so the RSS figures of
//      such a run are marked not comparable.
//   5. 100 concurrent follows of the firehose: how many streams receive lines, and the lines delivered
//      in total, vs 100 `kubectl logs -f` processes (one after the other, same window)
// The server runs in a process of its own (from the sources, through tsx: no build needed).
// Run: npx tsx bench/logs.ts [--only backlog,follow,first-line,follow-memory,follow-1000,firehose]   (or npm run bench)
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { WebSocket } from 'ws';
import type { LogStreamMessage } from '../src/shared/api.js';
import { decodeLogStreamMessage } from '../src/shared/logs/wire.js';
import { adminKubeconfig, kubectlPath } from '../test/support/cluster.js';
import { emitMeasures, parseBenchArgs, wants, type Measure } from './report.js';
import { startServer, type BenchServer } from './server.js';

const CLUSTER = 'podscope-local';
const BACKLOG_LINES = 200_000;
const BACKLOG_ROUNDS = 5;
const FOLLOW_SECONDS = 10;
const THOUSAND = 1000;
const HOLD_SECONDS = 30;
const FIREHOSE_FOLLOWS = 100;
const FIREHOSE_SECONDS = 15;
const args = parseBenchArgs(process.argv.slice(2));

/** The access token of the server started below, as a Bearer header (from the URL it prints). */
let auth: Record<string, string> = {};

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
      const n = countLines(data as Buffer);
      if (n !== null) {
        if (first < 0) first = performance.now() - t0;
        lines += n;
      }
      if (
        (n === null && parseLogMessage(data as Buffer).type === 'end') ||
        stop(lines, performance.now() - t0)
      )
        finish();
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

/** The web Deployment's pods (they log a few lines a second each). */
function webPods(): string[] {
  return execFileSync(
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
}

/**
 * The server's memory in KiB after a full GC, once it has settled: V8 hands freed pages back to the
 * system a while after a GC, so readings (500 ms apart, each after a full GC) go on until the last 3 are
 * within 1 MiB of each other (at most 20); the median of those 3.
 */
async function memoryAfterGc(bench: BenchServer, maxReadings = 20) {
  const all: (NodeJS.MemoryUsage & { young: number })[] = [];
  const settled = () => {
    const last = all.slice(-3).map((r) => r.rss);
    return last.length === 3 && Math.max(...last) - Math.min(...last) <= 1024 * 1024;
  };
  while (all.length < maxReadings && !settled()) {
    if (all.length > 0) await new Promise((r) => setTimeout(r, 500));
    const m = await bench.memory();
    // The young generation (new space): V8 sizes it by the allocation rate, up to --max-semi-space-size.
    const young = m.spaces
      .filter((s) => s.space_name === 'new_space' || s.space_name === 'new_large_object_space')
      .reduce((sum, s) => sum + s.physical_space_size, 0);
    all.push({ ...m, young });
  }
  const readings = all.slice(-3);
  const med = (k: keyof NodeJS.MemoryUsage | 'young') => median(readings.map((r) => r[k])) / 1024;
  return {
    rss: med('rss'),
    heapUsed: med('heapUsed'),
    heapTotal: med('heapTotal'),
    young: med('young'),
    external: med('external'),
    /** How many readings it took to settle (the first one is right after the GC). */
    readings: all.length,
    /** RSS of the first reading − the settled one: what V8 had not handed back yet. */
    unsettled: (all[0]!.rss - median(readings.map((r) => r.rss))) / 1024,
  };
}

/**
 * `n` follows of the web pods at once, held for `seconds`: the server's memory idle and while they
 * are open (see the header), how many streams delivered lines, and the bytes received.
 */
async function openFollows(bench: BenchServer, n: number, seconds: number) {
  const { port } = bench;
  const snapshots = process.env['PODSCOPE_BENCH_HEAP_SNAPSHOTS'];
  if (snapshots) mkdirSync(snapshots, { recursive: true });
  await new Promise((r) => setTimeout(r, 1000));
  const cold = await memoryAfterGc(bench, 1);
  const pods = webPods();
  // Warm-up: every code path of a follow runs once, and the first HTTP/2 connection opens.
  const warm = Array.from(
    { length: 10 },
    (_, i) =>
      new WebSocket(streamUrl(port, 'follow=true&tailLines=10', pods[i % pods.length]), { headers: auth }),
  );
  await new Promise((r) => setTimeout(r, 3000));
  for (const ws of warm) ws.terminate();
  await new Promise((r) => setTimeout(r, 2000));
  const before = await memoryAfterGc(bench);
  if (snapshots) await bench.heapSnapshot(path.resolve(snapshots, 'follows-0.heapsnapshot'));
  const sockets: WebSocket[] = [];
  let received = 0;
  let errors = 0;
  let opened = 0;
  let openedMs = -1;
  const t0 = performance.now();
  const streaming = new Set<number>();
  /** When each stream last delivered lines: a stream is live if it did in the last 10 s of the window. */
  const lastLines = new Array<number>(n).fill(-1);
  /** When each stream delivered its first lines, from the start of the opening. */
  const firstLines = new Array<number>(n).fill(-1);
  const refused = new Set<number>();
  for (let i = 0; i < n; i++) {
    const ws = new WebSocket(streamUrl(port, 'follow=true&tailLines=10', pods[i % pods.length]), {
      headers: auth,
    });
    ws.on('open', () => {
      if (++opened === n) openedMs = performance.now() - t0;
    });
    ws.on('message', (d) => {
      received += (d as Buffer).length;
      const m = parseLogMessage(d as Buffer);
      if (m.type === 'lines') {
        streaming.add(i);
        lastLines[i] = performance.now();
        if (firstLines[i]! < 0) firstLines[i] = performance.now() - t0;
        // The kubelet's answer once the node is out of inotify instances (fs.inotify.max_user_instances).
        if (m.lines.some((l) => l.text.includes('failed to create fsnotify watcher'))) refused.add(i);
      } else if (m.type === 'error') errors++;
    });
    ws.on('error', (err) => {
      errors++;
      console.error(`follow ${i}: ${err.message}`);
    });
    sockets.push(ws);
  }
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const live = lastLines.filter((t) => t >= performance.now() - 10_000).length;
  const silent = firstLines.flatMap((t, i) => (t < 0 ? [i] : []));
  const firsts = firstLines.filter((t) => t >= 0);
  const during = await memoryAfterGc(bench);
  if (snapshots) await bench.heapSnapshot(path.resolve(snapshots, `follows-${n}.heapsnapshot`));
  for (const ws of sockets) ws.terminate();
  // Let the server see them go, then read what stays: memory the allocators keep once freed.
  await new Promise((r) => setTimeout(r, 3000));
  const closed = await memoryAfterGc(bench);
  return {
    closed,
    snapshots: Boolean(snapshots),
    cold,
    before,
    during,
    streaming: streaming.size,
    live,
    /** Time to the first lines over the streams that had any: median and slowest (ms). */
    firstLineMs: firsts.length ? { median: median(firsts), max: Math.max(...firsts) } : null,
    /** The follows (by opening order) that delivered nothing, as ranges. */
    silent: ranges(silent),
    refused: refused.size,
    received,
    errors,
    openedMs,
  };
}

/** 3,4,5,9 → "3–5, 9". */
function ranges(xs: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < xs.length;) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j]! + 1) j++;
    out.push(i === j ? `${xs[i]}` : `${xs[i]}–${xs[j]}`);
    i = j + 1;
  }
  return out.join(', ');
}

const COMPACT_LINES = 'L'.charCodeAt(0);
const NEWLINE = 10;

/**
 * The lines in a compact `lines` frame (src/shared/logs/wire.ts), counted as kubectl's are (a search for
 * one newline per line, no parsing: the consumer does no more work per line on either side); null for
 * another message. Exact for a single container's stream, the only one sent in compact frames: its
 * texts are cut at newlines (LineSplitter), so each line's text holds none and one ends each line.
 */
function countLines(data: Buffer): number | null {
  if (data[0] !== COMPACT_LINES) return null;
  let n = 0;
  for (let i = data.indexOf(NEWLINE); i >= 0; i = data.indexOf(NEWLINE, i + 1)) n++;
  return n;
}

/** One message of a log stream as the browser reads it. */
function parseLogMessage(data: Buffer): LogStreamMessage {
  return decodeLogStreamMessage(data.toString());
}

async function main() {
  const measures: Measure[] = [];
  const following = wants(args, 'follow-memory') || wants(args, 'follow-1000');
  const bench = await startServer(undefined, [], { memoryHooks: following });
  const { port } = bench;
  auth = bench.headers;
  try {
    const stopAt = (n: number) => (lines: number) => lines >= n;
    if (wants(args, 'backlog')) {
      const ps = () =>
        podscopeCount(streamUrl(port, `follow=false&tailLines=${BACKLOG_LINES}`), stopAt(BACKLOG_LINES));
      const kc = () => kubectlCount(['logs', 'firehose', `--tail=${BACKLOG_LINES}`], stopAt(BACKLOG_LINES));
      // For reference, kubectl asked for what Podscope always reads (the kubelet then sends ~45% more bytes).
      const kt = () =>
        kubectlCount(['logs', 'firehose', `--tail=${BACKLOG_LINES}`, '--timestamps'], stopAt(BACKLOG_LINES));
      // Fair on a shared machine: each warmed once (a long-running server vs a binary in the page cache),
      // then BACKLOG_ROUNDS rounds of one read each, the order reversed every round (P K T, T K P…), the
      // median of each counted. A round is read again when a read got fewer lines than asked: right
      // after the kubelet rotates the firehose's log, fewer are there (wait).
      await podscopeCount(streamUrl(port, 'follow=false&tailLines=1000'), stopAt(1000));
      await kubectlCount(['logs', 'firehose', '--tail=1000'], stopAt(1000));
      const rounds: { lines: number; ms: number }[][] = [];
      for (let retries = 0; rounds.length < BACKLOG_ROUNDS;) {
        const readers = rounds.length % 2 === 0 ? [ps, kc, kt] : [kt, kc, ps];
        const reads: { lines: number; ms: number }[] = [];
        for (const read of readers) reads.push(await read());
        if (rounds.length % 2 === 1) reads.reverse();
        if (reads.some((r) => r.lines !== BACKLOG_LINES) && retries++ < 3) {
          console.error(`backlog: the log holds fewer than ${fmt(BACKLOG_LINES)} lines (rotated?); waiting`);
          await new Promise((r) => setTimeout(r, 30_000));
          continue;
        }
        rounds.push(reads);
      }
      const medianRead = (k: number) =>
        rounds.map((r) => r[k]!).sort((a, b) => a.ms - b.ms)[Math.floor(rounds.length / 2)]!;
      const [psBacklog, kcBacklog, ktBacklog] = [medianRead(0), medianRead(1), medianRead(2)];
      const perSecond = (k: number) => rounds.map((r) => fmt(r[k]!.lines / (r[k]!.ms / 1000))).join('/');
      measures.push({
        id: 'backlog',
        measure: `backlog read (last ${fmt(BACKLOG_LINES)} lines)`,
        unit: 'lines/s',
        podscope: psBacklog.lines / (psBacklog.ms / 1000),
        kubectl: kcBacklog.lines / (kcBacklog.ms / 1000),
        goal: { on: 'ratio', op: '>=', target: 1.0 },
        note: `got ${fmt(psBacklog.lines)} / ${fmt(kcBacklog.lines)} lines; median of ${BACKLOG_ROUNDS} after a warm-up, the order reversed every round; lines/s ${perSecond(0)} vs ${perSecond(1)}; kubectl --timestamps: ${fmt(ktBacklog.lines / (ktBacklog.ms / 1000))} lines/s (${perSecond(2)})`,
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

    if (following) {
      const m = await openFollows(bench, THOUSAND, HOLD_SECONDS);
      const grew = (k: 'rss' | 'heapUsed' | 'heapTotal' | 'young' | 'external') => m.during[k] - m.before[k];
      const per = (kib: number) => `${fmt(kib / THOUSAND)} KiB`;
      const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;
      if (wants(args, 'follow-memory')) {
        measures.push({
          id: 'follow-memory',
          measure: `server memory per open follow: RSS growth ÷ ${fmt(THOUSAND)}, young generation excluded`,
          unit: 'KiB',
          podscope: (grew('rss') - grew('young')) / THOUSAND,
          kubectl: null,
          goal: { on: 'value', op: '<=', target: 64 },
          note: `${m.snapshots ? 'NOT COMPARABLE: heap snapshots were written, their native memory stays in RSS; ' : ''}RSS after GC, settled ${mib(m.before.rss)} idle → ${mib(m.during.rss)} with ${fmt(THOUSAND)} follows open ${HOLD_SECONDS} s = ${per(grew('rss'))} a follow all included; of the growth, the young generation ${mib(grew('young'))} (${mib(m.before.young)} → ${mib(m.during.young)}: sized by the allocation rate, not by the number of streams), the rest of the JS heap ${mib(grew('heapTotal') - grew('young'))}, native (malloc: sockets, TLS, HTTP/2) ${mib(grew('rss') - grew('heapTotal'))}, of which ${mib(m.closed.rss - m.closed.heapTotal - (m.before.rss - m.before.heapTotal))} is still there once every follow is closed (freed, kept by malloc); settled after ${m.before.readings} / ${m.during.readings} readings (the first ${mib(m.before.unsettled)} / ${mib(m.during.unsettled)} higher)`,
        });
        measures.push({
          id: 'follow-memory',
          measure: `server memory per open follow: JS heap used after GC (${fmt(THOUSAND)} follows)`,
          unit: 'KiB',
          podscope: grew('heapUsed') / THOUSAND,
          kubectl: null,
          goal: null,
          note: `heap used ${mib(m.before.heapUsed)} → ${mib(m.during.heapUsed)} (live objects); external ${per(grew('external'))} a follow`,
        });
      }
      if (wants(args, 'follow-1000')) {
        measures.push({
          id: 'follow-1000',
          measure: `${fmt(THOUSAND)} follows of the web pods at once: streams that delivered lines`,
          unit: 'streams',
          podscope: m.streaming,
          kubectl: null,
          goal: { on: 'value', op: '>=', target: THOUSAND },
          note: `within ${HOLD_SECONDS} s; all opened in ${fmt(m.openedMs)} ms; first lines after ${m.firstLineMs ? `${fmt(m.firstLineMs.median)} ms (median), ${fmt(m.firstLineMs.max)} ms (slowest)` : '—'}${m.silent ? `; silent: follows ${m.silent} (in opening order)` : ''}; ${m.live} live in the last 10 s; ${m.refused} refused by the kubelet (out of inotify instances); ${fmt(m.received / 1024)} KiB received${m.errors ? `; ${m.errors} errors` : ''}`,
        });
        measures.push({
          id: 'follow-1000',
          measure: `${fmt(THOUSAND)} follows of the web pods at once: server RSS growth over idle`,
          unit: 'MiB',
          podscope: grew('rss') / 1024,
          kubectl: null,
          goal: { on: 'value', op: '<=', target: 200 },
          note: `RSS after GC, settled: ${mib(m.before.rss)} idle (after a warm-up; ${mib(m.cold.rss)} just started) → ${mib(m.during.rss)}, everything included (${per(grew('rss'))} a follow)`,
        });
      }
    }

    if (wants(args, 'firehose')) {
      const ours = await manyFollows(FIREHOSE_FOLLOWS, FIREHOSE_SECONDS, (_i, count) => {
        const ws = new WebSocket(streamUrl(port, 'follow=true&tailLines=0'), { headers: auth });
        ws.on('message', (data) => {
          const m = parseLogMessage(data as Buffer);
          if (m.type === 'lines') count(m.lines.length);
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
