// What a pod copy's plan needs to know about the namespace: every controller selector (and the
// Services that route to pods that are not Ready), the NetworkPolicies, and the claims the pod mounts
// with the nodes they are attached to. Lists that RBAC forbids are reported, not fatal: the plan
// decides what it can do without them (shared/debug/copy-labels.ts, pod-copy.ts).
import type { V1Pod } from '@kubernetes/client-node';
import {
  networkPolicyFacts,
  selectorOwners,
  type LabelFacts,
  type ListedObject,
  type NetworkPolicyObject,
  type PodSelectorOwner,
  type SelectorOwnerKind,
} from '../../shared/debug/copy-labels.js';
import type { ClaimFacts, CopyFacts } from '../../shared/debug/pod-copy.js';
import type { Pod } from '../../shared/debug/types.js';
import { KubeApiError } from '../http/errors.js';
import type { KubeClient } from '../kube/kube-client.js';

/** Where each kind is listed; the selectors are read by the shared, tested selectorOwners(). */
const SOURCES: { kind: SelectorOwnerKind; path: (ns: string) => string }[] = [
  { kind: 'ReplicaSet', path: (ns) => `/apis/apps/v1/namespaces/${ns}/replicasets` },
  { kind: 'ReplicationController', path: (ns) => `/api/v1/namespaces/${ns}/replicationcontrollers` },
  { kind: 'DaemonSet', path: (ns) => `/apis/apps/v1/namespaces/${ns}/daemonsets` },
  { kind: 'StatefulSet', path: (ns) => `/apis/apps/v1/namespaces/${ns}/statefulsets` },
  { kind: 'Job', path: (ns) => `/apis/batch/v1/namespaces/${ns}/jobs` },
  { kind: 'Service', path: (ns) => `/api/v1/namespaces/${ns}/services` },
];

function reasonOf(err: unknown): string {
  if (err instanceof KubeApiError && err.status === 403) return 'Kubernetes RBAC does not allow it.';
  return err instanceof Error ? err.message : String(err);
}

/** A list that RBAC may forbid: the items, or the reason they could not be read. */
async function tryList<T>(client: KubeClient, path: string): Promise<{ items: T[] } | { error: string }> {
  try {
    const list = await client.json<{ items?: T[] }>({ path });
    return { items: list.items ?? [] };
  } catch (err) {
    if (err instanceof KubeApiError && err.status < 500) return { error: reasonOf(err) };
    throw err;
  }
}

/** Every controller selector (and not-ready-publishing Service) of the namespace. */
export async function selectorFacts(
  client: KubeClient,
  ns: string,
): Promise<Pick<LabelFacts, 'selectors' | 'unreadable'>> {
  const selectors: PodSelectorOwner[] = [];
  const unreadable: LabelFacts['unreadable'] = [];
  const lists = await Promise.all(
    SOURCES.map((s) => tryList<ListedObject>(client, s.path(encodeURIComponent(ns)))),
  );
  SOURCES.forEach((source, i) => {
    const list = lists[i]!;
    if ('error' in list) unreadable.push({ kind: source.kind, reason: list.error });
    else selectors.push(...selectorOwners(source.kind, list.items));
  });
  return { selectors, unreadable };
}

interface PvcObject {
  spec?: { accessModes?: string[]; volumeName?: string };
  status?: { phase?: string; accessModes?: string[] };
}

interface VolumeAttachmentObject {
  spec?: { nodeName?: string; source?: { persistentVolumeName?: string } };
  status?: { attached?: boolean };
}

/** The claims the pod mounts, with the nodes each is attached to or used on right now. */
async function claimFacts(client: KubeClient, ns: string, source: Pod): Promise<Record<string, ClaimFacts>> {
  const claims = [
    ...new Set(
      (source.spec?.volumes ?? []).flatMap((v) =>
        v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : [],
      ),
    ),
  ];
  if (claims.length === 0) return {};
  const enc = encodeURIComponent(ns);
  const [pods, attachments] = await Promise.all([
    tryList<V1Pod>(client, `/api/v1/namespaces/${enc}/pods`),
    // Cluster-scoped: most users may not list them; running pods then tell where a volume is.
    tryList<VolumeAttachmentObject>(client, '/apis/storage.k8s.io/v1/volumeattachments'),
  ]);
  const out: Record<string, ClaimFacts> = {};
  for (const name of claims) {
    let pvc: PvcObject;
    try {
      pvc = await client.json<PvcObject>({
        path: `/api/v1/namespaces/${enc}/persistentvolumeclaims/${encodeURIComponent(name)}`,
      });
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) {
        out[name] = { phase: 'Missing', accessModes: [], nodes: [], missing: true };
      } else if (err instanceof KubeApiError && err.status < 500) {
        out[name] = { phase: null, accessModes: [], nodes: [], error: reasonOf(err) };
      } else throw err;
      continue;
    }
    const nodes = new Set<string>();
    if ('items' in attachments && pvc.spec?.volumeName) {
      for (const a of attachments.items) {
        if (
          a.status?.attached &&
          a.spec?.source?.persistentVolumeName === pvc.spec.volumeName &&
          a.spec.nodeName
        ) {
          nodes.add(a.spec.nodeName);
        }
      }
    }
    if ('items' in pods) {
      for (const p of pods.items) {
        const phase = p.status?.phase;
        if (!p.spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') continue;
        if ((p.spec.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === name)) {
          nodes.add(p.spec.nodeName);
        }
      }
    }
    out[name] = {
      phase: pvc.status?.phase ?? 'Pending',
      accessModes: pvc.status?.accessModes ?? pvc.spec?.accessModes ?? [],
      nodes: [...nodes].sort(),
    };
  }
  return out;
}

export async function gatherCopyFacts(client: KubeClient, ns: string, source: Pod): Promise<CopyFacts> {
  const [selectors, policies, claims] = await Promise.all([
    selectorFacts(client, ns),
    tryList<NetworkPolicyObject>(
      client,
      `/apis/networking.k8s.io/v1/namespaces/${encodeURIComponent(ns)}/networkpolicies`,
    ),
    claimFacts(client, ns, source),
  ]);
  return {
    labels: {
      ...selectors,
      networkPolicies: 'items' in policies ? policies.items.map(networkPolicyFacts) : null,
      ...('error' in policies ? { networkPolicyError: policies.error } : {}),
    },
    claims,
  };
}
