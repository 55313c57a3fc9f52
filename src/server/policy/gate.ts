// The one path every action on a container takes: decide (policy) → record (audit) → act.
//
//   const allowed = await authorize(ctx, req, client, where, request);  // refusals are recorded here
//   const audit = await startAudit(ctx, req, client, allowed, record);  // needs the authorization
//   …act…; await endAudit(ctx, audit, end)  /  await endAuditFailed(ctx, audit, err)
//
// startAudit takes the Authorization that only authorize() makes, so a new door cannot record (and so
// act) without deciding first. A refused attempt gets a record too, with outcome `refused` and the
// reason; a failed end is logged, never thrown (the action has happened and the start names it).
import type { FastifyRequest } from 'fastify';
import type { Identity, SessionEnd, SessionId, SessionStart } from '../audit/audit-store.js';
import { auditIdentityOf } from '../audit/audit-people.js';
import { endSessionSurvivingOutage } from '../audit/end-session.js';
import type { ServerContext } from '../context.js';
import { KubeApiError, notFound, PodscopeError, toErrorBody } from '../http/errors.js';
import type { KubeClient } from '../kube/kube-client.js';
import { decideAction, decisionLabel, type ActionDecision, type ActionRequest } from './action-policy.js';
import { configNamesGroups, resolveExecPolicy, type ResolvedExecPolicy } from './exec-policy.js';
import { ownedByReplica } from '../replicas/replica-health.js';

/**
 * Who an audit record names: the signed-in person (or in local mode the kubeconfig user of the context,
 * in a pod the ServiceAccount), and how and as whom the request's client calls Kubernetes — the
 * person's own token, impersonation of the person, or the kubeconfig's / ServiceAccount's credentials.
 */
export function auditIdentity(ctx: ServerContext, req: FastifyRequest, client: KubeClient): Identity {
  return auditIdentityOf(
    ctx.identityFor(req),
    client.identity,
    client.cluster.kubeConfig.getCurrentUser()?.name,
  );
}

/**
 * The exec policy of a namespace: the config's rules plus the namespace's labels. Labels that cannot
 * be read (RBAC) make it fail closed; an unknown namespace is a 404.
 */
export async function policyAt(
  ctx: ServerContext,
  client: KubeClient,
  namespace: string,
  signal?: AbortSignal,
): Promise<ResolvedExecPolicy> {
  let labels: Record<string, string> | null;
  try {
    const ns = await client.json<{ metadata?: { labels?: Record<string, string> } }>({
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}`,
      signal,
    });
    labels = ns.metadata?.labels ?? {};
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 404) {
      throw notFound(`Namespace "${namespace}" does not exist in cluster "${client.cluster.name}".`);
    }
    if (!(err instanceof KubeApiError && err.status === 403)) throw err;
    labels = null;
  }
  return resolveExecPolicy(ctx.execPolicy, {
    cluster: client.cluster.name,
    namespace,
    namespaceLabels: labels,
    ...(configNamesGroups(ctx.execPolicy) ? { groups: await personGroups(ctx, client) } : {}),
  });
}

/**
 * The groups the exec policy's group rules are matched against: the signed-in (or impersonated)
 * person's, or in local mode the kubeconfig user's as Kubernetes reports them (SelfSubjectReview,
 * cached). Not knowing them refuses the action rather than guessing (a group rule may be the strict one).
 */
async function personGroups(ctx: ServerContext, client: KubeClient): Promise<string[]> {
  if (client.identity !== null) return client.identity.groups;
  try {
    return (await ctx.access.whoAmI(client)).groups;
  } catch (err) {
    throw new PodscopeError(
      502,
      `Podscope could not find out your groups, which the exec policy's rules need: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/** Where an action happens, as the audit record names it. */
export interface ActionTarget {
  namespace: string;
  pod: string;
  /** Null where the action targets no container. */
  container: string | null;
}

/** Proof that the policy allowed an action; only authorize() makes one. */
export interface Authorization {
  readonly decision: Exclude<ActionDecision, { verdict: 'refuse' }>;
  readonly target: ActionTarget;
  readonly brand: typeof AUTHORIZED;
}
const AUTHORIZED: unique symbol = Symbol('authorized');

const SESSION_KIND: Record<ActionRequest['action'], SessionStart['kind']> = {
  terminal: 'exec',
  'file-list': 'file-list',
  'file-download': 'file-download',
  'file-upload': 'file-upload',
  'debug-container': 'debug',
  'pod-copy': 'copy',
  'node-debug': 'node-debug',
};

/**
 * Decides. A refusal is written to the audit trail (start and end, outcome refused) and thrown as a
 * 403 with the sentence; nothing else happens.
 */
export async function authorize(
  ctx: ServerContext,
  req: FastifyRequest,
  client: KubeClient,
  target: ActionTarget,
  request: ActionRequest,
  details: Record<string, unknown> = {},
): Promise<Authorization> {
  const policy = await policyAt(ctx, client, target.namespace);
  const decision = decideAction(policy, request);
  if (decision.verdict !== 'refuse') return { decision, target, brand: AUTHORIZED };
  const err = new PodscopeError(403, decision.reason);
  await recordRefusal(ctx, req, client, {
    ...target,
    kind: SESSION_KIND[request.action],
    command: [],
    policy: decisionLabel(decision),
    details: { ...details, action: request.action, profile: request.profile ?? null },
    reason: decision.reason,
  });
  throw err;
}

/** A refused attempt, in one record that starts and ends at once. Never throws. */
export async function recordRefusal(
  ctx: ServerContext,
  req: FastifyRequest,
  client: KubeClient,
  rec: Omit<SessionStart, 'identity' | 'startedAt' | 'cluster' | 'clientAddress'> & { reason: string },
): Promise<void> {
  const { reason, ...start } = rec;
  try {
    const id = await ctx.audit.startSession({
      ...start,
      identity: auditIdentity(ctx, req, client),
      startedAt: new Date(),
      cluster: client.cluster.name,
      clientAddress: req.ip ?? null,
      replica: ctx.replica,
    });
    await endAudit(ctx, id, { error: reason, outcome: { result: 'refused', reason } });
  } catch (err) {
    req.log.warn({ err }, 'could not record a refused action');
  }
}

export type AuditStart = Omit<
  SessionStart,
  'identity' | 'startedAt' | 'cluster' | 'clientAddress' | 'policy' | 'namespace' | 'pod' | 'container'
> &
  Partial<ActionTarget>;

/** A started audit session. */
export interface AuditHandle {
  id: SessionId;
  startedAt: number;
}

/** Writes the start record of an authorized action; refuses it (503) when the record cannot be written. */
export async function startAudit(
  ctx: ServerContext,
  req: FastifyRequest,
  client: KubeClient,
  allowed: Authorization,
  rec: AuditStart,
): Promise<AuditHandle> {
  const startedAt = new Date();
  try {
    const id = await ctx.audit.startSession({
      ...allowed.target,
      ...rec,
      policy: decisionLabel(allowed.decision),
      identity: auditIdentity(ctx, req, client),
      startedAt,
      cluster: client.cluster.name,
      clientAddress: req.ip ?? null,
      // A copy or node pod outlives this process (its lease is the pod's); everything else ends with it.
      replica: ownedByReplica(rec.kind) ? ctx.replica : null,
    });
    return { id, startedAt: startedAt.getTime() };
  } catch (err) {
    throw new PodscopeError(
      503,
      `Podscope could not write the audit record, so it did not ${describe(rec.kind)}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

function describe(kind: SessionStart['kind']): string {
  switch (kind) {
    case 'debug':
      return 'start the debug container';
    case 'copy':
      return 'copy the pod';
    case 'node-debug':
      return 'start the node debug pod';
    case 'file-download':
      return 'start the download';
    case 'file-upload':
      return 'start the upload';
    case 'file-list':
      return 'list the directory';
    default:
      return 'go ahead';
  }
}

/**
 * Ends a session; `outcome` keeps what the action produced (e.g. size and sha256 of a transferred file).
 * While the store is down the end is retried in the background (end-session.ts); never throws.
 */
export async function endAudit(
  ctx: Pick<ServerContext, 'audit' | 'log'>,
  session: AuditHandle | SessionId,
  end: Partial<SessionEnd>,
): Promise<void> {
  const id = typeof session === 'string' ? session : session.id;
  await endSessionSurvivingOutage(
    ctx.audit,
    id,
    { exitCode: null, endedAt: new Date(), bytesIn: 0, bytesOut: 0, ...end },
    ctx.log,
  );
}

/**
 * Ends a session whose action failed. Kubernetes RBAC (403) and what the container cannot do for the
 * policy (422: no shell, no way to switch user) are refusals; anything else is an error.
 */
export async function endAuditFailed(
  ctx: Pick<ServerContext, 'audit' | 'log'>,
  session: AuditHandle | SessionId,
  err: unknown,
  end: Partial<SessionEnd> = {},
): Promise<void> {
  const { status, error } = toErrorBody(err);
  const refused = status === 403 || status === 422;
  await endAudit(ctx, session, {
    ...end,
    error,
    ...(refused ? { outcome: { ...end.outcome, result: 'refused', reason: error } } : {}),
  });
}
