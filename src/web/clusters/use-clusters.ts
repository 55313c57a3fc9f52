import type { ClusterInfo, NamespaceInfo } from '../../shared/api.js';
import { apiPaths } from '../common/api-paths.js';
import { useJson, type JsonState } from '../common/use-json.js';

export function useClusters(): JsonState<ClusterInfo[]> {
  return useJson<ClusterInfo[]>(apiPaths.clusters());
}

export function useNamespaces(cluster: string | null): JsonState<NamespaceInfo[]> {
  return useJson<NamespaceInfo[]>(cluster === null ? null : apiPaths.namespaces(cluster));
}

/** The namespace to open for a cluster: the one its context names, else "default". */
export function startNamespace(cluster: Pick<ClusterInfo, 'defaultNamespace'> | undefined): string {
  return cluster?.defaultNamespace || 'default';
}
