// Terminal benchmark, Podscope vs kubectl exec, side by side in one run against the local cluster:
// keystroke round trip (type one character, wait for its echo) p50/p99, and the throughput of `cat` of
// a ~135 MB file (100 MB of random bytes, base64-encoded).  Run: npx tsx bench/terminal.ts
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { adminKubeconfig, kubectl, kubectlOk, kubectlPath } from '../test/support/cluster.js';
import { startPodscope } from '../test/support/podscope.js';
import { createTestPod, deleteTestPod, waitRunning } from '../test/support/pods.js';
import { TerminalClient, terminalUrl } from '../test/integration/terminal/terminal-client.js';

const KEYS = 300;
const WARMUP = 30;
const BIG = '/tmp/big';

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

/** Types one letter at a time into something that echoes it; returns the round trips in ms. */
async function keystrokes(write: (s: string) => void, output: () => string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < KEYS + WARMUP; i++) {
    const ch = String.fromCharCode(97 + (i % 26));
    const mark = output().length;
    const t0 = performance.now();
    write(ch);
    while (!output().slice(mark).includes(ch)) await new Promise((r) => setImmediate(r));
    if (i >= WARMUP) times.push(performance.now() - t0);
    if (i % 50 === 49) write('\x15'); // Ctrl-U: keep the line short
  }
  write('\x15');
  return times;
}

async function main() {
  const pod = await createTestPod({ prefix: 'bench-term', script: 'sleep 100000' });
  const podscope = await startPodscope();
  try {
    await waitRunning(pod);
    await kubectlOk(
      ['-n', 'demo', 'exec', pod, '--', 'sh', '-c', `head -c 100000000 /dev/urandom | base64 > ${BIG}`],
      {
        timeoutMs: 300_000,
      },
    );
    const size = Number((await kubectlOk(['-n', 'demo', 'exec', pod, '--', 'stat', '-c', '%s', BIG])).trim());

    // Keystrokes through Podscope (browser-like WebSocket client → Podscope → API server → kubelet).
    const t = new TerminalClient(terminalUrl(podscope.wsUrl, 'demo', pod), podscope.headers);
    await t.ready();
    await t.outputMatches(/# (\x1b\[6n)?$/);
    const viaPodscope = await keystrokes(
      (s) => t.type(s),
      () => t.output,
    );
    t.close();

    // Keystrokes through kubectl exec -i -t, given a pty by script(1).
    const cmd = `${kubectlPath} --kubeconfig ${adminKubeconfig} exec -i -t -n demo ${pod} -- sh`;
    const kc = spawn('script', ['-qfc', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let kout = '';
    kc.stdout.on('data', (d: Buffer) => (kout += d.toString('utf8')));
    while (!/# (\x1b\[6n)?$/.test(kout)) await new Promise((r) => setTimeout(r, 20));
    const viaKubectl = await keystrokes(
      (s) => kc.stdin.write(s),
      () => kout,
    );
    kc.stdin.write('exit\r');
    kc.kill();

    // Throughput of cat through the Podscope terminal (TTY, recorded) vs kubectl exec (no TTY).
    const c = new TerminalClient(
      terminalUrl(podscope.wsUrl, 'demo', pod, { command: ['cat', BIG] }),
      podscope.headers,
    );
    await c.ready();
    const p0 = performance.now();
    await c.closed;
    const podscopeSecs = (performance.now() - p0) / 1000;
    const podscopeBytes = c.outputBytes;

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

    const k1 = performance.now();
    const kcatT = spawn(
      'script',
      [
        '-qfc',
        `${kubectlPath} --kubeconfig ${adminKubeconfig} exec -i -t -n demo ${pod} -- cat ${BIG}`,
        '/dev/null',
      ],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    let ktbytes = 0;
    kcatT.stdout.on('data', (d: Buffer) => (ktbytes += d.length));
    await new Promise((r) => kcatT.on('close', r));
    const kubectlTtySecs = (performance.now() - k1) / 1000;

    const mbps = (bytes: number, secs: number) => (bytes / 1e6 / secs).toFixed(1);
    const ms = (x: number) => x.toFixed(2);
    console.log(`\nTerminal benchmark (${KEYS} keystrokes after ${WARMUP} warm-up; file ${size} bytes)\n`);
    console.log(
      '| measurement                         | Podscope (WS, TTY, recorded) | kubectl exec -it | kubectl exec (no TTY) |',
    );
    console.log(
      '|-------------------------------------|------------------------------|------------------|-----------------------|',
    );
    console.log(
      `| keystroke round trip p50 (ms)       | ${ms(percentile(viaPodscope, 50)).padEnd(28)} | ${ms(percentile(viaKubectl, 50)).padEnd(16)} | —                     |`,
    );
    console.log(
      `| keystroke round trip p99 (ms)       | ${ms(percentile(viaPodscope, 99)).padEnd(28)} | ${ms(percentile(viaKubectl, 99)).padEnd(16)} | —                     |`,
    );
    console.log(
      `| cat throughput (MB/s)               | ${mbps(podscopeBytes, podscopeSecs).padEnd(28)} | ${mbps(ktbytes, kubectlTtySecs).padEnd(16)} | ${mbps(kbytes, kubectlSecs).padEnd(21)} |`,
    );
    console.log(
      `| cat bytes received / seconds        | ${`${podscopeBytes} / ${podscopeSecs.toFixed(2)}`.padEnd(28)} | ${`${ktbytes} / ${kubectlTtySecs.toFixed(2)}`.padEnd(16)} | ${`${kbytes} / ${kubectlSecs.toFixed(2)}`.padEnd(21)} |`,
    );
    console.log(
      '\n(TTY output turns \\n into \\r\\n, so TTY byte counts exceed the file size by one byte per line.)',
    );
  } finally {
    await podscope.close();
    await kubectl(['-n', 'demo', 'exec', pod, '--', 'rm', '-f', BIG]);
    await deleteTestPod(pod);
  }
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
