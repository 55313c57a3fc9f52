// Who an audit record names, and who may read which records. Pure: the routes and the policy gate
// (src/server/policy/gate.ts) bring the request's identities and the config.
//
// - The person: the signed-in identity (username, groups, single sign-on subject and email); in local
//   mode, where nobody signs in, the kubeconfig user (`kubeconfig:<name>`) or the pod's ServiceAccount.
// - The identity used towards Kubernetes: the person's own token (token login, token pass-through),
//   impersonation of the person (Podscope's credentials plus Impersonate-User/-Group), or, with nobody
//   signed in, the kubeconfig's user or the pod's ServiceAccount.
// - Reading: people see their own sessions (the same subject when they have one, else the same
//   username); members of an auditor group see everyone's; local mode (one person) sees all.
import type { Identity as KubeCallIdentity } from '../kube/identity.js';
import type { Identity, KubeIdentity, SessionFilter } from './audit-store.js';
import type { AuditScope } from '../../shared/audit/api.js';

/** `system:serviceaccount:NAMESPACE:NAME`, as a ServiceAccount token's subject names it. */
const SERVICE_ACCOUNT_USER = /^system:serviceaccount:[a-z0-9-]+:[a-z0-9.-]+$/;

/**
 * The identity a Kubernetes client calls as. `client`: the identity it carries (null: none, the
 * kubeconfig's own credentials); `kubeconfigUser`: the kubeconfig's current user entry (in a pod,
 * inClusterKubeConfig names it after the ServiceAccount's token subject).
 */
export function kubeIdentityOf(
  client: KubeCallIdentity | null,
  kubeconfigUser: string | undefined,
): KubeIdentity {
  if (client !== null) {
    return {
      method: client.credential !== undefined ? 'token' : 'impersonation',
      user: client.user,
      groups: [...client.groups],
    };
  }
  const user = kubeconfigUser ?? 'unknown';
  if (SERVICE_ACCOUNT_USER.test(user)) return { method: 'service-account', user, groups: [] };
  return { method: 'kubeconfig', user, groups: [] };
}

/** A signed-in person as an audit record names them (the Kubernetes side apart). */
export function personOf(person: KubeCallIdentity): Identity {
  const identity: Identity = { user: person.user, groups: [...person.groups] };
  if (person.subject !== undefined && person.subject !== '') identity.subject = person.subject;
  if (person.email !== undefined && person.email !== '') identity.email = person.email;
  return identity;
}

/**
 * The person and the identity used towards Kubernetes, as an audit record keeps them. `person`: who is
 * signed in (null in local mode); `client`: the identity the Kubernetes client carries.
 */
export function auditIdentityOf(
  person: KubeCallIdentity | null,
  client: KubeCallIdentity | null,
  kubeconfigUser: string | undefined,
): Identity {
  const kube = kubeIdentityOf(client, kubeconfigUser);
  if (person !== null) return { ...personOf(person), kube };
  // Nobody signed in: the kubeconfig entry's name says where the rights came from; a ServiceAccount is
  // named as Kubernetes names it.
  return { user: kube.method === 'kubeconfig' ? `kubeconfig:${kube.user}` : kube.user, groups: [], kube };
}

/** What a viewer of the audit trail may read. */
export type AuditAccess =
  { scope: 'all'; viewer: Identity | null; auditorGroup: string | null } | { scope: 'own'; viewer: Identity };

export function auditAccess(viewer: KubeCallIdentity | null, auditorGroups: readonly string[]): AuditAccess {
  if (viewer === null) return { scope: 'all', viewer: null, auditorGroup: null };
  const person = personOf(viewer);
  const auditorGroup = auditorGroups.find((g) => viewer.groups.includes(g)) ?? null;
  if (auditorGroup !== null) return { scope: 'all', viewer: person, auditorGroup };
  return { scope: 'own', viewer: person };
}

export function scopeOf(access: AuditAccess): AuditScope {
  return access.scope;
}

/** Whether a record is the viewer's own: the same subject when the viewer has one, else the same username. */
export function isOwnSession(viewer: Identity, record: Identity): boolean {
  if (viewer.subject !== undefined) return record.subject === viewer.subject;
  return record.user === viewer.user;
}

export function canRead(access: AuditAccess, record: Identity): boolean {
  return access.scope === 'all' || isOwnSession(access.viewer, record);
}

/**
 * The list filter narrowed to what the viewer may read, or null when nothing can match (a person
 * without a subject asking for another username).
 */
export function readableFilter(access: AuditAccess, filter: SessionFilter): SessionFilter | null {
  if (access.scope === 'all') return filter;
  const viewer = access.viewer;
  if (viewer.subject !== undefined) {
    if (filter.subject !== undefined && filter.subject !== viewer.subject) return null;
    return { ...filter, subject: viewer.subject };
  }
  if (filter.user !== undefined && filter.user !== viewer.user) return null;
  return { ...filter, user: viewer.user };
}

/**
 * Whether opening this record's recording must itself be recorded: a signed-in viewer opening someone
 * else's. (Local mode has one person; they never open someone else's.)
 */
export function viewNeedsRecord(access: AuditAccess, record: Identity): boolean {
  return access.viewer !== null && !isOwnSession(access.viewer, record);
}

/** The policy line of an audit-view record: why the viewer could open it. */
export function viewPolicy(access: AuditAccess): string {
  return access.scope === 'all' && access.auditorGroup !== null
    ? `auditor: member of ${access.auditorGroup}`
    : 'own session';
}
