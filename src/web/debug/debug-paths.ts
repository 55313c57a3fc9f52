// Where the debug endpoints live (debug containers, pod copies, node debug pods). Pure.

import { withQuery } from '../common/api-paths.js';
import { routes } from '../common/routes.js';

const enc = encodeURIComponent;
const clusterBase = (cluster: string): string => `/api/clusters/${enc(cluster)}`;
const nsBase = (cluster: string, namespace: string): string =>
  `${clusterBase(cluster)}/namespaces/${enc(namespace)}`;
const podBase = (cluster: string, namespace: string, pod: string): string =>
  `${nsBase(cluster, namespace)}/pods/${enc(pod)}`;

export const debugPaths = {
  options: (cluster: string): string => `${clusterBase(cluster)}/debug/options`,
  debugContainers: (cluster: string, namespace: string, pod: string): string =>
    `${podBase(cluster, namespace, pod)}/debug-containers`,
  copies: (cluster: string, namespace: string, pod: string): string =>
    `${podBase(cluster, namespace, pod)}/copies`,
  copyPlan: (cluster: string, namespace: string, pod: string): string =>
    `${podBase(cluster, namespace, pod)}/copies/plan`,
  nodeDebug: (cluster: string, node: string): string => `${clusterBase(cluster)}/nodes/${enc(node)}/debug`,
  debugPods: (cluster: string, namespace: string): string => `${nsBase(cluster, namespace)}/debug-pods`,
  debugPod: (cluster: string, namespace: string, pod: string): string =>
    `${nsBase(cluster, namespace)}/debug-pods/${enc(pod)}`,
  lease: (cluster: string, namespace: string, pod: string): string =>
    `${nsBase(cluster, namespace)}/debug-pods/${enc(pod)}/lease`,
};

/** The Terminal tab of `pod`, with `container` chosen (the tab reads ?container=). */
export function terminalHref(cluster: string, namespace: string, pod: string, container: string): string {
  const [path, search = ''] = routes.pod(cluster, namespace, pod, 'terminal').split('?');
  const params = new URLSearchParams(search);
  params.set('container', container);
  return withQuery(path!, Object.fromEntries(params));
}
