/**
 * The audit trail over HTTP, for the audit page.
 *
 * GET /api/audit/sessions?user=&cluster=&namespace=&pod=&kind=&from=&to=&limit=&before=
 *   from/to: RFC 3339 (from inclusive, to exclusive); limit 1..500 (default 50); before: the previous
 *   page's nextCursor. → {sessions: AuditSessionView[], nextCursor: string|null}, newest first.
 * GET /api/audit/sessions/:id → AuditSessionView & {commands: [{line, at, time, flags}]}
 * GET /api/audit/sessions/:id/recording.cast[?download=true] → the asciicast v2 file
 *   (application/x-asciicast; download=true adds Content-Disposition: attachment), streamed from the audit
 *   store (a file, or PostgreSQL chunks any replica serves). While the session runs, it is the recording
 *   so far.
 *
 * In platform mode a signed-in user sees only their own sessions (there is no auditor role yet).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  AuditStoreError,
  SESSION_KINDS,
  type SessionFilter,
  type SessionKind,
  type SessionRecord,
  type SessionWithCommands,
} from './audit-store.js';
import { badRequest, notFound, PodscopeError } from '../http/errors.js';
import { boolParam, intParam, readQuery, timeParam } from '../http/params.js';
import type { ServerContext } from '../context.js';
import type { AuditCommandView, AuditSessionView } from '../../shared/audit/api.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function auditRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/audit/sessions', async (req) => {
    const q = readQuery(req.query, [
      'user',
      'cluster',
      'namespace',
      'pod',
      'kind',
      'from',
      'to',
      'limit',
      'before',
    ]);
    const filter: SessionFilter = {};
    for (const key of ['user', 'cluster', 'namespace', 'pod', 'before'] as const) {
      const v = q[key];
      if (v === undefined) continue;
      if (v === '' || v.length > 256) throw badRequest(`${key} must be 1 to 256 characters.`);
      filter[key] = v;
    }
    if (q.kind !== undefined) {
      if (!(SESSION_KINDS as readonly string[]).includes(q.kind)) {
        throw badRequest(`kind must be one of ${SESSION_KINDS.join(', ')}.`);
      }
      filter.kind = q.kind as SessionKind;
    }
    const from = timeParam(q.from, 'from');
    const to = timeParam(q.to, 'to');
    if (from !== undefined) filter.from = new Date(from);
    if (to !== undefined) filter.to = new Date(to);
    const limit = intParam(q.limit, 'limit', 1, 500);
    if (limit !== undefined) filter.limit = limit;
    const own = ownUser(ctx, req);
    if (own !== null) filter.user = own;
    const page = await store(() => ctx.audit.listSessions(filter));
    return { sessions: page.sessions.map(view), nextCursor: page.nextCursor };
  });

  app.get<{ Params: { id: string } }>('/api/audit/sessions/:id', async (req) => {
    readQuery(req.query, []);
    const s = await visibleSession(ctx, req, req.params.id);
    return {
      ...view(s),
      commands: s.commands.map((c): AuditCommandView => ({
        line: c.line,
        at: c.at,
        time: new Date(s.startedAt.getTime() + c.at).toISOString(),
        flags: c.flags,
      })),
    };
  });

  app.get<{ Params: { id: string } }>('/api/audit/sessions/:id/recording.cast', async (req, reply) => {
    const q = readQuery(req.query, ['download']);
    const download = boolParam(q.download, 'download', false);
    const s = await visibleSession(ctx, req, req.params.id);
    const recording = await store(() => ctx.audit.readRecording(s.id));
    if (recording === undefined) throw notFound(`Audit session ${s.id} has no recording.`);
    reply.header('Content-Type', 'application/x-asciicast; charset=utf-8');
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Cache-Control', 'no-store');
    if (download) reply.header('Content-Disposition', `attachment; filename="${castFileName(s)}"`);
    return reply.send(recording);
  });
}

async function visibleSession(
  ctx: ServerContext,
  req: FastifyRequest,
  id: string,
): Promise<SessionWithCommands> {
  if (!UUID.test(id)) throw badRequest(`"${id.slice(0, 40)}" is not an audit session id.`);
  const s = await store(() => ctx.audit.getSession(id));
  const own = ownUser(ctx, req);
  if (s === undefined || (own !== null && s.identity.user !== own))
    throw notFound(`There is no audit session ${id}.`);
  return s;
}

/** Platform mode: the signed-in user, who may only see their own sessions. Local mode: null (all). */
function ownUser(ctx: ServerContext, req: FastifyRequest): string | null {
  return ctx.identityFor(req)?.user ?? null;
}

async function store<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof AuditStoreError) {
      const status = err.code === 'invalid' ? 400 : err.code === 'not-found' ? 404 : 503;
      throw new PodscopeError(status, `Audit store: ${err.message}`, { cause: err });
    }
    throw err;
  }
}

export function view(s: SessionRecord): AuditSessionView {
  return {
    id: s.id,
    user: s.identity.user,
    groups: s.identity.groups,
    startedAt: s.startedAt.toISOString(),
    endedAt: s.endedAt?.toISOString() ?? null,
    durationMs: s.endedAt === null ? null : s.endedAt.getTime() - s.startedAt.getTime(),
    cluster: s.cluster,
    namespace: s.namespace,
    pod: s.pod,
    container: s.container,
    kind: s.kind,
    command: s.command,
    policy: s.policy,
    clientAddress: s.clientAddress,
    details: s.details,
    exitCode: s.exitCode,
    bytesIn: s.bytesIn,
    bytesOut: s.bytesOut,
    error: s.error,
    outcome: s.outcome,
    recordingUrl: s.recordingPath === null ? null : `/api/audit/sessions/${s.id}/recording.cast`,
    recordingTruncatedAt: s.recordingTruncatedAt?.toISOString() ?? null,
    replica: s.replica,
  };
}

function castFileName(s: SessionRecord): string {
  const stamp = s.startedAt.toISOString().replace(/[:.]/g, '-');
  return `${s.pod}_${s.container ?? 'pod'}_${stamp}.cast`.replace(/[^A-Za-z0-9._-]/g, '_');
}
