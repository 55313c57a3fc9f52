// Waiting for a container Podscope just created (a debug container, a pod copy, a node debug pod) to
// run, as early as it truly runs. The pod's status says "running" only after the kubelet's next
// relist (up to a second after the process started), while an exec gets through the moment the
// container runs — which is when `kubectl debug` + `kubectl exec` gets its shell. So both at once: a
// watch of the pod (which alone reports a container that cannot start, and why) and an exec of `true`
// every 100 ms (a no-op in a container made for this session, under the audit record of its
// creation; an image without `true` is left to the watch). Whichever tells first ends the wait.
import type { V1Pod } from '@kubernetes/client-node';
import { containerStartOutcome } from '../../shared/debug/debug-container.js';
import type { Pod } from '../../shared/debug/types.js';
import { execCollect } from '../exec/exec-connection.js';
import { KubeApiError, PodscopeError } from '../http/errors.js';
import type { KubeClient } from '../kube/kube-client.js';
import { waitForPod } from '../kube/pods.js';

export interface ContainerRef {
  namespace: string;
  pod: string;
  container: string;
}

/** How the start was seen: an exec got through, or the pod's status said so. */
export type StartedBy = 'exec' | 'status';

const PROBE_EVERY_MS = 100;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/**
 * Resolves true once `true` ran in the container (an exit status proves the container runs); else
 * keeps trying until `signal`, then resolves false. An exec refused by RBAC stops the probing: the
 * watch decides alone then.
 */
export async function execReachable(
  client: KubeClient,
  ref: ContainerRef,
  signal: AbortSignal,
): Promise<boolean> {
  while (!signal.aborted) {
    try {
      const r = await execCollect(client, { ...ref, command: ['true'] }, { timeoutMs: 5000, maxBytes: 1024 });
      if (signal.aborted) return false;
      if (r.status.kind !== 'failure') return true;
    } catch (err) {
      // Not running yet: the API server refuses the upgrade (container not found / not running).
      if (err instanceof KubeApiError && (err.status === 401 || err.status === 403)) break;
    }
    await sleep(PROBE_EVERY_MS, signal);
  }
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  return false;
}

/**
 * Waits until the container runs; a failure to start, a deleted pod or a timeout is an error naming
 * the reason. `from`: the pod as the create/patch returned it (the watch starts there, without a list).
 */
export async function waitContainerStarted(
  client: KubeClient,
  ref: ContainerRef,
  timeoutMs: number,
  from?: V1Pod,
): Promise<StartedBy> {
  const ctl = new AbortController();
  try {
    const watched = waitForPod(
      client,
      ref.namespace,
      ref.pod,
      (p) => containerStartOutcome(p as Pod, ref.container),
      ctl.signal,
      timeoutMs,
      from,
    ).then((outcome) => ({ outcome }));
    // The probe gives up (false) only once `ctl` aborts, in `finally`: before that it means "runs".
    const probed = execReachable(client, ref, ctl.signal).then(() => ({ running: true as const }));
    const first = await Promise.race([watched, probed]);
    if ('running' in first) return 'exec';
    const { outcome } = first;
    if (outcome === null)
      throw new PodscopeError(409, `Pod "${ref.pod}" was deleted while its container started.`);
    if (outcome === undefined) {
      throw new PodscopeError(
        504,
        `Container "${ref.container}" did not start within ${timeoutMs / 1000} s.`,
      );
    }
    if (!outcome.ok) throw new PodscopeError(422, outcome.error);
    return 'status';
  } finally {
    ctl.abort();
  }
}
