// Memory of Podscope's replicas in the cluster (the chart's pods), at idle and with N log follows
// opened through the Service (round robin spreads them over the replicas). Reads each replica's RSS
// from /proc on this host (the local cluster's pods are this host's processes).
// Run: npm run demo:platform, then npx tsx bench/platform-memory.ts [NAMESPACE] [RELEASE] [FOLLOWS]
import { readdirSync, readFileSync } from 'node:fs';
import { WebSocket } from 'ws';
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import { getJson, kubectlOk } from '../test/support/cluster.js';
import { decodeLogStreamMessage } from '../src/shared/logs/wire.js';

const [namespace = 'podscope', release = 'podscope', followsArg = '500'] = process.argv.slice(2);
const FOLLOWS = Number(followsArg);
const NODE_IP = '10.213.0.1';

/** RSS (KiB) of the Podscope process of a pod, found by its pod UID in the process's cgroup. */
function podRssKiB(uid: string): number {
  const key = uid.replace(/-/g, '_');
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cgroup = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
      if (!cgroup.includes(uid) && !cgroup.includes(key)) continue;
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('podscope.js')) continue;
      total += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

async function replicas(): Promise<{ name: string; uid: string }[]> {
  const pods = await getJson<{ items: V1Pod[] }>([
    '-n',
    namespace,
    'get',
    'pods',
    '-l',
    `app.kubernetes.io/instance=${release}`,
  ]);
  return pods.items.map((p) => ({ name: p.metadata!.name!, uid: p.metadata!.uid! }));
}

const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;

async function main(): Promise<void> {
  const fullname = (
    await kubectlOk([
      '-n',
      namespace,
      'get',
      'deployment',
      '-l',
      `app.kubernetes.io/instance=${release}`,
      '-o',
      'jsonpath={.items[0].metadata.name}',
    ])
  ).trim();
  const token = Buffer.from(
    (
      await kubectlOk(['-n', namespace, 'get', 'secret', `${fullname}-token`, '-o', 'jsonpath={.data.token}'])
    ).trim(),
    'base64',
  ).toString();
  const svc = await getJson<V1Service>(['-n', namespace, 'get', 'service', fullname]);
  const base = `ws://${NODE_IP}:${svc.spec!.ports![0]!.nodePort}`;
  const web = (await getJson<{ items: V1Pod[] }>(['-n', 'demo', 'get', 'pods', '-l', 'app=web'])).items.map(
    (p) => p.metadata!.name!,
  );
  const pods = await replicas();
  const idle = pods.map((p) => podRssKiB(p.uid));
  console.log(`idle: ${pods.map((p, i) => `${p.name} ${mib(idle[i]!)}`).join(', ')}`);

  const sockets: WebSocket[] = [];
  let withLines = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: FOLLOWS }, (_, i) => {
      const pod = web[i % web.length]!;
      const ws = new WebSocket(
        `${base}/api/clusters/podscope-local/namespaces/demo/pods/${pod}/logs/stream?container=app&tailLines=10`,
        { headers: { authorization: `Bearer ${token}`, origin: `http://${NODE_IP}` } },
      );
      sockets.push(ws);
      return new Promise<void>((resolve, reject) => {
        let counted = false;
        ws.on('message', (data) => {
          const m = decodeLogStreamMessage(data.toString());
          if (m.type === 'lines' && !counted) {
            counted = true;
            withLines += 1;
            resolve();
          }
          if (m.type === 'error') reject(new Error(data.toString()));
        });
        ws.on('error', reject);
      });
    }),
  );
  console.log(`${withLines}/${FOLLOWS} follows streaming after ${Date.now() - started} ms; settling 15 s`);
  await new Promise((r) => setTimeout(r, 15_000));
  const loaded = pods.map((p) => podRssKiB(p.uid));
  console.log(`with ${FOLLOWS} follows: ${pods.map((p, i) => `${p.name} ${mib(loaded[i]!)}`).join(', ')}`);
  const extra = loaded.reduce((a, b) => a + b, 0) - idle.reduce((a, b) => a + b, 0);
  console.log(`per follow: ${((extra / FOLLOWS) | 0).toString()} KiB`);
  for (const ws of sockets) ws.close();
}

await main();
