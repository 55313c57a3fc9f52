// Test pods for terminal tests: any image, any namespace (the shared helper covers demo + app image).
import { kubectl, kubectlOk, uniqueName, waitFor } from '../../support/cluster.js';

export async function createPod(opts: {
  prefix: string;
  image: string;
  namespace?: string;
  command?: string[];
  restartPolicy?: 'Always' | 'Never';
}): Promise<string> {
  const name = uniqueName(opts.prefix);
  const manifest = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: opts.namespace ?? 'demo', labels: { 'podscope-test': 'true' } },
    spec: {
      terminationGracePeriodSeconds: 0,
      restartPolicy: opts.restartPolicy ?? 'Always',
      containers: [
        {
          name: 'app',
          image: opts.image,
          imagePullPolicy: 'Never',
          command: opts.command ?? ['sleep', '100000'],
        },
      ],
    },
  };
  const r = await kubectl(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
  if (r.code !== 0) throw new Error(`could not create pod ${name}: ${r.stderr}`);
  return name;
}

export async function waitPodRunning(name: string, namespace = 'demo'): Promise<void> {
  await waitFor(`${name} running`, async () => {
    const out = await kubectlOk([
      '-n',
      namespace,
      'get',
      'pod',
      name,
      '-o',
      'jsonpath={.status.containerStatuses[0].state.running.startedAt}',
    ]);
    return out ? true : undefined;
  });
}

export async function waitPodTerminated(name: string, namespace = 'demo'): Promise<void> {
  await waitFor(`${name} terminated`, async () => {
    const out = await kubectlOk([
      '-n',
      namespace,
      'get',
      'pod',
      name,
      '-o',
      'jsonpath={.status.containerStatuses[0].state.terminated.reason}',
    ]);
    return out ? true : undefined;
  });
}

export async function deletePod(name: string, namespace = 'demo'): Promise<void> {
  await kubectl(['-n', namespace, 'delete', 'pod', name, '--wait=false', '--ignore-not-found']);
}

/** The process list of a container, as `ps` inside it shows. */
export async function processes(pod: string, namespace = 'demo'): Promise<string> {
  return kubectlOk(['-n', namespace, 'exec', pod, '-c', 'app', '--', 'ps', '-ef']);
}
