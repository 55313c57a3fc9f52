// kubectl's debug profiles (kubernetes/kubectl pkg/cmd/debug/profiles.go), ported so a Podscope debug
// container, pod copy or node pod gets the same security settings as `kubectl debug --profile=…`.
// `legacy` is left out on purpose: it is deprecated upstream and grants nothing the others don't.

import type { ContainerSpec, PodSpec, SecurityContext } from './types.js';

export const DEBUG_PROFILES = ['general', 'baseline', 'restricted', 'netadmin', 'sysadmin'] as const;
export type DebugProfile = (typeof DEBUG_PROFILES)[number];
export const DEFAULT_PROFILE: DebugProfile = 'general';

/** What is being built: an ephemeral container, a copy of a pod, or a pod on a node. */
export type DebugStyle = 'ephemeral' | 'copy' | 'node';

export function isDebugProfile(value: unknown): value is DebugProfile {
  return typeof value === 'string' && (DEBUG_PROFILES as readonly string[]).includes(value);
}

export const PROFILE_DESCRIPTIONS: Record<DebugProfile, string> = {
  general: 'Adds SYS_PTRACE so strace works (node: host namespaces and / at /host).',
  baseline: 'No extra privileges; passes the Pod Security "baseline" level.',
  restricted: 'Non-root, all capabilities dropped, no privilege escalation, RuntimeDefault seccomp.',
  netadmin: 'Adds NET_ADMIN and NET_RAW for tcpdump and ip (node: host namespaces).',
  sysadmin: 'Privileged (node: host namespaces and / at /host).',
};

const HOST_ROOT_VOLUME = 'host-root';

/**
 * Applies a profile to `containerName` in `spec` (which the caller owns: it is changed in place).
 * For 'copy' the caller has already stripped probes/labels; here only what differs per profile.
 */
export function applyProfile(
  profile: DebugProfile,
  style: DebugStyle,
  spec: PodSpec,
  container: ContainerSpec,
): void {
  switch (profile) {
    case 'general':
      if (style === 'node') {
        mountHostRoot(spec, container);
        delete container.securityContext;
        useHostNamespaces(spec);
      } else {
        addCapabilities(container, ['SYS_PTRACE']);
      }
      break;
    case 'baseline':
      delete container.securityContext;
      break;
    case 'restricted': {
      delete container.securityContext;
      const sc = securityContextOf(container);
      sc.runAsNonRoot = true;
      sc.capabilities = { drop: ['ALL'] };
      sc.allowPrivilegeEscalation = false;
      sc.seccompProfile = { type: 'RuntimeDefault' };
      break;
    }
    case 'netadmin':
      addCapabilities(container, ['NET_ADMIN', 'NET_RAW']);
      if (style === 'node') useHostNamespaces(spec);
      break;
    case 'sysadmin':
      securityContextOf(container).privileged = true;
      if (style === 'node') {
        useHostNamespaces(spec);
        mountHostRoot(spec, container);
      }
      break;
  }
  if (style === 'copy' && spec.shareProcessNamespace === undefined) spec.shareProcessNamespace = true;
}

function securityContextOf(container: ContainerSpec): SecurityContext {
  container.securityContext ??= {};
  return container.securityContext;
}

function addCapabilities(container: ContainerSpec, caps: string[]): void {
  const sc = securityContextOf(container);
  sc.capabilities ??= {};
  const add = sc.capabilities.add ?? [];
  for (const cap of caps) if (!add.includes(cap)) add.push(cap);
  sc.capabilities.add = add;
}

function useHostNamespaces(spec: PodSpec): void {
  spec.hostNetwork = true;
  spec.hostPID = true;
  spec.hostIPC = true;
}

function mountHostRoot(spec: PodSpec, container: ContainerSpec): void {
  spec.volumes = [...(spec.volumes ?? []), { name: HOST_ROOT_VOLUME, hostPath: { path: '/' } }];
  container.volumeMounts = [
    ...(container.volumeMounts ?? []),
    { name: HOST_ROOT_VOLUME, mountPath: '/host' },
  ];
}
