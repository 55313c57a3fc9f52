// Side-by-side: Podscope vs kubectl on the local cluster, one run each (median of RUNS where cheap).
//   1. request → debug container running → first output of a command in it, vs `kubectl debug` +
//      `kubectl exec` retried until output (see kubectlDebugThenExec).
//   2. download (and upload) of a 100 MB file, vs `kubectl cp`.
// Usage: npx tsx bench/debug.ts [--only debug,download,upload]   (or through npm run bench)
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execCollect } from '../src/server/exec/exec-connection.js';
import { KubeconfigClusterRegistry } from '../src/server/kube/cluster-registry.js';
import { adminKubeconfig, APP_IMAGE, DEBUG_IMAGE, kubectl, kubectlOk } from '../test/support/cluster.js';
import { CLUSTER } from '../test/support/podscope.js';
import { startServer } from './server.js';
import { createPod, deletePod, waitContainerRunning } from '../test/integration/debug/debug-helpers.js';
import { emitMeasures, parseBenchArgs, wants, type Measure } from './report.js';

const RUNS = 3;
const args = parseBenchArgs(process.argv.slice(2));
const SIZE_MB = 100;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

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
        let t0 = process.hrtime.bigint();
        const res = await podscope.fetch(
          `/api/clusters/${CLUSTER}/namespaces/demo/pods/${holder}/files/download?container=app&path=/tmp/big`,
        );
        const hash = createHash('sha256');
        let got = 0;
        for await (const chunk of res.body! as unknown as AsyncIterable<Uint8Array>) {
          got += chunk.length;
          hash.update(chunk);
        }
        const downOurs = ms(t0);
        if (got !== bytes) throw new Error(`download got ${got} bytes`);
        t0 = process.hrtime.bigint();
        await kubectlOk(['cp', `demo/${holder}:/tmp/big`, path.join(work, 'big'), '-c', 'app'], {
          timeoutMs: 600_000,
        });
        const downKubectl = ms(t0);
        if (statSync(path.join(work, 'big')).size !== bytes) throw new Error('kubectl cp size differs');
        const expected = createHash('sha256')
          .update(readFileSync(path.join(work, 'big')))
          .digest('hex');
        if (hash.digest('hex') !== expected) throw new Error('the download differs from what kubectl cp got');
        measures.push({
          id: 'download',
          measure: `${SIZE_MB} MB download`,
          unit: 'MB/s',
          podscope: mbps(downOurs),
          kubectl: mbps(downKubectl),
          goal: { on: 'ratio', op: '>=', target: 1.0 },
          note: 'vs kubectl cp; byte-identical',
        });
      }

      if (wants(args, 'upload')) {
        const local = path.join(work, 'up.bin');
        writeFileSync(local, randomBytes(bytes));
        const t0 = process.hrtime.bigint();
        const up = await podscope.fetch(
          `/api/clusters/${CLUSTER}/namespaces/demo/pods/${holder}/files/upload?container=app&path=/tmp/up.bin`,
          {
            method: 'PUT',
            headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes) },
            body: createReadStream(local) as unknown as ReadableStream,
            duplex: 'half',
          } as RequestInit,
        );
        if (up.status !== 200) throw new Error(`upload failed: ${await up.text()}`);
        const upOurs = ms(t0);
        const t1 = process.hrtime.bigint();
        await kubectlOk(['cp', local, `demo/${holder}:/tmp/up-kubectl.bin`, '-c', 'app'], {
          timeoutMs: 600_000,
        });
        const upKubectl = ms(t1);
        measures.push({
          id: 'upload',
          measure: `${SIZE_MB} MB upload`,
          unit: 'MB/s',
          podscope: mbps(upOurs),
          kubectl: mbps(upKubectl),
          goal: { on: 'ratio', op: '>=', target: 0.9 },
          note: 'vs kubectl cp; Podscope includes its sha256 check in the container',
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
