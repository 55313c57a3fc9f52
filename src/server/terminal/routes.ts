/**
 * Web terminal: an interactive TTY exec into a running container, under the exec policy, audited and
 * recorded.
 *
 * GET /api/clusters/:cluster/namespaces/:namespace/pods/:pod/terminal/policy[?container=NAME]
 *   → 200 {policy: 'root-allowed'|'non-root'|'no-exec', user?: number|string, source:
 *     'config'|'namespace-label'|'default', reason: string}   (show it before connecting)
 *
 * WebSocket /api/clusters/:cluster/namespaces/:namespace/pods/:pod/terminal
 *     ?container=NAME          optional when the pod has one container (or a default-container annotation)
 *     &command=WORD…           optional, repeatable: one argv word each (never parsed by a shell);
 *                              absent → a shell is chosen automatically (bash, then sh)
 *     &cols=80&rows=24         initial size, 1..1000 each (default 80×24)
 *
 *   The upgrade is refused (HTTP 403) when the Origin header is a foreign site (app.ts verifyClient).
 *
 *   Browser → server
 *     binary frame: raw terminal input (what xterm.js `onData`/`onBinary` gives, UTF-8), ≤ 64 KiB per
 *       frame — split larger pastes. A larger frame closes the socket with code 1009 (Message Too Big).
 *       Input sent before `ready` is held (not lost) until the exec stream is open.
 *     text frame: JSON control message, ≤ 4 KiB: {"type":"resize","cols":C,"rows":R} (1..1000 each).
 *       Anything else is answered with a non-fatal error (the session continues).
 *   Server → browser
 *     binary frame: raw terminal output (stdout and stderr merged, as a TTY does), UTF-8 bytes that may
 *       split a character across frames — feed them to xterm.js `write(Uint8Array)`.
 *     text frame: JSON, one of
 *       {type:'ready', sessionId, policy, user: number|null, shell: string|null, command: string[],
 *        protocol: 'v5.channel.k8s.io'|'v4.channel.k8s.io'}   — the audit record and recording exist,
 *        the process runs; sessionId is the audit session (GET /api/audit/sessions/:id).
 *       {type:'exit', code: number|null, message}   — the process ended (code null: unknown, e.g. the
 *        container stopped); the socket then closes with 1000.
 *       {type:'error', status, message, fatal: boolean} — fatal: nothing was opened, or the session
 *        had to end; the socket then closes (1008 for 4xx, 1011 for 5xx). Statuses: 400 bad parameter
 *        or control message, 403 exec policy no-exec or RBAC, 404 unknown cluster/namespace/pod,
 *        409 container not running, 422 no shell in the image (use a debug container) or the
 *        non-root user cannot be entered, 502/503 Kubernetes or the audit store/recording failed.
 *   Closing the socket (or the tab) ends the process in the container. Token login and single sign-on:
 *   when the person's login session ends (signed out here or on another replica, timed out) a fatal
 *   `{type:'error', status: 401}` says so and the socket closes with 4401; the record says `session ended`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { V1Pod } from '@kubernetes/client-node';
import type { WebSocket } from 'ws';
import { badRequest, PodscopeError, toErrorBody } from '../http/errors.js';
import { containerParam, namespaceParam, podParam, readQuery } from '../http/params.js';
import { containerStatus } from '../kube/pods.js';
import { clientFor, namespaceAndPod, type ServerContext } from '../context.js';
import { randomUUID } from 'node:crypto';
import { findShell, hasEnv, resolveUserSwitch, SESSION_TAG_VARIABLE } from './container-probes.js';
import { decisionLabel } from '../policy/action-policy.js';
import { auditIdentity, authorize, policyAt, recordRefusal } from '../policy/gate.js';
import { parseCommand, parseSize, type TerminalServerMessage } from './protocol.js';
import { TerminalSession } from './terminal-session.js';
import { closeSocket } from '../ws/close-reason.js';

type PodParams = { cluster: string; namespace: string; pod: string };

export function terminalRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const base = '/api/clusters/:cluster/namespaces/:namespace/pods/:pod/terminal';
  const sessions = new Set<TerminalSession>();
  app.addHook('onClose', async () => {
    await Promise.all([...sessions].map((s) => s.close()));
  });
  // On SIGTERM, before the streams are closed: each record says "server shutdown", recordings flushed.
  app.shutdown.add('end-sessions', 'terminals', async () => {
    await Promise.all([...sessions].map((s) => s.shutdown()));
  });

  app.get<{ Params: PodParams }>(`${base}/policy`, async (req) => {
    const q = readQuery(req.query, ['container']);
    if (q.container !== undefined) containerParam(q.container);
    podParam(req.params.pod);
    const client = clientFor(ctx, req, req.params.cluster);
    return policyAt(ctx, client, namespaceParam(req.params.namespace));
  });

  app.get<{ Params: PodParams }>(base, { websocket: true }, async (socket, req) => {
    // Hold what the browser sends until the exec stream is open (TerminalSession resumes).
    socket.pause();
    try {
      const q = terminalQuery(req.query);
      const client = clientFor(ctx, req, req.params.cluster);
      const pod = podParam(req.params.pod);
      const [namespace, podObject] = await namespaceAndPod(client, req.params.namespace, pod);
      const container = runningContainer(podObject, q.container);
      const ref = { namespace, pod, container };
      const allowed = await authorize(
        ctx,
        req,
        client,
        ref,
        { action: 'terminal' },
        {
          requestedCommand: q.command,
        },
      );
      const policy = allowed.decision.policy;
      // Probes (which shell, `env`, the user switch) run before the session's record; a probe that
      // refuses the session (no shell, no way to become the policy's user) is recorded as a refusal.
      let shell: string | null = null;
      let cleanupTag: string | null = null;
      let argv: string[];
      let switchedTo: { uid: number; tool: string } | null = null;
      try {
        // The shell and `env` probes at once: one round trip to the container.
        const [foundShell, withEnv] = await Promise.all([
          q.command === null ? findShell(client, ref) : null,
          hasEnv(client, ref),
        ]);
        shell = foundShell;
        cleanupTag = withEnv ? `${SESSION_TAG_VARIABLE}=${randomUUID()}` : null;
        const userArgv = q.command ?? [shell as string];
        argv = cleanupTag === null ? userArgv : ['env', cleanupTag, ...userArgv];
        if (allowed.decision.verdict === 'allow-as-user') {
          const sw = await resolveUserSwitch(client, ref, allowed.decision.user);
          argv = sw.wrap(argv);
          switchedTo = { uid: sw.uid, tool: sw.tool };
        }
      } catch (err) {
        const { status, error } = toErrorBody(err);
        if (status === 403 || status === 422) {
          await recordRefusal(ctx, req, client, {
            ...ref,
            kind: 'exec',
            command: q.command ?? [],
            policy: decisionLabel(allowed.decision),
            details: { tty: true, requestedCommand: q.command },
            reason: error,
          });
        }
        throw err;
      }
      const session = new TerminalSession(socket, {
        audit: ctx.audit,
        recordingMaxBytes: ctx.recordingMaxBytes,
        replica: ctx.replica,
        log: req.log,
      });
      sessions.add(session);
      socket.once('close', () => sessions.delete(session));
      // Signed out (here or elsewhere), timed out: the record says so before the socket closes.
      ctx.sessionStreams?.onSessionEnd(socket, (cause) => void session.sessionEnded(cause));
      await session.start({
        client,
        cluster: client.cluster.name,
        ...ref,
        argv,
        shell,
        requested: q.command,
        policy,
        switchedTo,
        identity: auditIdentity(ctx, req, client),
        clientAddress: req.socket.remoteAddress ?? null,
        cols: q.cols,
        rows: q.rows,
        cleanupTag,
      });
    } catch (err) {
      fail(socket, err, req);
    }
  });
}

function terminalQuery(raw: unknown) {
  const { command, ...rest } = (raw ?? {}) as Record<string, unknown>;
  const q = readQuery(rest, ['container', 'cols', 'rows']);
  const argv = parseCommand(command);
  if (!argv.ok) throw badRequest(argv.error);
  const size = parseSize(q.cols ?? '80', q.rows ?? '24', true);
  if (!size.ok) throw badRequest(size.error);
  return {
    container: q.container === undefined ? undefined : containerParam(q.container),
    command: argv.value,
    ...size.value,
  };
}

/** The named container (or the pod's default one), which must be running. */
function runningContainer(pod: V1Pod, requested: string | undefined): string {
  const name = pod.metadata?.name ?? '';
  const all = [
    ...(pod.spec?.containers ?? []),
    ...(pod.spec?.initContainers ?? []),
    ...(pod.spec?.ephemeralContainers ?? []),
  ].map((c) => c.name);
  let container = requested;
  if (container === undefined) {
    const dflt = pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
    const apps = (pod.spec?.containers ?? []).map((c) => c.name);
    if (dflt !== undefined && all.includes(dflt)) container = dflt;
    else if (apps.length === 1) container = apps[0];
    else
      throw badRequest(
        `Pod "${name}" has several containers (${apps.join(', ')}); choose one with ?container=.`,
      );
  }
  if (container === undefined || !all.includes(container)) {
    throw badRequest(`Pod "${name}" has no container "${container}"; its containers are: ${all.join(', ')}.`);
  }
  const state = containerStatus(pod, container)?.state;
  if (state?.running) return container;
  const why = state?.waiting
    ? `waiting: ${state.waiting.reason ?? 'unknown reason'}`
    : state?.terminated
      ? `terminated: ${state.terminated.reason ?? 'exit code ' + state.terminated.exitCode}`
      : 'not started';
  throw new PodscopeError(
    409,
    `Container "${container}" is not running (${why}); a terminal needs a running container.` +
      (state?.waiting?.reason === 'CrashLoopBackOff' ? ' Debug a copy of the pod instead.' : ''),
  );
}

function fail(socket: WebSocket, err: unknown, req: FastifyRequest): void {
  const body = toErrorBody(err);
  if (body.status >= 500) req.log.warn({ err }, 'terminal failed');
  const message: TerminalServerMessage = {
    type: 'error',
    status: body.status,
    message: body.error,
    fatal: true,
  };
  if (socket.readyState !== socket.OPEN) return;
  socket.resume(); // the closing handshake needs to read the browser's close frame
  socket.send(JSON.stringify(message), () =>
    closeSocket(socket, body.status >= 500 ? 1011 : 1008, body.error),
  );
}
