// The web app's own URLs, so every link is built the same way. Pure.

const enc = encodeURIComponent;

export type PodTab = 'containers' | 'logs' | 'events' | 'terminal' | 'debug' | 'files';
export const POD_TABS: readonly PodTab[] = ['containers', 'logs', 'events', 'terminal', 'debug', 'files'];

export type WorkloadKind = 'deployment' | 'statefulset' | 'daemonset' | 'job';
export const WORKLOAD_KINDS: readonly WorkloadKind[] = ['deployment', 'statefulset', 'daemonset', 'job'];

export function isWorkloadKind(value: string | undefined): value is WorkloadKind {
  return (WORKLOAD_KINDS as readonly string[]).includes(value ?? '');
}

export function parsePodTab(value: string | null): PodTab {
  return (POD_TABS as readonly string[]).includes(value ?? '') ? (value as PodTab) : 'containers';
}

const nsBase = (cluster: string, namespace: string): string => `/c/${enc(cluster)}/ns/${enc(namespace)}`;

export const routes = {
  home: (): string => '/',
  clusters: (): string => '/clusters',
  pods: (cluster: string, namespace: string): string => nsBase(cluster, namespace),
  pod: (cluster: string, namespace: string, pod: string, tab?: PodTab): string =>
    `${nsBase(cluster, namespace)}/pods/${enc(pod)}${tab && tab !== 'containers' ? `?tab=${tab}` : ''}`,
  events: (cluster: string, namespace: string): string => `${nsBase(cluster, namespace)}/events`,
  workloadLogs: (cluster: string, namespace: string, kind: WorkloadKind, name: string): string =>
    `${nsBase(cluster, namespace)}/workloads/${kind}/${enc(name)}/logs`,
  selectorLogs: (cluster: string, namespace: string, selector: string): string =>
    `${nsBase(cluster, namespace)}/logs${selector ? `?selector=${enc(selector)}` : ''}`,
  audit: (): string => '/audit',
  auditSession: (id: string): string => `/audit/sessions/${enc(id)}`,
};

/**
 * The workload a pod belongs to, for the "logs of the whole workload" link. A ReplicaSet is named
 * `<deployment>-<pod-template-hash>`, so the Deployment name is recovered from the hash label.
 */
export function owningWorkload(
  owner: { kind: string; name: string } | null,
  labels: Record<string, string>,
): { kind: WorkloadKind; name: string } | null {
  if (!owner) return null;
  switch (owner.kind) {
    case 'ReplicaSet': {
      const hash = labels['pod-template-hash'];
      if (hash && owner.name.endsWith(`-${hash}`)) {
        return { kind: 'deployment', name: owner.name.slice(0, -(hash.length + 1)) };
      }
      return null;
    }
    case 'StatefulSet':
      return { kind: 'statefulset', name: owner.name };
    case 'DaemonSet':
      return { kind: 'daemonset', name: owner.name };
    case 'Job':
      return { kind: 'job', name: owner.name };
    default:
      return null;
  }
}
