/**
 * What Kubernetes must allow for each action of the pod page, derived from the calls the server makes
 * for it (read the route named in each row's comment before changing a row), and how the answers become
 * the buttons' state. Pure: the reviews themselves are made by access-reviews.ts.
 *
 * Calls the server makes but tolerates being refused are not required (their row says so): the action
 * works without them, so the UI must not hide it for their sake.
 */
import type { AccessCheck, ActionPermission, PodAction } from '../../shared/permissions/api.js';
import { decideAction, type PolicyAction } from '../policy/action-policy.js';
import type { ResolvedExecPolicy } from '../policy/exec-policy.js';

export interface ActionTarget {
  namespace: string;
  pod: string;
  /** Where node debug pods go (the server's `debug.nodeDebugNamespace`, never the request's). */
  nodeDebugNamespace: string;
}

const core = (verb: string, resource: string, namespace: string | null, extra: Partial<AccessCheck> = {}) =>
  ({ verb, group: '', resource, namespace, ...extra }) satisfies AccessCheck;

/**
 * Opening a terminal on a pod (terminal/routes.ts → exec/exec-connection.ts openExec): the exec is a
 * WebSocket upgrade of a GET, so the API server checks `get pods/exec`; from Kubernetes 1.35 it also
 * checks `create pods/exec` (AuthorizePodWebsocketUpgradeCreatePermission). Both are needed.
 */
const execInto = (namespace: string, pod?: string): AccessCheck[] => [
  core('create', 'pods', namespace, { subresource: 'exec', ...(pod ? { name: pod } : {}) }),
  core('get', 'pods', namespace, { subresource: 'exec', ...(pod ? { name: pod } : {}) }),
];

/**
 * Podscope's own debug pods (copies, node pods), debug/copy-routes.ts and debug/routes.ts:
 * - `create pods`: POST …/pods;
 * - `list` + `watch pods`: waitForPod (kube/pods.ts) lists then watches with a field selector until
 *   the container runs;
 * - `get pods`: the running copy is read again to check nothing adopted it; the lease socket reads it
 *   (getDebugPod);
 * - `patch pods`: the lease (debug/debug-pods.ts) pushes the expiry annotation ahead while the browser
 *   holds it — without it the pod is deleted after the grace period, mid-session;
 * - then the browser opens a terminal in it: `create` + `get pods/exec`.
 * Not required: `delete pods` (the Delete button and the lease's end; refused, the reaper deletes it
 * once it expires).
 */
const debugPodIn = (namespace: string): AccessCheck[] => [
  core('create', 'pods', namespace),
  core('list', 'pods', namespace),
  core('watch', 'pods', namespace),
  core('get', 'pods', namespace),
  core('patch', 'pods', namespace),
  ...execInto(namespace),
];

/** The table: one row per action, each check with the call it stands for. */
export function requiredAccess(action: PodAction, t: ActionTarget): AccessCheck[] {
  const { namespace, pod } = t;
  switch (action) {
    case 'logs':
      // logs/routes.ts → logs/container-logs.ts: GET …/pods/:pod/log (every form: tail, previous,
      // follow, download). The pod itself was read to show the page.
      return [core('get', 'pods', namespace, { subresource: 'log', name: pod })];
    case 'terminal':
      // terminal/routes.ts: getPod (which container, is it running), then the exec upgrade.
      return [core('get', 'pods', namespace, { name: pod }), ...execInto(namespace, pod)];
    case 'debug-container':
      // debug/routes.ts POST …/debug-containers: getPod; PATCH …/pods/:pod/ephemeralcontainers;
      // waitForPod (list + watch pods); then the browser attaches through a terminal (exec into the
      // debug container, terminal/routes.ts) — Podscope never uses pods/attach.
      return [
        core('get', 'pods', namespace, { name: pod }),
        core('patch', 'pods', namespace, { subresource: 'ephemeralcontainers', name: pod }),
        core('list', 'pods', namespace),
        core('watch', 'pods', namespace),
        ...execInto(namespace, pod),
      ];
    case 'pod-copy':
      // debug/copy-routes.ts POST …/copies: getPod (the source), then a debug pod in the same
      // namespace (above). gatherCopyFacts' lists (ReplicaSets, ReplicationControllers, DaemonSets,
      // StatefulSets, Jobs, Services, NetworkPolicies, PVCs, VolumeAttachments) and the events read
      // when explaining a failure are tolerated when refused (the plan says what it could not read).
      return [core('get', 'pods', namespace, { name: pod }), ...debugPodIn(namespace)];
    case 'node-debug':
      // debug/routes.ts POST /nodes/:node/debug: a debug pod in the server's nodeDebugNamespace. Its
      // `get nodes` (to say "no such node") and `get namespaces` (existingNamespace) are tolerated when
      // refused. Kubernetes may still refuse the privileged pod by Pod Security admission, which no
      // access review can tell.
      return debugPodIn(t.nodeDebugNamespace);
    case 'file-download':
    case 'file-upload':
      // files/routes.ts → container-files.ts resolveFileTarget: getPod, then every listing, stat,
      // transfer (tar/cat, and for uploads the write, mv, sha256sum) is an exec in the container.
      return [core('get', 'pods', namespace, { name: pod }), ...execInto(namespace, pod)];
  }
}

/** `create pods/exec`, `patch pods/ephemeralcontainers`, `get nodes`, `list deployments.apps`. */
export function describeCheck(c: AccessCheck): string {
  const resource = c.group === '' ? c.resource : `${c.resource}.${c.group}`;
  return `${c.verb} ${resource}${c.subresource ? `/${c.subresource}` : ''}`;
}

/** A stable key for a check (the cache and de-duplication). */
export function checkKey(c: AccessCheck): string {
  return [c.verb, c.group, c.resource, c.subresource ?? '', c.namespace ?? '', c.name ?? ''].join('\u0000');
}

/** Kubernetes' answer to one check. */
export interface CheckAnswer {
  allowed: boolean;
  /** An error while asking (the review failed, or the authorizer reported an evaluation error). */
  error?: string;
}

/** What the exec policy says about an action (policy/action-policy.ts), or null for actions it does not govern. */
export interface PolicyVerdict {
  /** false: the action is not offered here (node debugging switched off for the cluster). */
  offered: boolean;
  /** A refusal sentence, or null when the policy lets the action happen (perhaps as an ordinary user). */
  refusal: string | null;
}

/**
 * One action's state from the answers to its checks (`answers` keyed by checkKey) and the policy.
 * RBAC first: a person Kubernetes refuses is told what they lack, whatever the policy says.
 */
export function actionPermission(
  checks: AccessCheck[],
  answers: ReadonlyMap<string, CheckAnswer>,
  policy: PolicyVerdict | null,
): ActionPermission {
  const offered = policy?.offered ?? true;
  const missing: AccessCheck[] = [];
  const errors: string[] = [];
  for (const c of checks) {
    const a = answers.get(checkKey(c));
    if (a === undefined) errors.push(`no answer for ${describeCheck(c)}`);
    else if (a.error !== undefined && !a.allowed) errors.push(a.error);
    else if (!a.allowed) missing.push(c);
  }
  if (missing.length > 0) {
    const words = [...new Set(missing.map(describeCheck))];
    return {
      offered,
      allowed: false,
      deniedBy: 'rbac',
      reason: `You may not ${joinOr(words)} ${where(missing)}.`,
      missing: words,
    };
  }
  if (errors.length > 0) {
    // Unknown is not "no": show the button and let Kubernetes decide, but say why we could not tell.
    return { offered, allowed: true, deniedBy: null, reason: `Could not check: ${errors[0]}`, missing: [] };
  }
  if (policy?.refusal) {
    return { offered, allowed: false, deniedBy: 'policy', reason: policy.refusal, missing: [] };
  }
  return { offered, allowed: true, deniedBy: null, reason: null, missing: [] };
}

function where(missing: AccessCheck[]): string {
  const namespaces = [...new Set(missing.map((c) => c.namespace))];
  const parts = namespaces.map((ns) => (ns === null ? 'in the cluster' : `in namespace "${ns}"`));
  return parts.join(' or ');
}

function joinOr(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

/**
 * What the exec policy says about an action before any details are chosen (policy/action-policy.ts
 * decides again, with them, when the action is asked for). Logs are not the policy's business.
 * A non-root policy is no refusal: the action runs as an ordinary user (a debug container or copy may
 * need a uid given in its form). Node debugging is not offered at all where no config rule enables it.
 */
export function policyVerdict(
  action: PodAction,
  policy: ResolvedExecPolicy,
  nodeDebug: { enabled: boolean; policy: ResolvedExecPolicy },
): PolicyVerdict | null {
  if (action === 'logs') return null;
  if (action === 'node-debug') {
    if (!nodeDebug.enabled) return { offered: false, refusal: null };
    const d = decideAction(nodeDebug.policy, { action: 'node-debug', nodeDebugEnabled: true });
    return { offered: true, refusal: d.verdict === 'refuse' ? d.reason : null };
  }
  if (policy.policy !== 'no-exec') return { offered: true, refusal: null };
  const d = decideAction(policy, { action: POLICY_ACTION[action] });
  return { offered: true, refusal: d.verdict === 'refuse' ? d.reason : null };
}

const POLICY_ACTION: Record<Exclude<PodAction, 'logs' | 'node-debug'>, PolicyAction> = {
  terminal: 'terminal',
  'debug-container': 'debug-container',
  'pod-copy': 'pod-copy',
  'file-download': 'file-download',
  'file-upload': 'file-upload',
};
