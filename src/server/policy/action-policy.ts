/**
 * The one policy decision for every action that runs code in, or changes, a container: given the exec
 * policy that applies where the action happens (exec-policy.ts) and what the action asks for, allow it,
 * allow it only as an ordinary user, or refuse it with a sentence.
 *
 *   action            root-allowed        non-root                                   no-exec
 *   terminal          allow               as the policy's user                       refuse
 *   file-list/-download/-upload  allow    as the policy's user                       refuse
 *   debug-container   allow               non-zero uid, runAsNonRoot; no netadmin/   refuse
 *                                         sysadmin profile, no uid 0
 *   pod-copy          allow               same as debug-container                    refuse
 *   node-debug        allow if enabled    refuse (host namespaces are root)          refuse
 *                     for the cluster
 *
 * Pure: the caller reads the namespace labels and the config; routes go through policy/gate.ts.
 */
import type { DebugProfile } from '../../shared/debug/profiles.js';
import type { ExecUser, ResolvedExecPolicy } from './exec-policy.js';

export const POLICY_ACTIONS = [
  'terminal',
  'file-list',
  'file-download',
  'file-upload',
  'debug-container',
  'pod-copy',
  'node-debug',
] as const;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

/** What an action asks for that the policy cares about. */
export interface ActionRequest {
  action: PolicyAction;
  /** Debug containers, copies and node pods: the kubectl profile. */
  profile?: DebugProfile;
  /** Debug containers: the uid asked for, if any. */
  runAsUser?: number;
  /** Node debugging: whether a config rule enables it for this cluster. */
  nodeDebugEnabled?: boolean;
}

export type ActionDecision =
  | { verdict: 'allow'; policy: ResolvedExecPolicy }
  /** Run as this ordinary user (files, terminal: switched inside; debug/copy: securityContext uid). */
  | { verdict: 'allow-as-user'; user: ExecUser; policy: ResolvedExecPolicy }
  | { verdict: 'refuse'; reason: string; policy: ResolvedExecPolicy };

/** Profiles that give a container root-equivalent powers over the node or its network. */
export const ROOT_PROFILES: readonly DebugProfile[] = ['netadmin', 'sysadmin'];

const ACTION_TEXT: Record<PolicyAction, string> = {
  terminal: 'Terminals are',
  'file-list': 'Browsing files is',
  'file-download': 'Downloading files is',
  'file-upload': 'Uploading files is',
  'debug-container': 'Debug containers are',
  'pod-copy': 'Debug copies of pods are',
  'node-debug': 'Node debugging is',
};

export function decideAction(policy: ResolvedExecPolicy, request: ActionRequest): ActionDecision {
  const refuse = (why: string): ActionDecision => ({
    verdict: 'refuse',
    reason: `${ACTION_TEXT[request.action]} not allowed here: ${why}`,
    policy,
  });
  if (policy.policy === 'no-exec') return refuse(policy.reason);

  if (request.action === 'node-debug') {
    if (request.nodeDebugEnabled !== true) {
      return refuse('no config rule enables it for this cluster (execPolicy.nodeDebug.clusters).');
    }
    if (policy.policy === 'non-root') {
      return refuse(`a node debug pod runs as root in the host's namespaces. ${policy.reason}`);
    }
    return { verdict: 'allow', policy };
  }

  if (policy.policy === 'root-allowed') return { verdict: 'allow', policy };

  // non-root
  const user = policy.user as ExecUser;
  if (request.action === 'debug-container' || request.action === 'pod-copy') {
    if (request.profile !== undefined && ROOT_PROFILES.includes(request.profile)) {
      return refuse(
        `the ${request.profile} profile grants root-level powers, and ${lowerFirst(policy.reason)}`,
      );
    }
    if (request.runAsUser === 0) return refuse(`uid 0 is root, and ${lowerFirst(policy.reason)}`);
    if (request.runAsUser !== undefined) return { verdict: 'allow-as-user', user: request.runAsUser, policy };
    if (typeof user !== 'number') {
      return refuse(
        `the non-root policy names the user "${user}", but a container's securityContext needs a numeric uid; give runAsUser.`,
      );
    }
  }
  return { verdict: 'allow-as-user', user, policy };
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** How the decision is written in the audit record's `policy` field. */
export function decisionLabel(d: ActionDecision): string {
  const p = d.policy;
  const base = `${p.policy} (${p.source}: ${p.reason})`;
  switch (d.verdict) {
    case 'allow':
      return base;
    case 'allow-as-user':
      return `${base}; runs as ${String(d.user)}`;
    case 'refuse':
      return `${base}; refused`;
  }
}
