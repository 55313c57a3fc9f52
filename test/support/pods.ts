// Creates short-lived test pods on the real cluster (in namespace demo) and removes them after.
import { APP_IMAGE, getJson, kubectl, kubectlOk, uniqueName, waitFor } from './cluster.js';

export interface TestPodSpec {
  prefix: string;
  /** The exact name; default: a unique one from `prefix`. */
  name?: string;
  script: string;
  restartPolicy?: 'Always' | 'Never' | 'OnFailure';
  labels?: Record<string, string>;
}

export async function createTestPod(spec: TestPodSpec): Promise<string> {
  const name = spec.name ?? uniqueName(spec.prefix);
  const manifest = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'demo', labels: { 'podscope-test': 'true', ...(spec.labels ?? {}) } },
    spec: {
      terminationGracePeriodSeconds: 0,
      restartPolicy: spec.restartPolicy ?? 'Always',
      containers: [
        { name: 'app', image: APP_IMAGE, imagePullPolicy: 'Never', command: ['sh', '-c', spec.script] },
      ],
    },
  };
  const r = await kubectl(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
  if (r.code !== 0) throw new Error(`could not create pod ${name}: ${r.stderr}`);
  return name;
}

export async function waitRunning(name: string): Promise<void> {
  await waitFor(`${name} running`, async () => {
    const out = await kubectlOk([
      '-n',
      'demo',
      'get',
      'pod',
      name,
      '-o',
      'jsonpath={.status.containerStatuses[0].state.running.startedAt}',
    ]);
    return out ? true : undefined;
  });
}

export async function deleteTestPod(name: string): Promise<void> {
  await kubectl(['-n', 'demo', 'delete', 'pod', name, '--wait=false', '--ignore-not-found']);
}

/** The name of a pod of the demo's web Deployment that runs with every container ready (waits for one). */
export async function readyDemoWebPod(): Promise<string> {
  return waitFor('a running, ready pod of the demo web Deployment', async () => {
    const pods = await getJson<{
      items: {
        metadata: { name: string };
        status: { phase: string; containerStatuses?: { ready: boolean }[] };
      }[];
    }>(['-n', 'demo', 'get', 'pods', '-l', 'app=web']);
    return pods.items.find(
      (p) => p.status.phase === 'Running' && (p.status.containerStatuses ?? []).every((c) => c.ready),
    )?.metadata.name;
  });
}
