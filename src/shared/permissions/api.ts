/**
 * What the person may do, as the server asked Kubernetes (SelfSubjectAccessReview made as them) and the
 * exec policy decided — the contract behind the pod page's action buttons. Pure types and constants.
 *
 * GET /api/clusters/:cluster/namespaces/:namespace/pods/:pod/permissions → PodPermissionsView
 * GET /api/clusters/:cluster/whoami                                       → WhoAmIView
 */

/** The pod page's actions, each answered separately. */
export const POD_ACTIONS = [
  'logs',
  'terminal',
  'debug-container',
  'pod-copy',
  'node-debug',
  'file-download',
  'file-upload',
] as const;
export type PodAction = (typeof POD_ACTIONS)[number];

/** One question for Kubernetes: may I `verb` `resource[/subresource]` (named `name`) in `namespace`? */
export interface AccessCheck {
  verb: string;
  /** API group; '' is the core group. */
  group: string;
  resource: string;
  subresource?: string;
  /** null: a cluster-scoped resource (nodes). */
  namespace: string | null;
  /** A particular object; absent: any (e.g. create, where the name is not known yet). */
  name?: string;
}

export interface ActionPermission {
  /** Whether the UI offers the action at all; false: hidden (e.g. node debugging is off for this cluster). */
  offered: boolean;
  allowed: boolean;
  /** Why not, as a sentence naming the missing verb and resource or the policy; null when allowed. */
  reason: string | null;
  /** Who refuses: Kubernetes RBAC, or Podscope's exec policy. null when allowed. */
  deniedBy: 'rbac' | 'policy' | null;
  /** The checks Kubernetes answered "no" to, as `verb resource/sub` (e.g. `create pods/exec`). */
  missing: string[];
}

/** GET …/pods/:pod/permissions */
export interface PodPermissionsView {
  cluster: string;
  namespace: string;
  pod: string;
  actions: Record<PodAction, ActionPermission>;
}

/** GET /api/clusters/:cluster/whoami — the person as Kubernetes sees them (SelfSubjectReview). */
export interface WhoAmIView {
  cluster: string;
  username: string;
  uid: string | null;
  groups: string[];
  /** Whose credentials: the kubeconfig's (local mode) or a signed-in person's. */
  via: 'kubeconfig' | 'signed-in';
}
