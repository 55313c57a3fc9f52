/**
 * The audit trail over HTTP, for the audit page.
 *
 * GET /api/audit/sessions?user=&subject=&cluster=&namespace=&pod=&kind=&from=&to=&limit=&before=
 *   from/to: RFC 3339 (from inclusive, to exclusive); limit 1..500 (default 50); before: the previous
 *   page's nextCursor. → {scope, sessions: AuditSessionView[], nextCursor: string|null}, newest first.
 * GET /api/audit/sessions/:id → AuditSessionView & {commands: [{line, at, time, flags}]}
 * GET /api/audit/sessions/:id/recording.cast[?download=true] → the asciicast v2 file
 *   (application/x-asciicast; download=true adds Content-Disposition: attachment), streamed from the audit
 *   store (a file, or PostgreSQL chunks any replica serves). While the session runs, it is the recording
 *   so far.
 *
 * Who reads what (audit-people.ts), enforced here: a signed-in person reads their own sessions, a member
 * of a configured auditor group (`audit.auditorGroups`) everyone's, local mode everything. Someone else's
 * session is a 404, as if it did not exist. Opening another person's recording is itself recorded (an
 * `audit-view` session naming the viewer, the session and its owner) before the first byte is sent; when
 * that record cannot be written, the recording is not sent (503).
 */
import type { ServerResponse } from 'node:http';
import { pipeline, Transform, type Readable } from 'node:stream';
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
import type { AuditCommandView, AuditSessionPage, AuditSessionView } from '../../shared/audit/api.js';
import {
  auditAccess,
  canRead,
  readableFilter,
  viewNeedsRecord,
  viewPolicy,
  type AuditAccess,
} from './audit-people.js';
import { endAudit } from '../policy/gate.js';

export interface AuditRoutesOptions {
  /** Members of these groups read everyone's sessions (config `audit.auditorGroups`). */
  auditorGroups: readonly string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function auditRoutes(app: FastifyInstance, ctx: ServerContext, options: AuditRoutesOptions): void {
  const accessOf = (req: FastifyRequest): AuditAccess =>
    auditAccess(ctx.identityFor(req), options.auditorGroups);

  app.get('/api/audit/sessions', async (req): Promise<AuditSessionPage> => {
    const q = readQuery(req.query, [
      'user',
      'subject',
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
    for (const key of ['user', 'subject', 'cluster', 'namespace', 'pod', 'before'] as const) {
      const v = q[key];
      if (v === undefined) continue;
      const max = key === 'user' || key === 'subject' ? 1024 : 256;
      if (v === '' || v.length > max) throw badRequest(`${key} must be 1 to ${max} characters.`);
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
    const access = accessOf(req);
    const readable = readableFilter(access, filter);
    if (readable === null) return { scope: access.scope, sessions: [], nextCursor: null };
    const page = await store(() => ctx.audit.listSessions(readable));
    return { scope: access.scope, sessions: page.sessions.map(view), nextCursor: page.nextCursor };
  });

  app.get<{ Params: { id: string } }>('/api/audit/sessions/:id', async (req) => {
    readQuery(req.query, []);
    const s = await visibleSession(ctx, accessOf(req), req.params.id);
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
    const access = accessOf(req);
    const s = await visibleSession(ctx, access, req.params.id);
    const recording = await store(() => ctx.audit.readRecording(s.id));
    if (recording === undefined) throw notFound(`Audit session ${s.id} has no recording.`);
    let body: Readable = recording;
    const viewer = access.viewer;
    if (viewer !== null && viewNeedsRecord(access, s.identity)) {
      let viewing: string;
      try {
        viewing = await ctx.audit.startSession({
          // Nothing is asked of Kubernetes: the record names the person only.
          identity: viewer,
          startedAt: new Date(),
          cluster: s.cluster,
          namespace: s.namespace,
          pod: s.pod,
          container: s.container,
          kind: 'audit-view',
          command: [],
          policy: viewPolicy(access),
          clientAddress: req.ip ?? null,
          details: { viewedSession: s.id, owner: ownerOf(s), viewedKind: s.kind, download },
          replica: ctx.replica,
        });
      } catch (err) {
        recording.destroy();
        throw new PodscopeError(
          503,
          `Podscope could not write the audit record of this viewing, so it did not send the recording: ${(err as Error).message}`,
          { cause: err },
        );
      }
      body = countedUntilClosed(recording, reply.raw, (bytesOut, error) =>
        endAudit(ctx, viewing, {
          bytesOut,
          ...(error === null ? { outcome: { result: 'sent' } } : { error }),
        }),
      );
    }
    reply.header('Content-Type', 'application/x-asciicast; charset=utf-8');
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Cache-Control', 'no-store');
    if (download) reply.header('Content-Disposition', `attachment; filename="${castFileName(s)}"`);
    return reply.send(body);
  });
}

/** Whose session it was, as the audit-view record names them. */
function ownerOf(s: SessionRecord): Record<string, string> {
  const owner: Record<string, string> = { user: s.identity.user };
  if (s.identity.subject !== undefined) owner['subject'] = s.identity.subject;
  if (s.identity.email !== undefined) owner['email'] = s.identity.email;
  return owner;
}

/**
 * The recording, counting the bytes that pass; `done` is called once the response has closed, with the
 * count and why it stopped early (null: everything was sent).
 */
function countedUntilClosed(
  source: Readable,
  response: ServerResponse,
  done: (bytes: number, error: string | null) => Promise<void>,
): Transform {
  let bytes = 0;
  let failure: string | null = null;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  pipeline(source, counter, (err) => {
    if (err) failure = `the recording could not be read to the end: ${err.message}`;
  });
  response.once('close', () => {
    const error = response.writableFinished
      ? null
      : (failure ?? 'the connection closed before the whole recording was sent');
    void done(bytes, error);
  });
  return counter;
}

async function visibleSession(
  ctx: ServerContext,
  access: AuditAccess,
  id: string,
): Promise<SessionWithCommands> {
  if (!UUID.test(id)) throw badRequest(`"${id.slice(0, 40)}" is not an audit session id.`);
  const s = await store(() => ctx.audit.getSession(id));
  // Someone else's session reads as one that does not exist: its existence is not theirs to know.
  if (s === undefined || !canRead(access, s.identity)) throw notFound(`There is no audit session ${id}.`);
  return s;
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
    subject: s.identity.subject ?? null,
    email: s.identity.email ?? null,
    kube: s.identity.kube ?? null,
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
