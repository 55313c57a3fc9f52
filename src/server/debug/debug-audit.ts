// Audit records of debug containers, pod copies, node pods and file transfers: written before the
// action (no record, no action), ended afterwards. A failed end is logged, never thrown: the action has
// happened and the start record already names it.
import type { FastifyRequest } from 'fastify';
import type { Identity, SessionEnd, SessionId, SessionStart } from '../audit/audit-store.js';
import type { ServerContext } from '../context.js';
import { PodscopeError } from '../http/errors.js';
import type { KubeClient } from '../kube/kube-client.js';

/** The logged-in user, or in local mode the kubeconfig user of the context. */
export function auditIdentity(ctx: ServerContext, req: FastifyRequest, client: KubeClient): Identity {
  const identity = ctx.identityFor(req);
  if (identity !== null) return { user: identity.user, groups: identity.groups };
  const user = client.cluster.kubeConfig.getCurrentUser()?.name ?? 'unknown';
  return { user: `kubeconfig:${user}`, groups: [] };
}

export type AuditStart = Omit<
  SessionStart,
  'identity' | 'startedAt' | 'cluster' | 'clientAddress' | 'policy'
> & {
  policy?: string;
};

/** A started audit session. */
export interface AuditHandle {
  id: SessionId;
  startedAt: number;
}

/** Writes the start record; refuses the action (503) when the audit trail cannot be written. */
export async function startAudit(
  ctx: ServerContext,
  req: FastifyRequest,
  client: KubeClient,
  rec: AuditStart,
): Promise<AuditHandle> {
  const startedAt = new Date();
  try {
    const id = await ctx.audit.startSession({
      ...rec,
      policy: rec.policy ?? '',
      identity: auditIdentity(ctx, req, client),
      startedAt,
      cluster: client.cluster.name,
      clientAddress: req.ip ?? null,
    });
    return { id, startedAt: startedAt.getTime() };
  } catch (err) {
    throw new PodscopeError(
      503,
      `Podscope could not write the audit record, so it did not ${describe(rec)}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

function describe(rec: AuditStart): string {
  switch (rec.kind) {
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
    default:
      return 'go ahead';
  }
}

/** Ends a session; `outcome` keeps what the action produced (e.g. size and sha256 of a transferred file). */
export async function endAudit(
  ctx: Pick<ServerContext, 'audit' | 'log'>,
  session: AuditHandle | SessionId,
  end: Partial<SessionEnd>,
): Promise<void> {
  const id = typeof session === 'string' ? session : session.id;
  try {
    await ctx.audit.endSession(id, { exitCode: null, endedAt: new Date(), bytesIn: 0, bytesOut: 0, ...end });
  } catch (err) {
    ctx.log.warn({ err, session: id }, 'could not end the audit session');
  }
}
