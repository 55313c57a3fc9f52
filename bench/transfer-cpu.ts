// Where the CPU of a 100 MB download / upload goes, process by process: Podscope (through curl) vs
// `kubectl cp`, and for uploads also `kubectl exec -i` running Podscope's own TEE_SHA256_SCRIPT (the
// container-side floor of Podscope's upload method). Every process's utime+stime is read from /proc
// every 50 ms during each transfer and grouped by command name; the machine's totals come from
// /proc/stat. Linux only; not part of `npm run bench` (it prints a breakdown, not a ratio).
//
//   npx tsx bench/transfer-cpu.ts [download|upload|both] [runs]
//
// The whole machine is sampled: on a shared machine, other work shows up in the API server, the
// kubelet and containerd too — compare runs side by side and repeat them.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPod, deletePod, waitContainerRunning } from '../test/integration/debug/debug-helpers.js';
import { APP_IMAGE, kubectlOk } from '../test/support/cluster.js';
import { CLUSTER } from '../test/support/podscope.js';
import { curlFiles, kubectlCheckedWrite } from './transfers.js';
import { startServer } from './server.js';

const which = process.argv[2] ?? 'both';
const runs = Number(process.argv[3] ?? 1);
const SIZE_MB = 100;
const TICKS = 100; // USER_HZ on Linux

type Times = { comm: string; user: number; system: number };

/** utime+stime (ticks) and command name of one process, or null once it is gone. */
function processTime(pid: number): Times | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  return {
    comm: stat.slice(stat.indexOf('(') + 1, close),
    user: Number(fields[11]),
    system: Number(fields[12]),
  };
}

/** Every process now. */
function processTimes(): Map<number, Times> {
  const out = new Map<number, Times>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const t = processTime(Number(entry));
    if (t) out.set(Number(entry), t);
  }
  return out;
}

const machineTimes = () =>
  readFileSync('/proc/stat', 'latin1').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);

/** Runs `fn` while sampling; prints the CPU each group of processes used meanwhile. */
async function sampled(label: string, names: Map<number, string>, fn: () => Promise<void>): Promise<void> {
  const before = processTimes();
  const last = new Map(before);
  const m0 = machineTimes();
  // Every 50 ms the processes that used CPU since the last look (cheap: a few dozen files), every
  // 500 ms all of them (new ones, idle ones waking up): the sampling itself stays near 0.1 s a transfer.
  let active = new Set<number>();
  let tick = 0;
  const timer = setInterval(() => {
    const all = tick++ % 10 === 0;
    const now = all ? processTimes() : new Map([...active].map((pid) => [pid, processTime(pid)] as const));
    active = new Set();
    for (const [pid, t] of now) {
      if (t === null) continue;
      const prev = last.get(pid);
      if (!prev || prev.user + prev.system !== t.user + t.system) active.add(pid);
      last.set(pid, t);
    }
  }, 50);
  const t0 = performance.now();
  await fn();
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  for (const [pid, t] of processTimes()) last.set(pid, t);
  const m1 = machineTimes();
  const groups = new Map<string, { user: number; system: number; n: number }>();
  for (const [pid, t] of last) {
    const b = before.get(pid);
    const user = t.user - (b?.user ?? 0);
    const system = t.system - (b?.system ?? 0);
    if (user + system <= 0) continue;
    const key = names.get(pid) ?? t.comm;
    const g = groups.get(key) ?? { user: 0, system: 0, n: 0 };
    g.user += user;
    g.system += system;
    g.n += 1;
    groups.set(key, g);
  }
  const d = m1.map((v, i) => v - m0[i]!);
  const [user, nice, system, idle, , irq, softirq] = d.map((v) => v / TICKS);
  console.log(
    `\n${label}: ${seconds.toFixed(2)} s (${(SIZE_MB / seconds).toFixed(1)} MB/s); machine busy ${(user! + nice! + system! + irq! + softirq!).toFixed(2)} s, idle ${idle!.toFixed(2)} s`,
  );
  const rows = [...groups].sort((a, b) => b[1].user + b[1].system - (a[1].user + a[1].system));
  for (const [key, g] of rows.slice(0, 14)) {
    const total = (g.user + g.system) / TICKS;
    if (total < 0.02) break;
    console.log(
      `  ${total.toFixed(2).padStart(6)} s  (user ${(g.user / TICKS).toFixed(2)}, sys ${(g.system / TICKS).toFixed(2)})  ${key}${g.n > 1 ? ` ×${g.n}` : ''}`,
    );
  }
}

const podscope = await startServer(8000 + Math.floor(Math.random() * 900));
const names = new Map([
  [podscope.child.pid!, 'PODSCOPE SERVER'],
  [process.pid, 'this benchmark'],
]);
const work = mkdtempSync(path.join(tmpdir(), 'podscope-transfer-cpu-'));
const holder = await createPod('bench-cpu', {
  containers: [{ name: 'app', image: APP_IMAGE, imagePullPolicy: 'Never', command: ['sleep', '100000'] }],
});
try {
  await waitContainerRunning(holder, 'app');
  const files = curlFiles(
    `${podscope.url}/api/clusters/${CLUSTER}/namespaces/demo/pods/${holder}/files`,
    podscope.headers,
  );
  await files.download('/etc/hostname', '/dev/null'); // warm-up
  const inHolder = (...argv: string[]) =>
    kubectlOk(['-n', 'demo', 'exec', holder, '-c', 'app', '--', ...argv]);
  if (which !== 'upload') {
    await inHolder('dd', 'if=/dev/urandom', 'of=/tmp/big', 'bs=1048576', `count=${SIZE_MB}`);
    for (let i = 0; i < runs; i++) {
      const mine = path.join(work, 'podscope');
      await sampled('Podscope download', names, () => files.download('/tmp/big', mine));
      const theirs = path.join(work, 'kubectl');
      await sampled('kubectl cp download', names, async () => {
        await kubectlOk(['cp', `demo/${holder}:/tmp/big`, theirs, '-c', 'app'], { timeoutMs: 600_000 });
      });
      rmSync(mine);
      rmSync(theirs);
    }
  }
  if (which !== 'download') {
    const local = path.join(work, 'up.bin');
    writeFileSync(local, randomBytes(SIZE_MB * 1024 * 1024));
    for (let i = 0; i < runs; i++) {
      await sampled('Podscope upload', names, () => files.upload(local, '/tmp/up-podscope'));
      await sampled('kubectl cp upload', names, async () => {
        await kubectlOk(['cp', local, `demo/${holder}:/tmp/up-kubectl`, '-c', 'app'], { timeoutMs: 600_000 });
      });
      await sampled('kubectl exec -i with TEE_SHA256_SCRIPT', names, () =>
        kubectlCheckedWrite(holder, local, '/tmp/up-exec'),
      );
      await inHolder('rm', '-f', '/tmp/up-podscope', '/tmp/up-kubectl', '/tmp/up-exec');
    }
  }
} finally {
  await deletePod(holder);
  rmSync(work, { recursive: true, force: true });
  await podscope.stop();
}
process.exit(0);
