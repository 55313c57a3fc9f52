// Small typed helpers over the core/v1 pod API used by several features.
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { KubeApiError, notFound } from '../http/errors.js';
import type { KubeClient } from './kube-client.js';
import { listWatch } from './list-watch.js';

export const podPath = (namespace: string, pod: string) =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}`;

/** GET a pod; a 404 becomes a sentence naming the pod and namespace. */
export async function getPod(
  client: KubeClient,
  namespace: string,
  pod: string,
  signal?: AbortSignal,
): Promise<V1Pod> {
  try {
    return await client.json<V1Pod>({ path: podPath(namespace, pod), signal });
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 404) {
      throw notFound(`Pod "${pod}" was not found in namespace "${namespace}".`);
    }
    throw err;
  }
}

/** The status of a container of any kind (app, init, ephemeral). */
export function containerStatus(pod: V1Pod, container: string): V1ContainerStatus | undefined {
  const all = [
    ...(pod.status?.containerStatuses ?? []),
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.ephemeralContainerStatuses ?? []),
  ];
  return all.find((s) => s.name === container);
}

export function containerNames(pod: V1Pod): { init: string[]; app: string[]; ephemeral: string[] } {
  return {
    init: (pod.spec?.initContainers ?? []).map((c) => c.name),
    app: (pod.spec?.containers ?? []).map((c) => c.name),
    ephemeral: (pod.spec?.ephemeralContainers ?? []).map((c) => c.name),
  };
}

/**
 * Waits, via a watch on this one pod, until `predicate` returns a value (or the pod is deleted → null).
 * Resolves undefined on timeout or abort. `from`: the pod as just read or written — checked first,
 * and the watch starts at its resourceVersion instead of a list (one round trip fewer).
 */
export async function waitForPod<T>(
  client: KubeClient,
  namespace: string,
  pod: string,
  predicate: (pod: V1Pod) => T | undefined,
  signal: AbortSignal,
  timeoutMs: number,
  from?: V1Pod,
): Promise<T | null | undefined> {
  const ctl = new AbortController();
  const stop = () => ctl.abort();
  signal.addEventListener('abort', stop, { once: true });
  const timer = setTimeout(stop, timeoutMs);
  let result: T | null | undefined;
  const check = (p: V1Pod) => {
    if (result !== undefined) return;
    const v = predicate(p);
    if (v !== undefined) {
      result = v;
      ctl.abort();
    }
  };
  try {
    await listWatch<V1Pod>(
      client,
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
      { fieldSelector: `metadata.name=${pod}` },
      {
        onSnapshot: (items) => {
          if (items.length === 0) {
            result = null;
            ctl.abort();
          } else items.forEach(check);
        },
        onEvent: (type, p) => {
          if (type === 'DELETED') {
            result = null;
            ctl.abort();
          } else check(p);
        },
        onFatal: () => ctl.abort(),
      },
      ctl.signal,
      from?.metadata?.resourceVersion === undefined
        ? undefined
        : { items: [from], resourceVersion: from.metadata.resourceVersion },
    );
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', stop);
  }
  return result;
}
