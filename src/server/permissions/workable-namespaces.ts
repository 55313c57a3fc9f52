/**
 * The namespaces a person can work in: those they may list pods in (the pod list is where everything
 * starts). Which namespaces to ask about: every namespace, when they may list namespaces; otherwise the
 * ones Podscope knows without listing — the context's own namespace and the namespaces the exec policy
 * names literally for this cluster (patterns name none). Pure; the reviews are the caller's.
 */
import type { AccessCheck } from '../../shared/permissions/api.js';
import { matches, type ExecPolicyConfig } from '../policy/exec-policy.js';

/** The question that makes a namespace workable. */
export const workCheck = (namespace: string): AccessCheck => ({
  verb: 'list',
  group: '',
  resource: 'pods',
  namespace,
});

/** Above this many namespaces the list is not filtered (one review each would be too many). */
export const MAX_NAMESPACES_CHECKED = 500;

/** Namespaces Podscope knows for `cluster` without listing them, sorted, once each. */
export function knownNamespaces(
  config: Pick<ExecPolicyConfig, 'rules'>,
  cluster: string,
  contextNamespace: string | null,
): string[] {
  const names = new Set<string>();
  if (contextNamespace) names.add(contextNamespace);
  for (const rule of config.rules) {
    if (rule.namespace === undefined || rule.namespace.includes('*')) continue;
    if (rule.cluster !== undefined && !matches(rule.cluster, cluster)) continue;
    names.add(rule.namespace);
  }
  return [...names].sort((a, b) => a.localeCompare(b));
}
