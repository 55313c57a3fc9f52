// Where the server's endpoints live. Pure: no DOM, so it can be unit-tested in Node.

const enc = encodeURIComponent;

export type QueryValue = string | number | boolean | null | undefined;

/** Appends the defined params as a query string (in insertion order). */
export function withQuery(path: string, params: Record<string, QueryValue>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(key, String(value));
  }
  const qs = search.toString();
  return qs ? `${path}?${qs}` : path;
}

/** Turns a same-origin path into a ws:// or wss:// URL matching the page's protocol. */
export function toWebSocketUrl(path: string, location: { protocol: string; host: string }): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${path}`;
}

const ns = (cluster: string, namespace: string): string =>
  `/api/clusters/${enc(cluster)}/namespaces/${enc(namespace)}`;

export const apiPaths = {
  clusters: (): string => '/api/clusters',
  namespaces: (cluster: string): string => `/api/clusters/${enc(cluster)}/namespaces`,
  podsWatch: (cluster: string, namespace: string): string => `${ns(cluster, namespace)}/pods/watch`,
  pod: (cluster: string, namespace: string, pod: string): string =>
    `${ns(cluster, namespace)}/pods/${enc(pod)}`,
  podWatch: (cluster: string, namespace: string, pod: string): string =>
    `${ns(cluster, namespace)}/pods/${enc(pod)}/watch`,
  podLogs: (cluster: string, namespace: string, pod: string): string =>
    `${ns(cluster, namespace)}/pods/${enc(pod)}/logs`,
  podLogsStream: (cluster: string, namespace: string, pod: string): string =>
    `${ns(cluster, namespace)}/pods/${enc(pod)}/logs/stream`,
  workloadLogsStream: (cluster: string, namespace: string, kind: string, name: string): string =>
    `${ns(cluster, namespace)}/workloads/${enc(kind)}/${enc(name)}/logs/stream`,
  selectorLogsStream: (cluster: string, namespace: string): string => `${ns(cluster, namespace)}/logs/stream`,
  eventsWatch: (cluster: string, namespace: string): string => `${ns(cluster, namespace)}/events/watch`,
  podDiagnosis: (cluster: string, namespace: string, pod: string): string =>
    `${ns(cluster, namespace)}/pods/${enc(pod)}/diagnosis`,
  namespaceDiagnosis: (cluster: string, namespace: string): string => `${ns(cluster, namespace)}/diagnosis`,
  podPermissions: (cluster: string, namespace: string, pod: string): string =>
    `${ns(cluster, namespace)}/pods/${enc(pod)}/permissions`,
  whoAmI: (cluster: string): string => `/api/clusters/${enc(cluster)}/whoami`,
  terminalPolicy: (cluster: string, namespace: string, pod: string): string =>
    `${ns(cluster, namespace)}/pods/${enc(pod)}/terminal/policy`,
  terminal: (cluster: string, namespace: string, pod: string): string =>
    `${ns(cluster, namespace)}/pods/${enc(pod)}/terminal`,
  auditSessions: (): string => '/api/audit/sessions',
  auditSession: (id: string): string => `/api/audit/sessions/${enc(id)}`,
  auditRecording: (id: string): string => `/api/audit/sessions/${enc(id)}/recording.cast`,
};
