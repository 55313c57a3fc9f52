// Who a Kubernetes call is made as. Local mode: null (the kubeconfig's own identity).
// Platform mode: the logged-in user, sent as impersonation headers so RBAC judges each person.

export interface Identity {
  user: string;
  groups: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

/** Impersonation headers for an identity (KUBE-PROTOCOLS.md: Identity). */
export function impersonationHeaders(identity: Identity | null): Record<string, string | string[]> {
  if (!identity) return {};
  const headers: Record<string, string | string[]> = { 'Impersonate-User': identity.user };
  if (identity.groups.length > 0) headers['Impersonate-Group'] = identity.groups;
  if (identity.uid) headers['Impersonate-Uid'] = identity.uid;
  for (const [key, values] of Object.entries(identity.extra ?? {})) {
    headers[`Impersonate-Extra-${encodeURIComponent(key.toLowerCase())}`] = values;
  }
  return headers;
}

/** A label for audit records and logs. */
export function identityLabel(identity: Identity | null, fallback: string): string {
  return identity ? identity.user : fallback;
}
