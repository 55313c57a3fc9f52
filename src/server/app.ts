// Wires the capabilities into one HTTP server. Each folder registers its own routes.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import type { AuditStore } from './audit/audit-store.js';
import { recoverInterruptedSessions } from './terminal/recovery.js';
import { auditRoutes } from './audit/routes.js';
import { openAuditStore } from './audit/open-audit-store.js';
import { RetentionJob } from './audit/retention.js';
import { clusterRoutes } from './clusters/routes.js';
import { resolveDebugConfig, type DebugConfig } from './debug/debug-config.js';
import { debugRoutes } from './debug/routes.js';
import { diagnosisRoutes } from './diagnosis/routes.js';
import { DEFAULT_CONFIG, type PodscopeConfig } from './config/podscope-config.js';
import { eventRoutes } from './events/routes.js';
import { fileRoutes } from './files/routes.js';
import { toErrorBody } from './http/errors.js';
import type { ClusterRegistry } from './kube/cluster-registry.js';
import { logRoutes } from './logs/routes.js';
import { podRoutes } from './pods/routes.js';
import { terminalRoutes } from './terminal/routes.js';
import { frameworkErrorHandler, registerAccessControl } from './access/access-hook.js';
import { defaultReadinessChecks, healthRoutes } from './health/routes.js';
import { ReadinessProbe, type ReadinessCheck } from './health/readiness.js';
import { buildHostAllowlist } from './access/host-allowlist.js';
import type { ServerContext } from './context.js';
import { SHUTDOWN_CLOSE_CODE, SHUTDOWN_CLOSE_REASON } from './lifecycle/drain.js';
import { Shutdown } from './lifecycle/shutdown.js';
import { loggerOptions } from './logging/log-options.js';
import { PodscopeMetrics } from './metrics/metrics.js';
import { metricsRoutes } from './metrics/routes.js';
import { observeKubeRequests } from './kube/kube-client.js';
import { OpenStreams, streamKind } from './ws/open-streams.js';
import { newReplicaId } from './replicas/replica-identity.js';
import { Replicas, resolveReplicaSettings } from './replicas/replicas.js';
import { isLoginSessionStore, type LoginSessionStore } from './auth/login-session-store.js';
import { LoginSessions } from './auth/login-sessions.js';
import { SessionStreamGuard } from './auth/session-stream-guard.js';
import { authRoutes, signedInIdentity } from './auth/routes.js';
import { cookieSettingsFor } from './auth/session-cookie.js';
import type { CredentialSealer } from './auth/session-crypto.js';
import { OidcLogin } from './auth/oidc-login.js';
import type { OidcProviderClientOptions } from './auth/oidc-provider-client.js';
import type { OidcSecrets, OidcSettings } from './auth/oidc-settings.js';
import { KubeApiError } from './http/errors.js';
import { AccessReviews } from './permissions/access-reviews.js';
import { permissionRoutes } from './permissions/routes.js';

export interface AppOptions {
  registry: ClusterRegistry;
  /** Directory of the built web app; omitted or missing → API only. */
  webRoot?: string;
  /**
   * The per-start access token (see src/server/access/). null switches the token off (--no-token), for
   * people who front Podscope with their own authenticating proxy.
   */
  token: string | null;
  /** The address the server listens on; it is one of the names requests may be addressed to. */
  host?: string;
  /** More names requests may be addressed to (--allowed-host NAME or NAME:PORT). */
  allowedHosts?: string[];
  /** Origins accepted besides those of the allowed hosts (--allowed-origin, e.g. a dev server). */
  allowedOrigins?: string[];
  logLevel?: string;
  /** Audit database and recordings live here (without a database URL); default ~/.local/share/podscope. */
  dataDir?: string;
  /**
   * PostgreSQL for audit records and recordings; default the config's `database.url`, and without one
   * SQLite at <dataDir>/audit.db. Ignored when `audit` is given.
   */
  databaseUrl?: string | null;
  /** The store itself (the caller's to close); default: opened from the above and closed with the app. */
  audit?: AuditStore;
  /**
   * The config file's settings (exec policy, recording size cap, limits); defaults when absent. The
   * connection-pool limits take effect where the registry's connections are made.
   */
  config?: PodscopeConfig;
  /** Debug containers, pod copies, node debugging, files (images, limits, timers). */
  debug?: Partial<DebugConfig>;
  /** What `/readyz` checks; default: the current cluster's API server and the audit store. */
  readiness?: ReadinessCheck[];
  /** Counters for /metrics; default a new set (with the process metrics). */
  metrics?: PodscopeMetrics;
  /**
   * At shutdown, how long requests in flight (file transfers) may go on before their connections are
   * cut (which ends their audit records); default 10 s. The CLI sets it from --shutdown-timeout.
   */
  requestDrainMs?: number;
  /** This process's replica id; default a new one (pod or host name plus a random part). */
  replicaId?: string;
  /**
   * Token login (platform mode): people sign in with a Kubernetes bearer token and every call of theirs
   * is made with it. Needs `token: null` (there is no shared access token for people then).
   */
  tokenLogin?: TokenLoginOptions;
  /**
   * Single sign-on (platform mode): people sign in with an OpenID provider; their calls are made by
   * impersonation or with their ID token (settings.identityMode). Needs `token: null`; excludes tokenLogin.
   */
  oidcLogin?: OidcLoginAppOptions;
}

export interface OidcLoginAppOptions {
  settings: OidcSettings;
  secrets: OidcSecrets;
  /** Seals the sign-in flow cookie and the tokens in the session rows (a key every replica shares). */
  sealer: CredentialSealer;
  /** Default: the audit store. */
  store?: LoginSessionStore;
  /** The cluster people act on; default the registry's current one. */
  cluster?: string;
  /** Tests: wraps the fetch of every request to the provider. */
  client?: OidcProviderClientOptions;
}

export interface TokenLoginOptions {
  /** Seals the people's tokens in the session rows (a key every replica shares). */
  sealer: CredentialSealer;
  /** Where people reach Podscope; https: makes the session cookie Secure. */
  publicUrl: URL | null;
  /** Default: the audit store (both real stores keep login sessions). */
  store?: LoginSessionStore;
  /** The cluster tokens are checked against; default the registry's current one. */
  cluster?: string;
}

/** Paths that still answer while the server drains: probes and metrics. */
const DRAIN_OPEN_PATHS = ['/healthz', '/readyz', '/metrics'];

export const defaultDataDir = () =>
  path.join(process.env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share'), 'podscope');

export const defaultWebRoot = () =>
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/web');

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const hosts = buildHostAllowlist({
    bindHost: opts.host ?? '127.0.0.1',
    allowedHosts: opts.allowedHosts,
    interfaceAddresses: Object.values(os.networkInterfaces()).flatMap((list) =>
      (list ?? []).map((i) => i.address),
    ),
  });
  const app = Fastify({
    ...loggerOptions(opts.logLevel ?? 'warn'),
    bodyLimit: 1024 * 1024,
    // Pod and object names are up to 253 characters, cluster names more once percent-encoded
    // (Fastify's default of 100 answered longer ones with 414).
    routerOptions: { maxParamLength: 1024 },
    frameworkErrors: frameworkErrorHandler(hosts),
  });
  const config = opts.config ?? DEFAULT_CONFIG;
  const audit =
    opts.audit ??
    openAuditStore({
      databaseUrl: opts.databaseUrl ?? config.database.url,
      dataDir: opts.dataDir ?? defaultDataDir(),
      log: app.log,
    });
  const retention =
    config.audit.retentionDays === null
      ? undefined
      : new RetentionJob({ store: audit, retentionDays: config.audit.retentionDays, log: app.log });
  const metrics = opts.metrics ?? new PodscopeMetrics();
  const stopObservingKube = observeKubeRequests((o) => metrics.kubeRequest(o));
  const shutdown = new Shutdown();
  app.decorate('shutdown', shutdown);
  const replicas = new Replicas(
    opts.replicaId ?? newReplicaId(),
    { audit, registry: opts.registry, log: app.log },
    resolveReplicaSettings(config.replicas, opts.registry.list()),
  );
  let sessions: LoginSessions | null = null;
  let oidcLogin: OidcLogin | null = null;
  /** Token login and single sign-on: each WebSocket ends with the login session it was opened under. */
  let sessionStreams: SessionStreamGuard | null = null;
  const login = opts.tokenLogin ?? opts.oidcLogin;
  if (opts.tokenLogin !== undefined && opts.oidcLogin !== undefined) {
    throw new Error('token login and single sign-on exclude each other');
  }
  if (login !== undefined) {
    if (opts.token !== null) throw new Error('signing people in replaces the access token: pass token: null');
    const store = login.store ?? (isLoginSessionStore(audit) ? audit : undefined);
    if (store === undefined) throw new Error('signing people in needs a store that keeps login sessions');
    const cluster = login.cluster ?? opts.registry.list().find((c) => c.current)?.name;
    if (cluster === undefined) throw new Error('signing people in needs a cluster to act on');
    const cookie = cookieSettingsFor(
      opts.oidcLogin?.settings.publicUrl ?? opts.tokenLogin?.publicUrl ?? null,
    );
    if (opts.oidcLogin !== undefined) {
      oidcLogin = new OidcLogin({
        settings: opts.oidcLogin.settings,
        secrets: opts.oidcLogin.secrets,
        sealer: login.sealer,
        store,
        cluster,
        config: config.auth,
        cookie,
        replica: replicas.id,
        log: app.log,
        ...(opts.oidcLogin.client === undefined ? {} : { client: opts.oidcLogin.client }),
      });
    }
    sessions = new LoginSessions({
      store,
      sealer: login.sealer,
      registry: opts.registry,
      cluster,
      config: config.auth,
      cookie,
      log: app.log,
      ...(oidcLogin === null ? {} : { oidc: oidcLogin }),
    });
    oidcLogin?.attach(sessions);
    const resolver = sessions;
    sessionStreams = new SessionStreamGuard({
      check: (idHash, lastInputAt) => resolver.checkStreams(idHash, lastInputAt),
      intervalMs: config.auth.streamCheckMs,
      log: app.log,
    });
    const guard = sessionStreams;
    sessions.onSessionEnded((idHash, cause) => guard.sessionEnded(idHash, cause));
  }
  const ctx: ServerContext = {
    registry: opts.registry,
    identityFor: sessions === null ? () => null : signedInIdentity,
    log: app.log,
    // Counts the sessions started and ended here (the raw store is what readiness checks and closes).
    audit: metrics.meterAuditStore(audit),
    execPolicy: config.execPolicy,
    recordingMaxBytes: config.recording.maxBytes,
    limits: config.limits,
    replica: replicas.id,
    leadership: replicas,
    access: new AccessReviews(),
    ...(sessionStreams === null ? {} : { sessionStreams }),
  };

  app.setErrorHandler(async (err, req, reply) => {
    let failure: unknown = err;
    // Kubernetes refusing a person's own token (expired, revoked): their session is over. (With
    // impersonation the call carried Podscope's credentials: a 401 is Podscope's problem, not theirs.)
    if (
      sessions !== null &&
      req.loginSession !== null &&
      req.loginSession.identity.credential !== undefined &&
      err instanceof KubeApiError &&
      err.status === 401
    ) {
      await sessions.end(req.loginSession.idHash, 'token-refused');
      failure = LoginSessions.tokenRefused();
      void reply.header('Set-Cookie', sessions.clearCookie());
    }
    const body = toErrorBody(failure);
    if (body.status >= 500) req.log.error({ err }, 'request failed');
    return reply.code(body.status).send(body);
  });

  // WebSocket upgrades pass through the same onRequest hooks as HTTP before they are accepted, so the
  // access rules (host, token, origin) apply to both.
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
  const streams = new OpenStreams(metrics);
  // The login session each upgrade was accepted under (set once the sign-in hook has resolved it).
  const upgradeSessions = new WeakMap<object, string>();
  app.websocketServer.on('connection', (ws, raw) => {
    const kind = streamKind(raw.url ?? '');
    streams.track(ws, kind);
    const session = upgradeSessions.get(raw);
    if (session !== undefined) sessionStreams?.track(ws, session, kind);
  });
  registerAccessControl(app, { hosts, allowedOrigins: opts.allowedOrigins ?? [], token: opts.token });
  app.addHook('onSend', async (req, reply, payload) => {
    void reply.header('X-Request-Id', req.id);
    // A kept-alive connection would hold the drain until its idle timeout: end each one after its answer.
    if (shutdown.draining) void reply.header('Connection', 'close');
    return payload;
  });
  // While draining, nothing new starts here (a request on a kept-alive connection, a WebSocket upgrade):
  // the client retries and the Service sends it to another replica.
  app.addHook('onRequest', async (req, reply) => {
    if (!shutdown.draining || DRAIN_OPEN_PATHS.includes(req.url.split('?')[0] ?? '')) return;
    return reply
      .code(503)
      .header('Connection', 'close')
      .header('Retry-After', '1')
      .send({ status: 503, error: 'Podscope is shutting down on this replica; try again.' });
  });

  const readiness = new ReadinessProbe(opts.readiness ?? defaultReadinessChecks(opts.registry, audit), {
    onChange: (c) =>
      c.ok
        ? app.log.info({ check: c.name }, 'readiness check passes')
        : app.log.warn(
            { check: c.name, reason: c.error },
            'readiness check fails: this replica is not ready',
          ),
  });
  healthRoutes(app, readiness, () => shutdown.draining);
  metricsRoutes(app, metrics);
  authRoutes(
    app,
    oidcLogin !== null ? 'oidc' : sessions !== null ? 'token-login' : 'access-token',
    sessions,
    oidcLogin,
  );
  if (sessionStreams !== null) {
    // Runs after every onRequest hook (the sign-in one included) and before the upgrade is accepted.
    app.addHook('preHandler', async (req) => {
      if (req.ws && req.loginSession !== null) upgradeSessions.set(req.raw, req.loginSession.idHash);
    });
  }
  clusterRoutes(app, ctx);
  podRoutes(app, ctx);
  logRoutes(app, ctx);
  eventRoutes(app, ctx);
  diagnosisRoutes(app, ctx);
  terminalRoutes(app, ctx);
  auditRoutes(app, ctx, config.audit);
  // The config file's debug section, then what the caller sets (tests shorten the timers).
  const debugConfig = resolveDebugConfig({ ...(opts.config ?? DEFAULT_CONFIG).debug, ...opts.debug });
  debugRoutes(app, ctx, debugConfig);
  fileRoutes(app, ctx, debugConfig);
  permissionRoutes(app, ctx, debugConfig);

  const webRoot = opts.webRoot ?? defaultWebRoot();
  const haveWeb = existsSync(path.join(webRoot, 'index.html'));
  if (haveWeb) await app.register(fastifyStatic, { root: webRoot, wildcard: false });
  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api/') || req.method !== 'GET' || !haveWeb) {
      return reply
        .code(404)
        .send({ status: 404, error: `There is no endpoint ${req.method} ${req.url.split('?')[0]}.` });
    }
    // Client-side routes (shareable URLs) all load the app.
    return reply.sendFile('index.html');
  });
  // Sessions a killed Podscope left open: end their processes and records (in the background).
  app.addHook('onReady', async () => {
    // Warns once per cluster outside the supported Kubernetes versions (the UI shows it too).
    void opts.registry.checkVersions(app.log);
    void recoverInterruptedSessions(audit, opts.registry, app.log).catch((err: unknown) =>
      app.log.warn({ err }, 'could not recover interrupted terminal sessions'),
    );
    retention?.start();
    sessions?.startExpirySweep();
    sessionStreams?.start();
    replicas.start();
  });
  shutdownSteps(app, shutdown, streams, opts.requestDrainMs ?? 10_000);
  shutdown.onStart(() => {
    metrics.setShuttingDown();
    app.log.info({ openStreams: streams.count() }, 'shutting down: not ready, taking no new connections');
  });
  app.addHook('onClose', async () => {
    stopObservingKube();
    await replicas.stop();
    opts.registry.close();
    await retention?.stop();
    sessions?.stopExpirySweep();
    await sessionStreams?.stop();
    if (opts.audit === undefined) await audit.close();
  });
  return app;
}

/**
 * The app's own part of a shutdown (the capabilities add theirs, e.g. terminals end their sessions):
 * stop listening and drop idle connections; after the sessions, close every remaining browser stream
 * with 1012 "reconnect"; let requests in flight finish for a while, then cut them; close the app.
 */
function shutdownSteps(
  app: FastifyInstance,
  shutdown: Shutdown,
  streams: OpenStreams,
  requestDrainMs: number,
) {
  let serverClosed: Promise<void> = Promise.resolve();
  shutdown.add('stop-accepting', 'listener', async () => {
    if (!app.server.listening) return;
    serverClosed = new Promise((resolve) => app.server.close(() => resolve()));
    app.server.closeIdleConnections();
  });
  shutdown.add('close-streams', 'browser streams', () =>
    streams.closeAll(SHUTDOWN_CLOSE_CODE, SHUTDOWN_CLOSE_REASON, 5000),
  );
  shutdown.add('finish-requests', 'requests in flight', async () => {
    let timer: NodeJS.Timeout | undefined;
    // Connections whose last request finished since the listener closed are idle now: close them.
    const idle = setInterval(() => app.server.closeIdleConnections(), 200);
    const waited = await Promise.race([
      serverClosed.then(() => 'done' as const),
      new Promise<'cut'>((r) => (timer = setTimeout(() => r('cut'), requestDrainMs))),
    ]);
    clearTimeout(timer);
    clearInterval(idle);
    if (waited === 'cut') {
      app.log.warn('shutting down: cutting the requests still in flight');
      app.server.closeAllConnections();
      // Their handlers end the audit records of what they were doing (aborted transfers).
      await new Promise((r) => setTimeout(r, 1000));
    }
  });
  shutdown.add('close-app', 'app', () => app.close());
}
