// Terminal benchmark, Podscope vs kubectl exec, side by side in one run against the local cluster:
// keystroke round trip (type one character, wait for its echo) p50/p99, and the throughput of `cat` of
// a ~135 MB file (100 MB of random bytes, base64-encoded).
// Run: npx tsx bench/terminal.ts [--only keystroke,cat]   (or through npm run bench)
//
// Both sides stand in for a terminal: they answer the cursor-position query busybox ash sends after
// each prompt (ESC[6n), and a shell counts as ready once it has run `echo` of a marker (its output, not
// its echo, shows the marker) and printed its next prompt — never after a fixed sleep.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { adminKubeconfig, kubectl, kubectlOk, kubectlPath } from '../test/support/cluster.js';
import { startPodscope } from '../test/support/podscope.js';
import { createTestPod, deleteTestPod, waitRunning } from '../test/support/pods.js';
import { TerminalClient, terminalUrl } from '../test/integration/terminal/terminal-client.js';
import { emitMeasures, parseBenchArgs, wants, type Measure } from './report.js';
import { readinessProbe, TerminalQueryAnswerer } from './terminal-queries.js';

const KEYS = 300;
const WARMUP = 30;
const BIG = '/tmp/big';
const args = parseBenchArgs(process.argv.slice(2));

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

/** A terminal's output as text, with a wait for a condition on it that wakes on each new chunk. */
class Screen {
  text = '';
  private waiters: (() => void)[] = [];

  push(chunk: string): void {
    this.text += chunk;
    for (const w of this.waiters.splice(0)) w();
  }

  async until(what: string, predicate: (text: string) => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.text)) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out waiting for ${what}; output ${JSON.stringify(this.text.slice(-300))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => (clearTimeout(t), resolve()));
      });
    }
  }
}

/** Sends the readiness probe; resolves once the shell ran it and shows its next prompt. */
async function shellReady(screen: Screen, type: (s: string) => void): Promise<void> {
  const marker = `PODSCOPE_BENCH_${process.pid}_${Math.floor(performance.now())}`;
  const probe = readinessProbe(marker);
  type(probe.line);
  await screen.until('the shell to run the readiness probe', (text) => {
    if (!probe.seen(text)) return false;
    return /[#$] (\x1b\[6n)?$/.test(text.slice(text.lastIndexOf(marker)));
  });
}

/** Types one letter at a time and waits (event-driven) for its echo; returns the round trips in ms. */
async function keystrokes(screen: Screen, type: (s: string) => void): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < KEYS + WARMUP; i++) {
    const ch = String.fromCharCode(97 + (i % 26));
    const mark = screen.text.length;
    const t0 = performance.now();
    type(ch);
    await screen.until(`the echo of "${ch}"`, (text) => text.indexOf(ch, mark) >= 0, 10_000);
    if (i >= WARMUP) times.push(performance.now() - t0);
    if (i % 50 === 49) type('\x15'); // Ctrl-U: keep the line short
  }
  type('\x15');
  return times;
}

async function main() {
  const measures: Measure[] = [];
  const pod = await createTestPod({ prefix: 'bench-term', script: 'sleep 100000' });
  const podscope = await startPodscope();
  try {
    await waitRunning(pod);

    if (wants(args, 'keystroke')) {
      // Through Podscope (browser-like WebSocket client → Podscope → API server → kubelet).
      const t = new TerminalClient(terminalUrl(podscope.wsUrl, 'demo', pod), podscope.headers);
      const ours = new Screen();
      const answer = new TerminalQueryAnswerer();
      t.ws.on('message', (data: Buffer, isBinary) => {
        if (!isBinary) return;
        const text = data.toString('utf8');
        const reply = answer.feed(text);
        if (reply) t.type(reply);
        ours.push(text);
      });
      await t.ready();
      await shellReady(ours, (s) => t.type(s));
      const viaPodscope = await keystrokes(ours, (s) => t.type(s));
      t.close();

      // Through kubectl exec -i -t, given a pty by script(1).
      const cmd = `${kubectlPath} --kubeconfig ${adminKubeconfig} exec -i -t -n demo ${pod} -- sh`;
      const kc = spawn('script', ['-qfc', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
      const theirs = new Screen();
      const kAnswer = new TerminalQueryAnswerer();
      kc.stdout.on('data', (d: Buffer) => {
        const text = d.toString('utf8');
        const reply = kAnswer.feed(text);
        if (reply) kc.stdin.write(reply);
        theirs.push(text);
      });
      await shellReady(theirs, (s) => kc.stdin.write(s));
      const viaKubectl = await keystrokes(theirs, (s) => kc.stdin.write(s));
      kc.stdin.write('exit\r');
      kc.kill();
      const note = `${KEYS} keys after ${WARMUP} warm-up; kubectl exec -it under script(1)`;
      for (const p of [50, 99]) {
        measures.push({
          id: 'keystroke',
          measure: `keystroke round trip p${p}`,
          unit: 'ms',
          podscope: percentile(viaPodscope, p),
          kubectl: percentile(viaKubectl, p),
          goal: null,
          note,
        });
      }
    }

    if (wants(args, 'cat')) {
      await kubectlOk(
        ['-n', 'demo', 'exec', pod, '--', 'sh', '-c', `head -c 100000000 /dev/urandom | base64 > ${BIG}`],
        { timeoutMs: 300_000 },
      );
      // Throughput of cat through the Podscope terminal (TTY, recorded) vs kubectl exec -it (TTY).
      const c = new TerminalClient(
        terminalUrl(podscope.wsUrl, 'demo', pod, { command: ['cat', BIG] }),
        podscope.headers,
      );
      await c.ready();
      const p0 = performance.now();
      await c.closed;
      const podscopeSecs = (performance.now() - p0) / 1000;
      const podscopeBytes = c.outputBytes;

      const k1 = performance.now();
      const kcatT = spawn(
        'script',
        [
          '-qfc',
          `${kubectlPath} --kubeconfig ${adminKubeconfig} exec -i -t -n demo ${pod} -- cat ${BIG}`,
          '/dev/null',
        ],
        { stdio: ['pipe', 'pipe', 'inherit'] },
      );
      let ktbytes = 0;
      kcatT.stdout.on('data', (d: Buffer) => (ktbytes += d.length));
      await new Promise((r) => kcatT.on('close', r));
      const kubectlTtySecs = (performance.now() - k1) / 1000;

      // And without a TTY, for reference (what a script would use).
      const k0 = performance.now();
      const kcat = spawn(kubectlPath, [
        '--kubeconfig',
        adminKubeconfig,
        'exec',
        '-n',
        'demo',
        pod,
        '--',
        'cat',
        BIG,
      ]);
      let kbytes = 0;
      kcat.stdout.on('data', (d: Buffer) => (kbytes += d.length));
      await new Promise((r) => kcat.on('close', r));
      const kubectlSecs = (performance.now() - k0) / 1000;

      const mbps = (bytes: number, secs: number) => bytes / 1e6 / secs;
      if (podscopeBytes < 100e6 || ktbytes < 100e6) {
        throw new Error(
          `cat delivered too little: Podscope ${podscopeBytes} bytes, kubectl ${ktbytes} bytes`,
        );
      }
      measures.push({
        id: 'cat',
        measure: '`cat` of 135 MB through the terminal',
        unit: 'MB/s',
        podscope: mbps(podscopeBytes, podscopeSecs),
        kubectl: mbps(ktbytes, kubectlTtySecs),
        goal: { on: 'ratio', op: '>=', target: 0.9 },
        note: `Podscope TTY + recording vs kubectl exec -it; kubectl without TTY ${mbps(kbytes, kubectlSecs).toFixed(1)} MB/s`,
      });
    }
  } finally {
    await podscope.close();
    await kubectl(['-n', 'demo', 'exec', pod, '--', 'rm', '-f', BIG]);
    await deleteTestPod(pod);
  }
  emitMeasures(args, 'Terminal benchmark (local cluster, one run)', measures);
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
