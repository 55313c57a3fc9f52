// `podscope [--kubeconfig PATH] [--context NAME | --in-cluster [--cluster-name NAME]] [--host 127.0.0.1]
//  [--port 7420] [--open] [--data-dir DIR | --database-url URL] [--config FILE] [--allowed-host NAME]…
//  [--allowed-origin ORIGIN]… [--allow-remote] [--no-token | --token-file FILE] [--metrics-port PORT]
//  [--shutdown-timeout SECONDS] [--auth access-token | --auth token-login --session-key-file FILE [--public-url URL]
//  | --auth oidc --session-key-file FILE --public-url URL --oidc-issuer URL --oidc-client-id ID …]`
// and `podscope diagnose …` (src/server/diagnosis/diagnose-command.ts).
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { generateToken } from './access/access-token.js';
import { buildHostAllowlist } from './access/host-allowlist.js';
import { checkListenOptions } from './access/listen-address.js';
import { readTokenFile } from './access/token-file.js';
import { CredentialSealer, readSessionKeyFile } from './auth/session-crypto.js';
import { OIDC_FLAGS, readOidcSecrets, resolveOidcSettings, type OidcFlag } from './auth/oidc-settings.js';
import { buildApp, defaultDataDir, type OidcLoginAppOptions } from './app.js';
import { secureDataDir } from './audit/data-dir.js';
import { checkDatabaseUrl } from './audit/database-url.js';
import { describeAuditStore, openAuditStore } from './audit/open-audit-store.js';
import { DEFAULT_CONFIG, loadConfig, type PodscopeConfig } from './config/podscope-config.js';
import { KubeconfigClusterRegistry } from './kube/cluster-registry.js';
import { chooseKubeSource, inClusterKubeConfig, kubeSourceInputs } from './kube/in-cluster.js';
import { runDiagnoseCommand } from './diagnosis/diagnose-command.js';
import { parseShutdownTimeout, signalAction } from './lifecycle/drain.js';
import { PodscopeMetrics } from './metrics/metrics.js';
import { startMetricsServer, type MetricsServer } from './metrics/routes.js';
import { validateContextName } from '../shared/validation/names.js';

const USAGE = `Usage: podscope [--kubeconfig PATH] [--context NAME | --in-cluster [--cluster-name NAME]]
                [--host 127.0.0.1] [--port 7420] [--open] [--data-dir DIR | --database-url URL]
                [--config FILE] [--allowed-host NAME]… [--allowed-origin ORIGIN]… [--allow-remote]
                [--no-token | --token-file FILE] [--metrics-port PORT] [--shutdown-timeout SECONDS]
                [--auth access-token | --auth token-login --session-key-file FILE [--public-url URL]
                 | --auth oidc --session-key-file FILE --public-url URL --oidc-issuer URL
                   --oidc-client-id ID [--oidc-client-secret-file FILE] [--oidc-ca-file FILE]
                   [--oidc-identity-mode impersonation|token] [--oidc-scopes "openid email …"]
                   [--oidc-username-claim email] [--oidc-groups-claim groups]]

--data-dir        audit database (SQLite) and session recordings (default ~/.local/share/podscope)
--database-url    keep audit records and recordings in PostgreSQL instead, shared by every replica:
                  postgresql://USER:PASSWORD@HOST:5432/DATABASE (or PODSCOPE_DATABASE_URL, or the
                  config's database.url; prefer those two: a command line is visible to other users)
--config          JSON config file: the exec policy per cluster and namespace, recording cap, limits
--open            open the URL (with its token) in the default browser
--allowed-host    another name (or NAME:PORT) the server may be reached by, e.g. behind a proxy;
                  repeatable. Requests addressed to any other name are refused (DNS rebinding).
--allowed-origin  another origin whose pages may call the server (e.g. http://localhost:5173 for the
                  Vite dev server); repeatable
--allow-remote    required for a --host that is not a loopback address: whoever reaches that address
                  (and has the token) acts with your kubeconfig's rights
--no-token        no access token: only for running behind your own authenticating proxy
--token-file      read the access token from FILE instead of making one at each start: replicas
                  behind one Service share it (in Kubernetes, a mounted Secret)
--auth            how people get in: access-token (default: the token above) or token-login (platform
                  mode: each person signs in once with a Kubernetes bearer token, e.g. a ServiceAccount
                  token, and every Kubernetes call of theirs is made with that token — their RBAC decides)
--auth oidc       single sign-on: people sign in with your OpenID provider (authorization code flow
                  with PKCE) and every Kubernetes call of theirs is made as them: impersonation
                  (--oidc-identity-mode impersonation, the default: Podscope's ServiceAccount sends
                  Impersonate-User/-Group, which needs the impersonate rules of the chart) or with
                  their ID token (token: the API server must trust the provider). Settings also come
                  from PODSCOPE_OIDC_ISSUER, _CLIENT_ID, _CLIENT_SECRET_FILE, _CA_FILE and the config's
                  auth.oidc section; the provider sends people back to <public URL>/auth/callback
--oidc-ca-file    a PEM CA bundle trusted for the provider besides the system's (a private CA)
--session-key-file  token-login and oidc: a secret of 32+ characters (e.g. openssl rand -base64 32; one per line,
                  the first encrypts, later ones still decrypt during a rotation) that encrypts the
                  people's tokens in the session database; every replica needs the same file
--public-url      token-login: the URL people open (e.g. https://podscope.example.com); https makes the
                  session cookie Secure, and its host is an allowed host
--in-cluster      run as a pod: the API server of the cluster it runs in, with the pod's
                  ServiceAccount (also chosen when there is no kubeconfig and a pod's token is there)
--cluster-name    the name that cluster is shown under (default in-cluster)
--metrics-port    also serve Prometheus metrics at /metrics on this port, without the token (only
                  counters: no names, users or secrets); /metrics on the main port needs the token
--shutdown-timeout  seconds from SIGTERM/SIGINT to the exit (default 20): streams are told to
                  reconnect, terminals ended with their audit records closed; a second signal exits now

       podscope diagnose [--kubeconfig PATH] [--context NAME] [-n NAMESPACE] [POD] [--output text|json]

Starts the Podscope web server and prints its URL, http://127.0.0.1:PORT/?token=…: the token is new at
every start; opening the URL once gives the browser a cookie, and scripts send
"Authorization: Bearer TOKEN". Every context of the kubeconfig is a cluster you can switch to;
requests are made with the kubeconfig's own credentials.

\`podscope diagnose\` says why a pod (or every pod of a namespace) is failing, with the evidence, and
exits 1 when it finds a problem: see \`podscope diagnose --help\`.`;

async function main(): Promise<void> {
  if (process.argv[2] === 'diagnose') {
    const code = await runDiagnoseCommand(process.argv.slice(3), {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
      color: process.stdout.isTTY === true && process.env['NO_COLOR'] === undefined,
    });
    // Let stdout drain (a pipe to `jq` may read slowly) before the exit code is set for good.
    process.exitCode = code;
    return;
  }
  let args;
  try {
    args = parseArgs({
      options: {
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '7420' },
        open: { type: 'boolean', default: false },
        'log-level': { type: 'string', default: 'warn' },
        'data-dir': { type: 'string' },
        'database-url': { type: 'string' },
        config: { type: 'string' },
        'allowed-host': { type: 'string', multiple: true, default: [] },
        'allowed-origin': { type: 'string', multiple: true, default: [] },
        'allow-remote': { type: 'boolean', default: false },
        'no-token': { type: 'boolean', default: false },
        'token-file': { type: 'string' },
        auth: { type: 'string', default: 'access-token' },
        'session-key-file': { type: 'string' },
        'public-url': { type: 'string' },
        'oidc-issuer': { type: 'string' },
        'oidc-client-id': { type: 'string' },
        'oidc-client-secret-file': { type: 'string' },
        'oidc-ca-file': { type: 'string' },
        'oidc-scopes': { type: 'string' },
        'oidc-username-claim': { type: 'string' },
        'oidc-groups-claim': { type: 'string' },
        'oidc-identity-mode': { type: 'string' },
        'in-cluster': { type: 'boolean', default: false },
        'cluster-name': { type: 'string' },
        'metrics-port': { type: 'string' },
        'shutdown-timeout': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    console.error(`podscope: ${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(args.port);
  if (!/^\d{1,5}$/.test(args.port) || port > 65535) {
    console.error(`podscope: --port must be a number from 0 to 65535 (got "${args.port}")`);
    process.exit(2);
  }
  const metricsPort = args['metrics-port'] === undefined ? null : Number(args['metrics-port']);
  if (
    metricsPort !== null &&
    (!/^\d{1,5}$/.test(args['metrics-port'] ?? '') ||
      metricsPort > 65535 ||
      (metricsPort === port && port !== 0))
  ) {
    console.error(
      `podscope: --metrics-port must be a number from 0 to 65535, not the main port (got "${args['metrics-port']}")`,
    );
    process.exit(2);
  }
  const shutdownTimeout = parseShutdownTimeout(args['shutdown-timeout']);
  if (!shutdownTimeout.ok) {
    console.error(`podscope: ${shutdownTimeout.error}`);
    process.exit(2);
  }
  const source = chooseKubeSource(
    kubeSourceInputs({ inCluster: args['in-cluster'], kubeconfig: args.kubeconfig, context: args.context }),
  );
  if (source.kind === 'error') {
    console.error(`podscope: ${source.message}`);
    process.exit(2);
  }
  const inCluster = source.kind === 'in-cluster';
  const clusterName = args['cluster-name'] ?? 'in-cluster';
  const name = validateContextName(clusterName, '--cluster-name');
  if (!name.ok || (args['cluster-name'] !== undefined && !inCluster)) {
    console.error(
      `podscope: ${name.ok ? '--cluster-name names the in-cluster cluster: it needs --in-cluster' : name.error}`,
    );
    process.exit(2);
  }
  if (args['no-token'] && args['token-file'] !== undefined) {
    console.error('podscope: --no-token and --token-file exclude each other');
    process.exit(2);
  }
  const login = tokenLoginSettings(args);
  if (!login.ok) {
    console.error(`podscope: ${login.error}`);
    process.exit(2);
  }
  const tokenLogin = login.settings;
  let token: string | null;
  try {
    token =
      tokenLogin !== null
        ? null
        : args['token-file'] !== undefined
          ? readTokenFile(args['token-file'])
          : args['no-token']
            ? null
            : generateToken();
  } catch (err) {
    console.error(`podscope: ${(err as Error).message}`);
    process.exit(2);
  }
  const listen = checkListenOptions({
    host: args.host,
    allowRemote: args['allow-remote'],
    token: token !== null || tokenLogin !== null,
    rights:
      tokenLogin?.kind === 'oidc'
        ? 'their own Kubernetes rights (signed in with the OpenID provider)'
        : tokenLogin !== null
          ? 'the rights of the Kubernetes token they sign in with'
          : inCluster
            ? "Podscope's ServiceAccount's rights"
            : undefined,
  });
  if (!listen.ok) {
    console.error(`podscope: ${listen.error}`);
    process.exit(2);
  }
  const allowedHosts = [
    ...args['allowed-host'],
    ...(tokenLogin?.publicUrl ? [tokenLogin.publicUrl.host] : []),
  ];
  try {
    buildHostAllowlist({ bindHost: args.host, allowedHosts });
  } catch (err) {
    console.error(`podscope: ${(err as Error).message}`);
    process.exit(2);
  }
  for (const origin of args['allowed-origin']) {
    if (!isOrigin(origin)) {
      console.error(
        `podscope: --allowed-origin takes an origin such as http://localhost:5173 (got ${JSON.stringify(origin)}).`,
      );
      process.exit(2);
    }
  }
  let config: PodscopeConfig;
  try {
    config = args.config === undefined ? DEFAULT_CONFIG : loadConfig(args.config);
  } catch (err) {
    console.error(`podscope: ${(err as Error).message}`);
    process.exit(2);
  }
  let oidcLogin: OidcLoginAppOptions | null = null;
  if (tokenLogin?.kind === 'oidc') {
    try {
      const settings = resolveOidcSettings({
        flags: Object.fromEntries(OIDC_FLAGS.map((f) => [f, args[f]]).filter(([, v]) => v !== undefined)),
        env: process.env,
        config: config.auth.oidc,
        publicUrl: args['public-url'],
      });
      oidcLogin = { settings, secrets: readOidcSecrets(settings), sealer: tokenLogin.sealer };
    } catch (err) {
      console.error(`podscope: ${(err as Error).message}`);
      process.exit(2);
    }
  }
  if (inCluster && config.replicas.leaderElection === null) {
    // Several replicas of one Deployment: one leads (the reaper, recovery of lost replicas' sessions).
    config = {
      ...config,
      replicas: { ...config.replicas, leaderElection: { namespace: null, name: 'podscope-leader' } },
    };
  }
  let registry;
  try {
    registry = inCluster
      ? new KubeconfigClusterRegistry({ load: () => inClusterKubeConfig(clusterName), limits: config.limits })
      : new KubeconfigClusterRegistry({
          kubeconfig: args.kubeconfig,
          context: args.context,
          limits: config.limits,
        });
  } catch (err) {
    const what = inCluster ? 'the in-cluster configuration' : 'the kubeconfig';
    console.error(`podscope: cannot load ${what}: ${(err as Error).message}`);
    process.exit(1);
  }
  let databaseUrl: string | null;
  try {
    databaseUrl = resolveDatabaseUrl(args['database-url'], process.env['PODSCOPE_DATABASE_URL'], config);
  } catch (err) {
    console.error(`podscope: ${(err as Error).message}`);
    process.exit(2);
  }
  if (databaseUrl !== null && args['data-dir'] !== undefined) {
    console.error(
      'podscope: --data-dir and a database URL exclude each other: the audit goes to one of them',
    );
    process.exit(2);
  }
  const dataDir = path.resolve(args['data-dir'] ?? defaultDataDir());
  if (databaseUrl === null) {
    try {
      // Audit records and recordings are for the owner only: tighten what an older start left open.
      for (const warning of secureDataDir(dataDir)) console.error(`podscope: warning: ${warning}`);
    } catch (err) {
      console.error(`podscope: warning: cannot create the data directory: ${(err as Error).message}`);
    }
  }
  const audit = openAuditStore({
    databaseUrl,
    dataDir,
    log: { warn: (o, msg) => console.error(`podscope: warning: ${msg ?? 'audit store'}: ${errorOf(o)}`) },
  });
  try {
    await audit.check();
  } catch (err) {
    // Logs and events still work; every audited action is refused until the store can be written.
    console.error(
      `podscope: warning: ${(err as Error).message}; terminals, debug containers, copies and file transfers will be refused until it can be written`,
    );
  }
  const metrics = new PodscopeMetrics();
  const deadlineMs = shutdownTimeout.seconds * 1000;
  const app = await buildApp({
    registry,
    metrics,
    // Transfers in flight get half the time; the rest is for closing records and the store.
    requestDrainMs: Math.floor(deadlineMs / 2),
    logLevel: args['log-level'],
    dataDir,
    audit,
    config,
    token,
    ...(oidcLogin !== null
      ? { oidcLogin }
      : tokenLogin === null
        ? {}
        : { tokenLogin: { sealer: tokenLogin.sealer, publicUrl: tokenLogin.publicUrl } }),
    host: args.host,
    allowedHosts,
    allowedOrigins: args['allowed-origin'],
  });
  app.addHook('onClose', () => audit.close());
  await app.listen({ host: args.host, port });
  let metricsServer: MetricsServer | undefined;
  if (metricsPort !== null) {
    try {
      metricsServer = await startMetricsServer(metrics, { host: args.host, port: metricsPort });
    } catch (err) {
      console.error(`podscope: cannot serve metrics on port ${metricsPort}: ${(err as Error).message}`);
      process.exit(1);
    }
  }
  for (const warning of listen.warnings) console.error(`podscope: ${warning}`);
  // A shared token stays out of the output (a pod's log is readable by more people than its Secret).
  const shownToken = token !== null && args['token-file'] === undefined ? `?token=${token}` : '';
  const listening = (app.server.address() as AddressInfo).port;
  const url = `${browserBase(args.host, listening)}/${shownToken}`;
  if (inCluster) {
    // In a pod, 127.0.0.1 is nobody's browser: people come through the Service or an Ingress.
    console.log(`Podscope is running on ${args.host} port ${listening} of this pod`);
    console.log(
      `Cluster "${clusterName}": the one this pod runs in (${source.why}), ` +
        (tokenLogin === null
          ? 'as its ServiceAccount'
          : "as each signed-in person (the pod's ServiceAccount only for its own upkeep)"),
    );
  } else {
    console.log(`Podscope is running at ${url}`);
  }
  if (oidcLogin !== null) {
    const { settings } = oidcLogin;
    console.log(
      `People sign in with ${settings.providerName} (${settings.issuer}) at ${settings.publicUrl.origin}/; ` +
        (settings.identityMode === 'token'
          ? 'every call of theirs carries their ID token'
          : "every call of theirs is made by impersonation (Podscope's credentials, their user and groups)"),
    );
  } else if (tokenLogin !== null) {
    console.log(
      `People sign in with a Kubernetes bearer token at ${tokenLogin.publicUrl?.origin ?? browserBase(args.host, listening)}/ ` +
        '(e.g. kubectl create token SERVICEACCOUNT); every call of theirs is made with it',
    );
    if (databaseUrl === null) {
      console.log(
        'Login sessions: in the SQLite audit database of this process only (use a database URL for replicas)',
      );
    }
  }
  if (args['token-file'] !== undefined) console.log(`Access token: the one in ${args['token-file']}`);
  if (databaseUrl !== null) console.log(`Audit records and recordings: ${describeAuditStore(audit)}`);
  if (metricsServer !== undefined) console.log(`Metrics: port ${metricsServer.port}, path /metrics`);
  if (args.open)
    spawn('xdg-open', [url], { stdio: 'ignore', detached: true })
      .on('error', () => undefined)
      .unref();
  const stop = (signal: NodeJS.Signals) => {
    if (signalAction(app.shutdown.draining) === 'exit-now') {
      app.log.warn({ signal }, 'second signal during the shutdown: exiting now');
      process.exit(1);
    }
    // At warn, so that it shows at the default log level: an operator looks for it after an upgrade.
    app.log.warn({ signal, timeoutSeconds: shutdownTimeout.seconds }, 'shutting down');
    // The drain keeps to the deadline itself; this is for a step stuck where no timer can interrupt it.
    const backstop = setTimeout(() => {
      app.log.error('the shutdown did not finish in time: exiting');
      process.exit(1);
    }, deadlineMs + 2000);
    void app.shutdown.drain({ deadlineMs, log: app.log }).then(async (report) => {
      await metricsServer?.close();
      clearTimeout(backstop);
      if (report.completed) app.log.warn({ report }, 'shut down');
      else app.log.error({ report }, 'shutdown deadline passed: exiting with work left undone');
      process.exit(report.completed ? 0 : 1);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

type TokenLoginCheck =
  | {
      ok: true;
      settings: { kind: 'token-login' | 'oidc'; sealer: CredentialSealer; publicUrl: URL | null } | null;
    }
  | { ok: false; error: string };

/** --auth, --session-key-file, --public-url and the --oidc-* flags, checked together. */
function tokenLoginSettings(
  args: {
    auth: string;
    'session-key-file'?: string;
    'public-url'?: string;
    'no-token': boolean;
    'token-file'?: string;
  } & Partial<Record<OidcFlag, string>>,
): TokenLoginCheck {
  const kind = args.auth;
  if (kind !== 'oidc') {
    const stray = OIDC_FLAGS.find((f) => args[f] !== undefined);
    if (stray !== undefined) return { ok: false, error: `--${stray} goes with --auth oidc` };
  }
  if (kind === 'access-token') {
    for (const flag of ['session-key-file', 'public-url'] as const) {
      if (args[flag] !== undefined)
        return { ok: false, error: `--${flag} goes with --auth token-login or --auth oidc` };
    }
    return { ok: true, settings: null };
  }
  if (kind !== 'token-login' && kind !== 'oidc') {
    return {
      ok: false,
      error: `--auth is access-token, token-login or oidc (got ${JSON.stringify(args.auth)})`,
    };
  }
  if (args['no-token'] || args['token-file'] !== undefined) {
    return {
      ok: false,
      error: `--auth ${kind} has no shared access token: people sign in as themselves (drop --${args['no-token'] ? 'no-token' : 'token-file'})`,
    };
  }
  const keyFile = args['session-key-file'];
  if (keyFile === undefined) {
    return {
      ok: false,
      error:
        `--auth ${kind} needs --session-key-file FILE, a secret every replica shares that encrypts the ` +
        'credentials of the people signed in (make one with: openssl rand -base64 32 > FILE)',
    };
  }
  let publicUrl: URL | null = null;
  if (args['public-url'] !== undefined) {
    try {
      publicUrl = new URL(args['public-url']);
    } catch {
      publicUrl = null;
    }
    if (publicUrl === null || (publicUrl.protocol !== 'http:' && publicUrl.protocol !== 'https:')) {
      return {
        ok: false,
        error: `--public-url takes an http(s) URL (got ${JSON.stringify(args['public-url'])})`,
      };
    }
  }
  try {
    return {
      ok: true,
      settings: { kind, sealer: new CredentialSealer(readSessionKeyFile(keyFile)), publicUrl },
    };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/** The flag, else the environment, else the config file; checked. */
function resolveDatabaseUrl(
  flag: string | undefined,
  env: string | undefined,
  config: PodscopeConfig,
): string | null {
  if (flag !== undefined) return checkDatabaseUrl(flag, '--database-url');
  if (env !== undefined && env !== '') return checkDatabaseUrl(env, 'PODSCOPE_DATABASE_URL');
  return config.database.url;
}

function errorOf(obj: unknown): string {
  const err = (obj as { err?: unknown } | undefined)?.err;
  return err instanceof Error ? err.message : String(err);
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

/** Where a browser on this machine reaches the server (a wildcard bind is reached on 127.0.0.1). */
function browserBase(host: string, port: number): string {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  const name = ['0.0.0.0', '::', ''].includes(bare) ? '127.0.0.1' : bare;
  const shown = name.includes(':') ? `[${name}]` : name;
  return `http://${shown}:${port}`;
}

void main();
