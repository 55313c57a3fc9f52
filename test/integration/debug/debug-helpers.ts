// Helpers shared by the debug and files integration tests: test pods with any spec, and JSON requests.
import { kubectl, kubectlOk, uniqueName, waitFor } from '../../support/cluster.js';
import type { RunningPodscope } from '../../support/podscope.js';

export const NS = 'demo';

/** Creates a pod in `demo` (labelled podscope-test) from a spec; returns its name. */
export async function createPod(
  prefix: string,
  spec: Record<string, unknown>,
  labels: Record<string, string> = {},
) {
  const name = uniqueName(prefix);
  const manifest = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { 'podscope-test': 'true', ...labels } },
    spec: { terminationGracePeriodSeconds: 0, ...spec },
  };
  const r = await kubectl(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
  if (r.code !== 0) throw new Error(`could not create pod ${name}: ${r.stderr}`);
  return name;
}

export async function waitContainerRunning(pod: string, container: string, ns = NS): Promise<void> {
  await waitFor(`${pod}/${container} running`, async () => {
    const p = JSON.parse(await kubectlOk(['-n', ns, 'get', 'pod', pod, '-o', 'json'])) as {
      status?: { containerStatuses?: { name: string; state?: { running?: object } }[] };
    };
    return p.status?.containerStatuses?.find((c) => c.name === container)?.state?.running ? true : undefined;
  });
}

export async function deletePod(name: string, ns = NS): Promise<void> {
  await kubectl(['-n', ns, 'delete', 'pod', name, '--wait=false', '--ignore-not-found', '--grace-period=0']);
}

export async function podExists(name: string, ns = NS): Promise<boolean> {
  const r = await kubectl(['-n', ns, 'get', 'pod', name, '-o', 'name']);
  if (r.code === 0) return true;
  if (/NotFound/.test(r.stderr)) return false;
  throw new Error(r.stderr);
}

/** Waits until the pod is gone (deleted and finalized). */
export async function waitGone(name: string, ns = NS, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    `${ns}/${name} to be deleted`,
    async () => ((await podExists(name, ns)) ? undefined : true),
    timeoutMs,
    500,
  );
}

/** A JSON request to `path` on `podscope`, carrying its token. */
export async function request<T>(
  podscope: RunningPodscope,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await podscope.fetch(path, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

/** `kubectl exec` (argv) and its stdout; fails the test on a non-zero exit. */
export function execIn(pod: string, container: string, argv: string[], ns = NS): Promise<string> {
  return kubectlOk(['-n', ns, 'exec', pod, '-c', container, '--', ...argv]);
}
