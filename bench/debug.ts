// Side-by-side: Podscope vs kubectl on the local cluster, one run each (median of RUNS where cheap).
//   1. request → debug container running → first output of a command in it, vs `kubectl debug` +
//      `kubectl exec` retried until output (see kubectlDebugThenExec).
//   2. download (and upload) of a 100 MB file, vs `kubectl cp`.
// Usage: npx tsx bench/debug.ts [--only debug,download,upload]   (or through npm run bench)
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execCollect } from '../src/server/exec/exec-connection.js';
import { KubeconfigClusterRegistry } from '../src/server/kube/cluster-registry.js';
import { adminKubeconfig, APP_IMAGE, DEBUG_IMAGE, kubectl, kubectlOk } from '../test/support/cluster.js';
import { CLUSTER } from '../test/support/podscope.js';
import { curlFiles, kubectlCheckedWrite } from './transfers.js';
import { startServer } from './server.js';
import { createPod, deletePod, waitContainerRunning } from '../test/integration/debug/debug-helpers.js';
import { emitMeasures, parseBenchArgs, wants, type Measure } from './report.js';

const RUNS = 3;
const TRANSFER_RUNS = 5;
const args = parseBenchArgs(process.argv.slice(2));
const SIZE_MB = 100;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

/**
 * Times `TRANSFER_RUNS` runs of each side after one untimed run of each (the server's code paths
 * compiled, the file in the page cache: as a server that has served one transfer, and as a second
 * `kubectl cp`), the order reversing every round — P K, K P, P K… — so no side always comes first.
 * `check(run)` runs after each round, outside the timing. The milliseconds of each side, in order.
 */
async function sideBySide<const S extends readonly ((run: number) => Promise<unknown>)[]>(
  sides: S,
  check: (run: number) => Promise<void>,
): Promise<{ -readonly [K in keyof S]: number[] }> {
  const times = sides.map((): number[] => []);
  for (const side of sides) await side(-1);
  await check(-1);
  for (let i = 0; i < TRANSFER_RUNS; i++) {
    const order = sides.map((_, k) => k);
    if (i % 2 === 1) order.reverse();
    for (const k of order) {
      const t0 = process.hrtime.bigint();
      await sides[k]!(i);
      times[k]!.push(ms(t0));
    }
    await check(i);
  }
  return times as { -readonly [K in keyof S]: number[] };
}

const SIDE_BY_SIDE = `median of ${TRANSFER_RUNS} after one untimed run each, the order reversed every round`;

/**
 * `kubectl debug` (without -it: it returns once the ephemeral container is added) then `kubectl exec`
 * retried until the command's output arrives — the same two steps Podscope takes. (`kubectl debug -it`
 * under `script` attaches fine by hand but ended its session at once when driven from Node here.)
 */
async function kubectlDebugThenExec(pod: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  await kubectlOk([
    '-n',
    'demo',
    'debug',
    pod,
    `--image=${DEBUG_IMAGE}`,
    '--image-pull-policy=Never',
    '--target=app',
    '--profile=general',
    '-c',
    'kdebug',
    '-i',
    '-t=false',
    '--attach=false',
    '--',
    'sleep',
    '100000',
  ]);
  for (;;) {
    const r = await kubectl(['-n', 'demo', 'exec', pod, '-c', 'kdebug', '--', 'echo', 'READY']);
    if (r.code === 0 && r.stdout.includes('READY')) return ms(t0);
    await new Promise((res) => setTimeout(res, 100));
  }
}

const app = (prefix: string) =>
  createPod(prefix, {
    containers: [{ name: 'app', image: APP_IMAGE, imagePullPolicy: 'Never', command: ['sleep', '100000'] }],
  });

async function main() {
  // A server process of its own (as kubectl is one): the benchmark's own reading and hashing must not
  // share Podscope's event loop. Its default file limit (1 GiB) covers the 100 MB transfers.
  const podscope = await startServer();
  const registry = new KubeconfigClusterRegistry({ kubeconfig: adminKubeconfig });
  const client = registry.get(CLUSTER).client(null);
  const pods: string[] = [];
  const work = mkdtempSync(path.join(tmpdir(), 'podscope-bench-'));
  try {
    const measures: Measure[] = [];
    // ---- 1. time to a shell in a debug container ------------------------------------------------
    if (wants(args, 'debug')) {
      const targets = await Promise.all(Array.from({ length: 2 * RUNS }, (_, i) => app(`bench-dbg-${i}`)));
      pods.push(...targets);
      await Promise.all(targets.map((p) => waitContainerRunning(p, 'app')));
      const ours: number[] = [];
      const theirs: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const pod = targets[i]!;
        const t0 = process.hrtime.bigint();
        const res = await podscope.fetch(
          `/api/clusters/${CLUSTER}/namespaces/demo/pods/${pod}/debug-containers`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ target: 'app' }),
          },
        );
        const { container } = (await res.json()) as { container: string };
        const r = await execCollect(client, {
          namespace: 'demo',
          pod,
          container,
          command: ['echo', 'READY'],
        });
        if (!r.stdout.toString().includes('READY')) throw new Error('no output from the debug container');
        ours.push(ms(t0));
        theirs.push(await kubectlDebugThenExec(targets[RUNS + i]!));
      }
      measures.push({
        id: 'debug',
        measure: 'debug container: request → first output',
        unit: 'ms',
        podscope: median(ours),
        kubectl: median(theirs),
        goal: { on: 'ratio', op: '<=', target: 1.1 },
        note: `median of ${RUNS}; Podscope ${ours.map((x) => x.toFixed(0)).join('/')}, kubectl debug + exec ${theirs.map((x) => x.toFixed(0)).join('/')}`,
      });
    }

    // ---- 2. 100 MB download / upload ------------------------------------------------------------
    if (wants(args, 'download') || wants(args, 'upload')) {
      const holder = await app('bench-files');
      pods.push(holder);
      await waitContainerRunning(holder, 'app');
      const bytes = SIZE_MB * 1024 * 1024;
      const mbps = (t: number) => SIZE_MB / (t / 1000);
      // Each side's client writes the file to disk, as a browser's download does and `kubectl cp`
      // does: Podscope's through curl (a native HTTP client, like the browser's), so the measure is
      // the server's path and not a JavaScript consumer's. Identity is checked after the timing.
      // Side by side (sideBySide): both see the same machine.
      const files = curlFiles(
        `${podscope.url}/api/clusters/${CLUSTER}/namespaces/demo/pods/${holder}/files`,
        podscope.headers,
      );
      const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
      if (wants(args, 'download')) {
        await kubectlOk([
          '-n',
          'demo',
          'exec',
          holder,
          '--',
          'dd',
          'if=/dev/urandom',
          'of=/tmp/big',
          'bs=1048576',
          `count=${SIZE_MB}`,
        ]);
        const mine = (i: number) => path.join(work, `big-podscope-${i}`);
        const kc = (i: number) => path.join(work, `big-kubectl-${i}`);
        const [ours, theirs] = await sideBySide(
          [
            (i) => files.download('/tmp/big', mine(i)),
            (i) => kubectlOk(['cp', `demo/${holder}:/tmp/big`, kc(i), '-c', 'app'], { timeoutMs: 600_000 }),
          ],
          async (i) => {
            const size = statSync(mine(i)).size;
            if (size !== bytes) throw new Error(`download got ${size} bytes`);
            if (sha(mine(i)) !== sha(kc(i))) throw new Error('the download differs from what kubectl cp got');
            rmSync(mine(i));
            rmSync(kc(i));
          },
        );
        measures.push({
          id: 'download',
          measure: `${SIZE_MB} MB download`,
          unit: 'MB/s',
          podscope: mbps(median(ours)),
          kubectl: mbps(median(theirs)),
          goal: { on: 'ratio', op: '>=', target: 1.0 },
          note: `vs kubectl cp, both to a file (Podscope through curl); ${SIDE_BY_SIDE}; byte-identical; ms ${ours.map((x) => x.toFixed(0)).join('/')} vs ${theirs.map((x) => x.toFixed(0)).join('/')}`,
        });
      }

      if (wants(args, 'upload')) {
        const local = path.join(work, 'up.bin');
        writeFileSync(local, randomBytes(bytes));
        const expected = sha(local);
        const inHolder = (...argv: string[]) =>
          kubectlOk(['-n', 'demo', 'exec', holder, '-c', 'app', '--', ...argv]);
        // A third side: `kubectl exec -i` running Podscope's own checked write (tee + sha256sum in the
        // container, nothing of Podscope in the path) — the floor of the method the issue asks for.
        const [ours, theirs, floor] = await sideBySide(
          [
            (i) => files.upload(local, `/tmp/up-${i}.bin`),
            (i) =>
              kubectlOk(['cp', local, `demo/${holder}:/tmp/up-kubectl-${i}.bin`, '-c', 'app'], {
                timeoutMs: 600_000,
              }),
            (i) => kubectlCheckedWrite(holder, local, `/tmp/up-exec-${i}.bin`),
          ],
          async (i) => {
            const there = await inHolder('sha256sum', `/tmp/up-${i}.bin`, `/tmp/up-exec-${i}.bin`);
            if (there.split('\n').filter((l) => l.startsWith(expected)).length !== 2)
              throw new Error('an upload differs in the container');
            await inHolder('rm', `/tmp/up-${i}.bin`, `/tmp/up-kubectl-${i}.bin`, `/tmp/up-exec-${i}.bin`);
          },
        );
        measures.push({
          id: 'upload',
          measure: `${SIZE_MB} MB upload`,
          unit: 'MB/s',
          podscope: mbps(median(ours)),
          kubectl: mbps(median(theirs)),
          goal: { on: 'ratio', op: '>=', target: 0.9 },
          note: `vs kubectl cp, both from a file (Podscope through curl); Podscope includes its sha256 check in the container; ${SIDE_BY_SIDE}; ms ${ours.map((x) => x.toFixed(0)).join('/')} vs ${theirs.map((x) => x.toFixed(0)).join('/')}; the same checked write through kubectl exec -i (the method's floor): ${mbps(median(floor)).toFixed(1)} MB/s, ${(median(theirs) / median(floor)).toFixed(2)}× kubectl cp (ms ${floor.map((x) => x.toFixed(0)).join('/')})`,
        });
      }
    }
    emitMeasures(args, 'Debug containers and files (local cluster, one run)', measures);
  } finally {
    await Promise.all(pods.map((p) => deletePod(p)));
    rmSync(work, { recursive: true, force: true });
    registry.close();
    await podscope.stop();
  }
}

await main();
process.exit(0);
