// `podscope [--kubeconfig PATH] [--context NAME] [--host 127.0.0.1] [--port 7420] [--open]
//  [--data-dir DIR] [--config FILE]`
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { buildApp, defaultDataDir } from './app.js';
import { secureDataDir } from './audit/data-dir.js';
import { SqliteAuditStore } from './audit/sqlite-audit-store.js';
import { DEFAULT_CONFIG, loadConfig, type PodscopeConfig } from './config/podscope-config.js';
import { KubeconfigClusterRegistry } from './kube/cluster-registry.js';

const USAGE = `Usage: podscope [--kubeconfig PATH] [--context NAME] [--host 127.0.0.1] [--port 7420] [--open]
                [--data-dir DIR] [--config FILE]

--data-dir  audit database and session recordings (default ~/.local/share/podscope)
--config    JSON config file: the exec policy per cluster and namespace, limits

Starts the Podscope web server. Every context of the kubeconfig is a cluster you can switch to;
requests are made with the kubeconfig's own credentials.`;

async function main(): Promise<void> {
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
        config: { type: 'string' },
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
  let config: PodscopeConfig;
  try {
    config = args.config === undefined ? DEFAULT_CONFIG : loadConfig(args.config);
  } catch (err) {
    console.error(`podscope: ${(err as Error).message}`);
    process.exit(2);
  }
  let registry;
  try {
    registry = new KubeconfigClusterRegistry({
      kubeconfig: args.kubeconfig,
      context: args.context,
      limits: config.limits,
    });
  } catch (err) {
    console.error(`podscope: cannot load the kubeconfig: ${(err as Error).message}`);
    process.exit(1);
  }
  const dataDir = path.resolve(args['data-dir'] ?? defaultDataDir());
  try {
    // Audit records and recordings are for the owner only: tighten what an older start left open.
    for (const warning of secureDataDir(dataDir)) console.error(`podscope: warning: ${warning}`);
  } catch (err) {
    console.error(`podscope: warning: cannot create the data directory: ${(err as Error).message}`);
  }
  const audit = new SqliteAuditStore(path.join(dataDir, 'audit.db'));
  try {
    await audit.check();
  } catch (err) {
    // Logs and events still work; every terminal is refused until the store can be written.
    console.error(`podscope: warning: ${(err as Error).message}; terminals will be refused`);
  }
  const app = await buildApp({ registry, logLevel: args['log-level'], dataDir, audit, config });
  app.addHook('onClose', () => audit.close());
  const address = await app.listen({ host: args.host, port });
  const url = address.replace('://[::1]', '://localhost');
  console.log(`Podscope is running at ${url}`);
  if (args.open)
    spawn('xdg-open', [url], { stdio: 'ignore', detached: true })
      .on('error', () => undefined)
      .unref();
  const stop = () => void app.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
