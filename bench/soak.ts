// Soak: a bounded run of steady load against the local cluster, watching the server for leaks and stalls.
//   - 200 log follows over Podscope's WebSocket log stream, spread over the web Deployment's pods (they
//     log ~2 lines/s each), with one `kubectl logs -f` per pod as the reference of "the pod logs";
//   - 50 terminals through Podscope's terminal WebSocket into the same pods (several per pod), each
//     typing `echo` of a fresh marker every few seconds and waiting for its output (the shell's output
//     holds the marker, its echo does not: see terminal-queries.ts), answering busybox ash's ESC[6n;
//   - every few seconds: the server's RSS (/proc/PID/status), its open fds (/proc/PID/fd), and from its
//     /metrics Node's active handles, heap used and Podscope's open streams — printed as a table.
// It fails (exit 1, with the reasons) if RSS, fds or handles keep growing over the second half of the
// run, if a follow goes silent while its pod logs or a command's output does not come back (stall),
// if a stream ends on its own, or if the server does not return near its idle fds/handles once every
// stream is closed. The decisions and their thresholds are in soak-analysis.ts (unit-tested).
// The server runs in a process of its own from the sources (bench/server.ts), with a temporary data dir.
// Results: bench/soak-results.json.
//
// Run: npm run soak [-- --minutes 10 --follows 200 --terminals 50 --sample-seconds S --command-seconds 5]
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { adminKubeconfig, kubectlPath } from '../test/support/cluster.js';
import { decodeLogStreamMessage } from '../src/shared/logs/wire.js';
import { CLUSTER } from '../test/support/podscope.js';
import { startServer, type BenchServer } from './server.js';
import {
  backToIdle,
  FOLLOW_STALL,
  formatRows,
  growthVerdict,
  HANDLE_LIMITS,
  idleAllowance,
  median,
  RSS_LIMITS,
  smallestGrowthCaught,
  stalledFollows,
  stalledTerminals,
  TERMINAL_STALL_MS,
  type FollowState,
  type GrowthLimits,
  type GrowthVerdict,
  type Sample,
  type SoakRow,
  type TerminalState,
} from './soak-analysis.js';
import { readinessProbe, TerminalQueryAnswerer } from './terminal-queries.js';

const RESULTS = path.join(import.meta.dirname, 'soak-results.json');
/**
 * How long the first command (the shell coming up) may take, ms. Generous: opening is not what the soak
 * measures (the open times are reported), and on the local cluster opening a terminal while 200
 * follows reconnect takes 15–45 s (see the README).
 */
const READY_TIMEOUT_MS = 120_000;
/** Terminals opened at once. */
const OPEN_BATCH = 10;
/** How long the server gets to close everything and return to idle, ms (idle keep-alive sockets to
 * the API server are closed by it after about 90 s). */
const DRAIN_MS = 150_000;

function options() {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '10' },
      follows: { type: 'string', default: '200' },
      terminals: { type: 'string', default: '50' },
      'sample-seconds': { type: 'string' },
      'command-seconds': { type: 'string', default: '5' },
    },
  });
  const num = (name: string, raw: string | undefined, min: number, max: number) => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) {
      console.error(`soak: --${name} must be a number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
      process.exit(2);
    }
    return n;
  };
  const minutes = num('minutes', values.minutes, 1, 24 * 60);
  return {
    minutes,
    follows: Math.round(num('follows', values.follows, 0, 2000)),
    terminals: Math.round(num('terminals', values.terminals, 0, 500)),
    // About 60 samples a run (2 to 30 s apart): enough for the trend test, few enough to read.
    sampleSeconds: num(
      'sample-seconds',
      values['sample-seconds'] ?? String(Math.min(30, Math.max(2, Math.round(minutes)))),
      1,
      600,
    ),
    commandSeconds: num('command-seconds', values['command-seconds'], 1, 300),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mib = (bytes: number) => bytes / 1024 / 1024;

function rssMiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

interface Scrape {
  handles: number | null;
  heapMiB: number | null;
  openStreams: number | null;
}

/** Node's active handles, heap used and Podscope's open streams from the server's /metrics. */
async function scrape(server: BenchServer): Promise<Scrape> {
  try {
    const res = await server.fetch('/metrics', { signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    const one = (name: string) => {
      const m = new RegExp(`^${name} ([0-9.e+]+)$`, 'm').exec(text);
      return m ? Number(m[1]) : null;
    };
    const streams = [...text.matchAll(/^podscope_open_streams\{[^}]*\} ([0-9.e+]+)$/gm)];
    const heap = one('nodejs_heap_size_used_bytes');
    return {
      handles: one('nodejs_active_handles_total'),
      heapMiB: heap === null ? null : mib(heap),
      openStreams: streams.length ? streams.reduce((n, m) => n + Number(m[1]), 0) : null,
    };
  } catch {
    return { handles: null, heapMiB: null, openStreams: null };
  }
}

function webPods(): string[] {
  const out = execFileSync(
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
      '--field-selector',
      'status.phase=Running',
      '-o',
      'jsonpath={.items[*].metadata.name}',
    ],
    { encoding: 'utf8' },
  ).trim();
  return out ? out.split(/\s+/) : [];
}

interface Failure {
  t: number;
  what: string;
}

class Soak {
  readonly t0 = performance.now();
  loadStart = 0;
  closing = false;
  readonly failures: Failure[] = [];
  readonly follows: (FollowState & { ws: WebSocket; lines: number; stalled: boolean })[] = [];
  readonly terminals: (TerminalState & {
    ws: WebSocket;
    pod: string;
    marker: string | null;
    /** When the command awaiting output was typed (pendingSince is cleared once it is reported stalled). */
    sentAt: number;
    output: string;
    n: number;
    done: number;
    timer?: NodeJS.Timeout;
  })[] = [];
  readonly podLastLineAt = new Map<string, number>();
  readonly references: ChildProcess[] = [];
  /** Command round trips (ms) since the last sample, and over the whole run. */
  recentTrips: number[] = [];
  readonly allTrips: number[] = [];
  linesSinceSample = 0;
  /** Follows whose upstream log request ended and was resumed (the "reconnected" marker). */
  reconnects = 0;
  /** Per terminal: ms from opening the WebSocket to the output of its first command. */
  readonly openMs: number[] = [];

  constructor(
    readonly server: BenchServer,
    readonly opts: ReturnType<typeof options>,
  ) {}

  now(): number {
    return performance.now();
  }

  fail(what: string): void {
    const t = (this.now() - this.t0) / 1000;
    this.failures.push({ t, what });
    console.error(`  ! ${Math.round(t)} s: ${what}`);
  }

  /** `kubectl logs -f` of the pod: when it last wrote a line is when the pod last logged. */
  reference(pod: string): void {
    const child = spawn(
      kubectlPath,
      ['--kubeconfig', adminKubeconfig, '-n', 'demo', 'logs', '-f', pod, '--tail=1'],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    child.stdout.on('data', () => this.podLastLineAt.set(pod, this.now()));
    child.on('exit', () => {
      if (!this.closing) setTimeout(() => !this.closing && this.reference(pod), 1000);
    });
    this.references.push(child);
  }

  follow(id: number, pod: string): void {
    const url =
      `ws://127.0.0.1:${this.server.port}/api/clusters/${CLUSTER}/namespaces/demo/pods/${pod}` +
      `/logs/stream?follow=true&tailLines=1`;
    const ws = new WebSocket(url, { headers: this.server.headers });
    const f: Soak['follows'][number] = {
      id,
      pod,
      openedAt: this.now(),
      lastLineAt: null,
      ws,
      lines: 0,
      stalled: false,
    };
    this.follows.push(f);
    ws.on('message', (data: Buffer) => {
      const m = decodeLogStreamMessage(data.toString('utf8'));
      if (m.type === 'marker' && m.kind === 'reconnected') this.reconnects++;
      if (m.type === 'lines') {
        f.lastLineAt = this.now();
        f.lines += m.lines.length;
        this.linesSinceSample += m.lines.length;
        f.stalled = false;
      } else if ((m.type === 'end' || m.type === 'error') && !this.closing) {
        this.fail(`follow ${id} of ${pod} got "${m.type}": ${m.message ?? ''}`);
      }
    });
    ws.on('error', (err) => !this.closing && this.fail(`follow ${id} of ${pod}: ${err.message}`));
    ws.on('close', (code, reason) => {
      if (!this.closing) this.fail(`follow ${id} of ${pod} closed (${code} ${reason.toString()})`);
      f.stalled = true; // reported once, as closed
    });
  }

  /** Opens a terminal and waits until its shell ran the first command. */
  terminal(id: number, pod: string): Promise<void> {
    const url =
      `ws://127.0.0.1:${this.server.port}/api/clusters/${CLUSTER}/namespaces/demo/pods/${pod}` +
      `/terminal?cols=120&rows=40`;
    const opened = this.now();
    const ws = new WebSocket(url, { headers: this.server.headers });
    const term: Soak['terminals'][number] = {
      id,
      pod,
      ws,
      pendingSince: null,
      marker: null,
      sentAt: 0,
      output: '',
      n: 0,
      done: 0,
    };
    this.terminals.push(term);
    const answer = new TerminalQueryAnswerer(40);
    let firstDone: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (firstDone = resolve));
    let readyAt: number | null = null;
    let recent = ''; // the last output, for the message when the shell does not come up
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) {
        const m = JSON.parse(data.toString('utf8')) as { type: string; message?: string };
        if (m.type === 'ready') {
          readyAt = this.now();
          this.command(term);
        } else if ((m.type === 'exit' || m.type === 'error') && !this.closing)
          this.fail(`terminal ${id} into ${pod} got "${m.type}": ${m.message ?? ''}`);
        return;
      }
      const text = data.toString('utf8');
      if (term.done === 0) recent = (recent + text).slice(-300);
      const reply = answer.feed(text);
      if (reply) ws.send(Buffer.from(reply), { binary: true });
      if (term.marker === null) return;
      term.output = (term.output + text).slice(-16_384);
      if (term.output.includes(term.marker)) {
        const trip = this.now() - term.sentAt;
        if (term.n > 1) {
          this.recentTrips.push(trip);
          this.allTrips.push(trip);
        }
        term.marker = null;
        term.pendingSince = null;
        term.output = '';
        if (term.done === 0) this.openMs.push(this.now() - opened);
        term.done++;
        firstDone();
        if (!this.closing) {
          // A little jitter, so that 50 terminals do not type in lockstep.
          const wait = this.opts.commandSeconds * 1000 * (0.8 + 0.4 * Math.random());
          term.timer = setTimeout(() => this.command(term), wait);
        }
      }
    });
    ws.on('error', (err) => !this.closing && this.fail(`terminal ${id} into ${pod}: ${err.message}`));
    ws.on('close', (code, reason) => {
      if (!this.closing) this.fail(`terminal ${id} into ${pod} closed (${code} ${reason.toString()})`);
      term.pendingSince = null; // reported once, as closed
      firstDone();
    });
    return Promise.race([first, sleep(READY_TIMEOUT_MS)]).then(() => {
      if (term.done === 0 && !this.closing) {
        const ready = readyAt === null ? 'no "ready"' : `"ready" after ${Math.round(readyAt - opened)} ms`;
        this.fail(
          `terminal ${id} into ${pod}: its first command did not run within ${READY_TIMEOUT_MS / 1000} s (${ready}; output ${JSON.stringify(recent)})`,
        );
      }
    });
  }

  command(term: Soak['terminals'][number]): void {
    if (this.closing || term.ws.readyState !== WebSocket.OPEN) return;
    term.n++;
    const probe = readinessProbe(`SOAK_${term.id}_${term.n}_${process.pid}`);
    term.marker = `SOAK_${term.id}_${term.n}_${process.pid}`;
    term.output = '';
    term.sentAt = term.pendingSince = this.now();
    term.ws.send(Buffer.from(probe.line), { binary: true });
  }

  /** Stall checks (every second). */
  checkStalls(): void {
    const now = this.now();
    for (const f of stalledFollows(
      this.follows.filter((x) => !x.stalled),
      this.podLastLineAt,
      now,
    )) {
      const follow = this.follows[f.id]!;
      follow.stalled = true;
      const silent = Math.round((now - (f.lastLineAt ?? f.openedAt)) / 1000);
      this.fail(`follow ${f.id} of ${f.pod} stalled: no line for ${silent} s while the pod logs`);
    }
    for (const t of stalledTerminals(this.terminals, now)) {
      const term = this.terminals[t.id]!;
      this.fail(
        `terminal ${t.id} into ${term.pod} stalled: no output of command ${term.n} after ${TERMINAL_STALL_MS / 1000} s`,
      );
      term.pendingSince = null; // once per command; it still counts if the output comes later
    }
  }

  closeAll(): void {
    this.closing = true;
    for (const t of this.terminals) {
      clearTimeout(t.timer);
      t.ws.close();
    }
    for (const f of this.follows) f.ws.close();
    for (const r of this.references) r.kill();
  }
}

async function main(): Promise<number> {
  const opts = options();
  const pods = webPods();
  if (pods.length === 0) throw new Error('no running pod with app=web in namespace demo (npm run demo?)');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'podscope-soak-'));
  const server = await startServer(undefined, ['--data-dir', dataDir]);
  const pid = server.child.pid!;
  const soak = new Soak(server, opts);
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    console.error('soak: interrupted; closing and reporting what it has');
  });
  try {
    // Idle: the server up, nothing open (the second scrape, once the keep-alive socket exists).
    await sleep(2000);
    await scrape(server);
    await sleep(1000);
    const idleScrape = await scrape(server);
    const idle = { rssMiB: rssMiB(pid), fds: openFds(pid), handles: idleScrape.handles };
    console.log(
      `soak: ${opts.minutes} min, ${opts.follows} follows and ${opts.terminals} terminals over ${pods.length} web pods ` +
        `(${pods.join(', ')}), a command every ~${opts.commandSeconds} s, a sample every ${opts.sampleSeconds} s`,
    );
    console.log(
      `idle server: RSS ${idle.rssMiB.toFixed(1)} MiB, ${idle.fds} fds, ${idle.handles ?? '—'} handles`,
    );

    for (const pod of pods) soak.reference(pod);
    for (let i = 0; i < opts.follows; i++) {
      soak.follow(i, pods[i % pods.length]!);
      if (i % 25 === 24) await sleep(250);
    }
    // Terminals a few at a time: each is an exec through the API server to the kubelet.
    for (let i = 0; i < opts.terminals; i += OPEN_BATCH) {
      await Promise.all(
        Array.from({ length: Math.min(OPEN_BATCH, opts.terminals - i) }, (_, k) =>
          soak.terminal(i + k, pods[(i + k) % pods.length]!),
        ),
      );
    }
    soak.loadStart = performance.now();
    console.log(`load running after ${((soak.loadStart - soak.t0) / 1000).toFixed(1)} s of opening\n`);

    const rows: SoakRow[] = [];
    const stallTimer = setInterval(() => soak.checkStalls(), 1000);
    const endAt = soak.loadStart + opts.minutes * 60_000;
    let lastSample = performance.now();
    let header = true;
    while (!interrupted) {
      const next = Math.min(endAt, lastSample + opts.sampleSeconds * 1000);
      await sleep(Math.max(0, next - performance.now()));
      const now = performance.now();
      const s = await scrape(server);
      const row: SoakRow = {
        t: (now - soak.loadStart) / 1000,
        rssMiB: rssMiB(pid),
        heapMiB: s.heapMiB,
        handles: s.handles,
        fds: openFds(pid),
        openStreams: s.openStreams,
        linesPerSec: soak.linesSinceSample / ((now - lastSample) / 1000),
        commands: soak.recentTrips.length,
        maxCommandMs: soak.recentTrips.length ? Math.max(...soak.recentTrips) : null,
      };
      soak.linesSinceSample = 0;
      soak.recentTrips = [];
      lastSample = now;
      rows.push(row);
      const lines = formatRows([row]).split('\n');
      if (header) console.log(lines[0]);
      header = false;
      console.log(lines[1]);
      if (now >= endAt - 1000) break; // (no sliver of a last interval)
    }
    clearInterval(stallTimer);
    soak.checkStalls();

    // Close everything; the server should drop back near its idle count.
    soak.closeAll();
    const drainStart = performance.now();
    let after = { fds: openFds(pid), handles: null as number | null, openStreams: null as number | null };
    const settled = () =>
      after.openStreams === 0 &&
      backToIdle(idle.fds, after.fds) &&
      (idle.handles === null || after.handles === null || backToIdle(idle.handles, after.handles));
    while (performance.now() - drainStart < DRAIN_MS) {
      await sleep(2000);
      const s = await scrape(server);
      after = { fds: openFds(pid), handles: s.handles, openStreams: s.openStreams };
      if (settled()) break;
    }
    const drainSeconds = (performance.now() - drainStart) / 1000;

    // Verdicts.
    const reasons: string[] = soak.failures.map((f) => `${Math.round(f.t)} s: ${f.what}`);
    const judge = (name: string, unit: string, series: Sample[], limits: GrowthLimits): GrowthVerdict => {
      const v = growthVerdict(series, limits);
      const d = (x: number) => x.toFixed(1);
      if (v.tooFew) reasons.push(`${name}: too few samples in the second half to judge (use a longer run)`);
      else if (v.growing) {
        reasons.push(
          `${name} keeps growing: ${d(v.slopePerHour)} ${unit}/h over the second half (limit ${limits.slopePerHour}), ` +
            `${d(v.recentSlopePerHour)} ${unit}/h at the end, ${d(v.plateau)} → ${d(v.end)} ${unit} (margin ${d(v.margin)})`,
        );
      }
      return v;
    };
    const series = (pick: (r: SoakRow) => number | null): Sample[] =>
      rows.flatMap((r) => {
        const value = pick(r);
        return value === null ? [] : [{ t: r.t, value }];
      });
    const verdicts = {
      rss: judge(
        'RSS',
        'MiB',
        series((r) => r.rssMiB),
        RSS_LIMITS,
      ),
      fds: judge(
        'open fds',
        'fds',
        series((r) => r.fds),
        HANDLE_LIMITS,
      ),
      handles: judge(
        'active handles',
        'handles',
        series((r) => r.handles),
        HANDLE_LIMITS,
      ),
    };
    if (after.openStreams !== 0) {
      reasons.push(`${after.openStreams ?? 'unknown'} streams still open ${DRAIN_MS / 1000} s after closing`);
    }
    if (!backToIdle(idle.fds, after.fds)) {
      reasons.push(
        `open fds did not return to idle: ${after.fds} after closing vs ${idle.fds} idle (allowance ${idleAllowance(idle.fds)})`,
      );
    }
    if (idle.handles !== null && after.handles !== null && !backToIdle(idle.handles, after.handles)) {
      reasons.push(
        `active handles did not return to idle: ${after.handles} vs ${idle.handles} (allowance ${idleAllowance(idle.handles)})`,
      );
    }
    const linesPerFollow = soak.follows.map((f) => f.lines);
    const trips = soak.allTrips;
    const pct = (p: number) =>
      trips.length ? [...trips].sort((a, b) => a - b)[Math.floor((p / 100) * (trips.length - 1))]! : NaN;
    const summary = {
      minutes: rows.length ? rows[rows.length - 1]!.t / 60 : 0,
      follows: opts.follows,
      terminals: opts.terminals,
      pods,
      idle,
      after: { ...after, drainSeconds },
      lines: linesPerFollow.reduce((a, b) => a + b, 0),
      fewestLinesPerFollow: linesPerFollow.length ? Math.min(...linesPerFollow) : null,
      reconnects: soak.reconnects,
      terminalOpenMs: {
        p50: median(soak.openMs),
        max: soak.openMs.length ? Math.max(...soak.openMs) : null,
      },
      commands: trips.length,
      commandMs: { p50: median(trips), p99: pct(99), max: trips.length ? Math.max(...trips) : null },
      rssPeakMiB: Math.max(...rows.map((r) => r.rssMiB)),
      /** The slowest steady RSS growth this run would have failed on. */
      smallestLeakCaughtMiBPerHour: smallestGrowthCaught(
        RSS_LIMITS,
        verdicts.rss.plateau,
        rows.length ? rows[rows.length - 1]!.t : 0,
      ),
    };
    writeFileSync(
      RESULTS,
      JSON.stringify(
        {
          date: new Date().toISOString(),
          options: opts,
          limits: {
            rss: RSS_LIMITS,
            handles: HANDLE_LIMITS,
            followStall: FOLLOW_STALL,
            terminalStallMs: TERMINAL_STALL_MS,
          },
          summary,
          verdicts,
          failures: soak.failures,
          reasons,
          samples: rows,
        },
        null,
        2,
      ) + '\n',
    );

    const f1 = (x: number) => x.toFixed(1);
    console.log(
      `\n${f1(summary.minutes)} min: ${summary.lines.toLocaleString('en-US')} lines over ${opts.follows} follows ` +
        `(fewest ${summary.fewestLinesPerFollow ?? '—'}), ${trips.length.toLocaleString('en-US')} terminal commands ` +
        `(round trip p50 ${f1(summary.commandMs.p50)} ms, p99 ${f1(summary.commandMs.p99)} ms)`,
    );
    console.log(
      `${soak.reconnects} follow reconnects (upstream log request ended, resumed); terminals open in ` +
        `p50 ${f1(summary.terminalOpenMs.p50 / 1000)} s, max ${f1((summary.terminalOpenMs.max ?? NaN) / 1000)} s`,
    );
    console.log(
      `RSS: plateau ${f1(verdicts.rss.plateau)} → end ${f1(verdicts.rss.end)} MiB, slope ${f1(verdicts.rss.slopePerHour)} MiB/h ` +
        `(end ${f1(verdicts.rss.recentSlopePerHour)}), peak ${f1(summary.rssPeakMiB)} MiB ` +
        `(a leak from ~${Math.round(summary.smallestLeakCaughtMiBPerHour)} MiB/h up would fail); ` +
        `fds ${f1(verdicts.fds.plateau)} → ${f1(verdicts.fds.end)}; handles ${f1(verdicts.handles.plateau)} → ${f1(verdicts.handles.end)}`,
    );
    console.log(
      `after closing (${f1(drainSeconds)} s): ${after.fds} fds (idle ${idle.fds}), ${after.handles ?? '—'} handles ` +
        `(idle ${idle.handles ?? '—'}), ${after.openStreams ?? '—'} open streams`,
    );
    console.log(`results: ${path.relative(process.cwd(), RESULTS)}`);
    if (interrupted) reasons.push('interrupted before the end');
    if (reasons.length) {
      console.error(`\nSOAK FAILED:\n${reasons.map((r) => `  - ${r}`).join('\n')}`);
      return 1;
    }
    console.log('\nsoak passed: no growth, no stall, back to idle');
    return 0;
  } finally {
    soak.closeAll();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
