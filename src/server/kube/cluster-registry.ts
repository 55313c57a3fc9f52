// The clusters Podscope can reach. Local mode: every context of the user's kubeconfig.
import { KubeConfig } from '@kubernetes/client-node';
import { notFound } from '../http/errors.js';
import { DEFAULT_LIMITS } from '../config/limits.js';
import { ClusterConnection, type ConnectionPoolSizes } from './kube-client.js';
import type { ClusterInfo } from '../../shared/api.js';

export interface ClusterRegistry {
  list(): ClusterInfo[];
  /** The connection for a cluster name; 404 when unknown. */
  get(name: string): ClusterConnection;
  close(): void;
}

export interface KubeconfigOptions {
  /** Path to a kubeconfig file; default: $KUBECONFIG or ~/.kube/config. */
  kubeconfig?: string;
  /** Context to treat as current (default: the kubeconfig's current-context). */
  context?: string;
  /** Connections per cluster for short and for long-lived requests (default: DEFAULT_LIMITS). */
  limits?: ConnectionPoolSizes;
}

function loadKubeConfig(opts: KubeconfigOptions): KubeConfig {
  const kc = new KubeConfig();
  if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
  else kc.loadFromDefault();
  return kc;
}

export class KubeconfigClusterRegistry implements ClusterRegistry {
  private readonly connections = new Map<string, ClusterConnection>();
  private readonly current: string;

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
    }));
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
