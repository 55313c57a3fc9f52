import type { FastifyInstance } from 'fastify';
import type { V1NamespaceList } from '@kubernetes/client-node';
import type { NamespaceInfo } from '../../shared/api.js';
import { KubeApiError } from '../http/errors.js';
import { readQuery } from '../http/params.js';
import { clientFor, type ServerContext } from '../context.js';

export function clusterRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/clusters', async (req) => {
    readQuery(req.query, []);
    return ctx.registry.list();
  });

  app.get<{ Params: { cluster: string } }>('/api/clusters/:cluster/namespaces', async (req) => {
    readQuery(req.query, []);
    const client = clientFor(ctx, req, req.params.cluster);
    try {
      const list = await client.json<V1NamespaceList>({ path: '/api/v1/namespaces' });
      return list.items
        .map((n): NamespaceInfo => ({ name: n.metadata?.name ?? '', phase: n.status?.phase ?? 'Unknown' }))
        .sort((a, b) => a.name.localeCompare(b.name));
    } catch (err) {
      // Many users may not list namespaces; offer the one their context names.
      const fallback = client.cluster.defaultNamespace;
      if (err instanceof KubeApiError && err.status === 403 && fallback)
        return [{ name: fallback, phase: 'Active' }];
      throw err;
    }
  });
}
