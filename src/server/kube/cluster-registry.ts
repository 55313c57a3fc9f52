// The clusters Podscope can reach. Local mode: every context of the user's kubeconfig.
import { KubeConfig } from '@kubernetes/client-node';
import { notFound } from '../http/errors.js';
import { DEFAULT_LIMITS } from '../config/limits.js';
import { ClusterConnection, type ConnectionPoolSizes } from './kube-client.js';
import type { ClusterInfo } from '../../shared/api.js';
import {
  versionSupport,
  type ServerVersionInfo,
  type VersionSupport,
} from '../../shared/kube-version/version-support.js';

/** Where version warnings go (a Fastify logger fits). */
export interface VersionLog {
  warn(obj: object, msg: string): void;
}

export interface ClusterRegistry {
  list(): ClusterInfo[];
  /** The connection for a cluster name; 404 when unknown. */
  get(name: string): ClusterConnection;
  /**
   * Reads each cluster's `/version` once and warns (once per cluster, in `log` and in `list()`)
   * when it is outside the supported range. Unreachable clusters are left unknown, silently.
   */
  checkVersions(log: VersionLog, timeoutMs?: number): Promise<void>;
  close(): void;
}

export interface KubeconfigOptions {
  /** Path to a kubeconfig file; default: $KUBECONFIG or ~/.kube/config. */
  kubeconfig?: string;
  /**
   * Builds the configuration instead of reading a kubeconfig file (e.g. inClusterKubeConfig). Called
   * once per context: each connection needs a KubeConfig of its own.
   */
  load?: () => KubeConfig;
  /** Context to treat as current (default: the kubeconfig's current-context). */
  context?: string;
  /** Connections per cluster for short and for long-lived requests (default: DEFAULT_LIMITS). */
  limits?: ConnectionPoolSizes;
}

function loadKubeConfig(opts: KubeconfigOptions): KubeConfig {
  if (opts.load) return opts.load();
  const kc = new KubeConfig();
  if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
  else kc.loadFromDefault();
  return kc;
}

export class KubeconfigClusterRegistry implements ClusterRegistry {
  private readonly connections = new Map<string, ClusterConnection>();
  private readonly current: string;
  private readonly versions = new Map<string, VersionSupport>();

  constructor(opts: KubeconfigOptions) {
    const base = loadKubeConfig(opts);
    const contexts = base.getContexts();
    if (contexts.length === 0) {
      throw new Error(`the kubeconfig ${opts.kubeconfig ?? '(default)'} has no contexts`);
    }
    if (opts.context && !contexts.some((c) => c.name === opts.context)) {
      throw new Error(`the kubeconfig has no context named "${opts.context}"`);
    }
    this.current = opts.context ?? base.getCurrentContext() ?? contexts[0]!.name;
    for (const ctx of contexts) {
      const cluster = base.getCluster(ctx.cluster);
      if (!cluster) continue;
      // A KubeConfig per context: client-node applies credentials of the *current* context.
      const kc = loadKubeConfig(opts);
      kc.setCurrentContext(ctx.name);
      this.connections.set(
        ctx.name,
        new ClusterConnection(
          ctx.name,
          kc,
          cluster.server,
          ctx.namespace ?? null,
          opts.limits ?? DEFAULT_LIMITS,
          // PODSCOPE_KUBE_HTTP2=0: long-lived requests over HTTP/1.1 (one connection each), as before.
          process.env['PODSCOPE_KUBE_HTTP2'] !== '0',
        ),
      );
    }
  }

  list(): ClusterInfo[] {
    return [...this.connections.values()].map((c) => ({
      name: c.name,
      server: c.server,
      defaultNamespace: c.defaultNamespace,
      current: c.name === this.current,
      version: this.versions.get(c.name) ?? null,
    }));
  }

  async checkVersions(log: VersionLog, timeoutMs = 5000): Promise<void> {
    await Promise.all(
      [...this.connections.values()].map(async (c) => {
        if (this.versions.has(c.name)) return;
        let info: ServerVersionInfo;
        try {
          info = await c
            .client(null)
            .json<ServerVersionInfo>({ path: '/version', timeoutMs, signal: AbortSignal.timeout(timeoutMs) });
        } catch {
          return; // unreachable now: the pages that need it will say so
        }
        const support = versionSupport(info);
        this.versions.set(c.name, support);
        if (support.warning) log.warn({ cluster: c.name, version: support.gitVersion }, support.warning);
      }),
    );
  }

  get(name: string): ClusterConnection {
    const c = this.connections.get(name);
    if (!c) throw notFound(`There is no cluster named "${name}" in this Podscope's configuration.`);
    return c;
  }

  close(): void {
    for (const c of this.connections.values()) c.close();
  }
}
