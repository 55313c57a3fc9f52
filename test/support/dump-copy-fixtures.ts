// Records the JSON fixtures of the pod-copy unit tests from the real local cluster:
//   npx tsx test/support/dump-copy-fixtures.ts
// It creates a scratch namespace with every pod shape (copy-shapes.ts) and pods that fail the ways a
// copy can fail, writes test/fixtures/debug/copy-*.json, and deletes the namespace.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { APP_IMAGE, kubectl, kubectlOk, repoRoot, waitFor } from './cluster.js';
import {
  applyAll,
  CONTROLLER_SHAPES,
  createNamespace,
  createShapes,
  deleteNamespace,
  podJson,
  waitRunningPod,
} from './copy-shapes.js';

const ns = `podscope-fixtures-${Date.now().toString(36).slice(-5)}`;
const out = (name: string) => path.join(repoRoot, 'test/fixtures/debug', `copy-${name}.json`);
const HOST_PORT = 24000 + Math.floor(Math.random() * 1000);

/** Replaces what differs between runs (uids, times, the namespace, the port) with stable values. */
function stable(value: unknown): unknown {
  let text = JSON.stringify(value, null, 2);
  text = text
    .replaceAll(ns, 'shapes')
    .replaceAll(String(HOST_PORT + 1), '24001')
    .replaceAll(String(HOST_PORT), '24000');
  return JSON.parse(text);
}

function write(name: string, value: unknown): void {
  writeFileSync(out(name), `${JSON.stringify(stable(value), null, 2)}\n`);
  console.log(`wrote ${path.relative(repoRoot, out(name))}`);
}

async function json(args: string[]): Promise<unknown> {
  return JSON.parse(await kubectlOk([...args, '-o', 'json']));
}

const failing = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns },
  spec: { terminationGracePeriodSeconds: 0, ...spec },
});
const app = (extra: Record<string, unknown> = {}) => ({
  name: 'app',
  image: APP_IMAGE,
  imagePullPolicy: 'Never',
  command: ['sleep', '3600'],
  ...extra,
});

async function main(): Promise<void> {
  await createNamespace(ns);
  try {
    await createShapes(ns, HOST_PORT);
    for (const { shape, labels } of CONTROLLER_SHAPES) {
      const pod = await waitRunningPod(ns, `app=${labels.app}`);
      write(`pod-${shape}`, await json(['-n', ns, 'get', 'pod', pod.metadata.name]));
    }
    for (const name of ['init-fail', 'sidecar', 'hostport', 'hostnet', 'rwo']) {
      write(`pod-${name}`, await podJson(ns, name));
    }
    const lists: Record<string, unknown> = {};
    for (const kind of [
      'replicasets',
      'replicationcontrollers',
      'daemonsets',
      'statefulsets',
      'jobs',
      'services',
      'networkpolicies',
      'persistentvolumeclaims',
    ]) {
      lists[kind] = ((await json(['-n', ns, 'get', kind])) as { items: unknown[] }).items;
    }
    write('namespace', lists);

    // Pods failing the ways a copy fails.
    const node = (await podJson(ns, 'hostport')).spec.nodeName!;
    const pin = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }],
        },
      },
    };
    const port = { ports: [{ containerPort: 8080, hostPort: HOST_PORT, protocol: 'TCP' }] };
    await applyAll([
      failing('fail-hostport-scheduler', { affinity: pin, containers: [app(port)] }),
      failing('fail-image', { containers: [app({ image: 'podscope.local/missing:1' })] }),
      failing('fail-configmap', {
        volumes: [{ name: 'config', configMap: { name: 'no-such-config' } }],
        containers: [app({ volumeMounts: [{ name: 'config', mountPath: '/config' }] })],
      }),
      failing('fail-init', {
        initContainers: [app({ name: 'prepare', command: ['sh', '-c', 'echo no database; exit 3'] })],
        containers: [app()],
      }),
      failing('fail-nosleep', { containers: [app({ image: 'podscope.local/noshell:1' })] }),
      failing('fail-rwop', {
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-rwop' } }],
        containers: [app({ volumeMounts: [{ name: 'data', mountPath: '/data' }] })],
      }),
    ]);
    const settled: Record<string, (p: Awaited<ReturnType<typeof podJson>>) => boolean> = {
      'fail-hostport-scheduler': (p) => JSON.stringify(p.status).includes('Unschedulable'),
      'fail-hostport-kubelet': (p) => p.status?.phase === 'Failed',
      'fail-image': (p) => JSON.stringify(p.status).includes('ErrImageNeverPull'),
      'fail-configmap': () => true,
      'fail-init': (p) => (p.status?.initContainerStatuses?.[0]?.restartCount ?? 0) >= 1,
      'fail-nosleep': (p) => /Error/.test(JSON.stringify(p.status?.containerStatuses ?? [])),
      'fail-rwop': (p) => JSON.stringify(p.status).includes('Unschedulable'),
    };
    const dump = async (name: string) => {
      await waitFor(
        `${name} to fail`,
        async () => (settled[name]!(await podJson(ns, name)) ? true : undefined),
        90_000,
      );
      const events = (await json([
        '-n',
        ns,
        'get',
        'events',
        '--field-selector',
        `involvedObject.kind=Pod,involvedObject.name=${name}`,
      ])) as { items: unknown[] };
      write(name, { pod: await podJson(ns, name), events: events.items });
    };
    await dump('fail-hostport-scheduler');
    // Only now, and without the pending one: a pod failing on the node makes the scheduler retry it.
    await kubectlOk(['-n', ns, 'delete', 'pod', 'fail-hostport-scheduler', '--wait=true']);
    await applyAll([failing('fail-hostport-kubelet', { nodeName: node, containers: [app(port)] })]);
    await new Promise((r) => setTimeout(r, 15_000)); // FailedMount is reported after a few retries
    for (const name of Object.keys(settled)) if (name !== 'fail-hostport-scheduler') await dump(name);

    // Pod Security admission: the API server's refusal, as the copy route receives it.
    const pss = `${ns}-pss`;
    await createNamespace(pss, { 'pod-security.kubernetes.io/enforce': 'restricted' });
    try {
      const r = await kubectl(['create', '-f', '-', '-o', 'json'], {
        input: JSON.stringify({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'privileged', namespace: pss },
          spec: { containers: [app({ securityContext: { capabilities: { add: ['SYS_PTRACE'] } } })] },
        }),
      });
      const message = r.stderr
        .replace(/^Error from server \(Forbidden\): (error when creating "STDIN": )?/, '')
        .trim();
      write('admission-pss', { status: 403, message: message.replaceAll(pss, 'shapes-pss') });
    } finally {
      await deleteNamespace(pss);
    }
  } finally {
    await deleteNamespace(ns);
  }
}

await main();
