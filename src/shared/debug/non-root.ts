// What the non-root exec policy does to a debug container or a pod copy: every container runs as a
// non-zero uid with runAsNonRoot (so the kubelet itself refuses a root start), no privilege escalation
// (setuid binaries cannot take it back to root) and never privileged. Pure; changes the spec in place.
import type { ContainerSpec, Pod } from './types.js';

export function enforceNonRoot(container: ContainerSpec, uid: number): void {
  if (!Number.isInteger(uid) || uid < 1)
    throw new Error(`a non-root uid must be a positive integer (got ${uid})`);
  const sc = { ...container.securityContext };
  // An ordinary uid the container already has is kept; root (0) or none becomes the policy's uid.
  if (!sc.runAsUser) sc.runAsUser = uid;
  if (sc.runAsGroup === 0) sc.runAsGroup = uid;
  sc.runAsNonRoot = true;
  sc.allowPrivilegeEscalation = false;
  delete sc.privileged;
  container.securityContext = sc;
}

export function enforceNonRootPod(pod: Pod, uid: number): void {
  const spec = pod.spec;
  if (!spec) return;
  const psc = { ...spec.securityContext, runAsNonRoot: true };
  if (psc.runAsUser === 0) psc.runAsUser = uid;
  if (psc.runAsGroup === 0) psc.runAsGroup = uid;
  spec.securityContext = psc;
  for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) enforceNonRoot(c, uid);
}
