// What a request to the API server is, in words with few values (for metrics): the verb as Kubernetes
// names it, the resource (with its subresource), never a namespace or object name — those would make a
// series per pod.
import type { QueryValue } from './kube-client.js';

export type KubeVerb =
  'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'connect' | 'other';

export interface KubeRequestLabels {
  verb: KubeVerb;
  /** "pods", "pods/log", "deployments", "selfsubjectaccessreviews", "/readyz" (a non-resource path)… */
  resource: string;
}

/** A resource name as the API server spells them: lower-case letters, digits, dots and dashes. */
const NAME = /^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/;

/**
 * Labels for METHOD PATH?QUERY. Paths are /api/v1/…, /apis/GROUP/VERSION/…, optionally
 * namespaces/NS/, then RESOURCE[/NAME[/SUBRESOURCE]]; anything else is a non-resource path, kept only
 * when it is one of the few Podscope calls (so a strange path cannot make a new series).
 */
export function kubeRequestLabels(
  method: string,
  path: string,
  query: Record<string, QueryValue> = {},
): KubeRequestLabels {
  const parts = (path.split('?')[0] ?? '').split('/').filter((p) => p !== '');
  let rest: string[] | undefined;
  if (parts[0] === 'api' && parts.length >= 2) rest = parts.slice(2);
  else if (parts[0] === 'apis' && parts.length >= 3) rest = parts.slice(3);
  if (rest === undefined || rest.length === 0) {
    const known = ['/readyz', '/livez', '/healthz', '/version', '/api', '/apis'];
    const p = `/${parts.join('/')}`;
    return { verb: method === 'GET' ? 'get' : 'other', resource: known.includes(p) ? p : 'other' };
  }
  // namespaces/NS/RESOURCE… ; "namespaces" alone or namespaces/NS is the namespaces resource itself.
  if (rest[0] === 'namespaces' && rest.length >= 3) rest = rest.slice(2);
  const [resource, name, sub] = rest;
  const named = name !== undefined;
  const r = resource !== undefined && NAME.test(resource) ? resource : 'other';
  const s = sub !== undefined && NAME.test(sub) ? `${r}/${sub}` : r;
  const watch = query.watch === true || query.watch === 'true' || query.watch === '1';
  const verb = verbOf(method, named, watch, sub);
  return { verb, resource: s };
}

function verbOf(method: string, named: boolean, watch: boolean, sub: string | undefined): KubeVerb {
  if (sub === 'exec' || sub === 'attach' || sub === 'portforward' || sub === 'proxy') return 'connect';
  switch (method) {
    case 'GET':
      return watch ? 'watch' : named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      return 'other';
  }
}

/** "2xx", "4xx"…, or "error" when no answer came (network, TLS, timeout, abort). */
export function statusClass(status: number | null): string {
  if (status === null || status < 100 || status > 599) return 'error';
  return `${Math.floor(status / 100)}xx`;
}
