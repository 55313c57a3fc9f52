// Who this Podscope process is among the replicas: the pod's name (POD_NAME from the downward API, else
// the hostname, which in a pod is its name) plus a random part that is new at every start. The random
// part matters: a container restarted in the same pod (OOM kill, liveness failure) keeps the pod's name,
// and its predecessor's sessions must still be seen as lost.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** A DNS-label-ish rendering of a name: what a replica id and a Lease holder may contain. */
function cleanName(name: string): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 200);
  return cleaned === '' ? 'podscope' : cleaned;
}

export function replicaIdFrom(input: {
  podName?: string | undefined;
  hostname: string;
  random: string;
}): string {
  const base = input.podName !== undefined && input.podName.trim() !== '' ? input.podName : input.hostname;
  return `${cleanName(base)}-${input.random}`;
}

export function newReplicaId(env: NodeJS.ProcessEnv = process.env): string {
  return replicaIdFrom({
    podName: env['POD_NAME'],
    hostname: hostname(),
    random: randomBytes(4).toString('hex'),
  });
}
