// Who a Kubernetes call is made as. Local mode: null (the kubeconfig's own identity).
// Platform mode: the signed-in person. With token login the call carries the person's own bearer token
// (a BearerTokenCredential) and nothing of Podscope's; impersonation headers remain for an identity
// without a credential of its own (issue 11's impersonation mode).

/** A person's own Kubernetes bearer token, for one cluster. */
export class BearerTokenCredential {
  readonly kind = 'bearer-token';
  // A private field: JSON.stringify and util.inspect (so logs and error reports) never show it.
  readonly #token: string;

  constructor(
    /** The cluster the token was checked against; it is never sent to another. */
    readonly cluster: string,
    token: string,
  ) {
    this.#token = token;
  }

  /** The Authorization header value. */
  authorization(): string {
    return `Bearer ${this.#token}`;
  }

  toJSON(): { kind: string; cluster: string } {
    return { kind: this.kind, cluster: this.cluster };
  }
}

export type KubeCredential = BearerTokenCredential;

export interface Identity {
  /** The username Kubernetes sees (RBAC subjects name it). */
  user: string;
  groups: string[];
  /** Single sign-on: the person's stable subject at the provider, `<issuer>#<sub>` (absent otherwise). */
  subject?: string;
  /** Single sign-on: the person's email address, when the provider asserts one. */
  email?: string;
  uid?: string;
  extra?: Record<string, string[]>;
  /** How calls are authenticated as this person; absent: Podscope's own credentials plus impersonation. */
  credential?: KubeCredential;
}

/** Impersonation headers for an identity (KUBE-PROTOCOLS.md: Identity); none for one with its own credential. */
export function impersonationHeaders(identity: Identity | null): Record<string, string | string[]> {
  if (!identity || identity.credential !== undefined) return {};
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
