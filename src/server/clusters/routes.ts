import type { FastifyInstance } from 'fastify';
import type { V1NamespaceList } from '@kubernetes/client-node';
import type { NamespaceInfo } from '../../shared/api.js';
import { KubeApiError } from '../http/errors.js';
import { readQuery } from '../http/params.js';
import { clientFor, type ServerContext } from '../context.js';
import { checkKey } from '../permissions/required-access.js';
import { knownNamespaces, MAX_NAMESPACES_CHECKED, workCheck } from '../permissions/workable-namespaces.js';

export function clusterRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/clusters', async (req) => {
    readQuery(req.query, []);
    return ctx.registry.list();
  });

  // The namespaces the person can work in (may list pods in), asked of Kubernetes as them: every
  // namespace when they may list namespaces, else the ones Podscope knows (permissions/workable-namespaces.ts).
  app.get<{ Params: { cluster: string } }>('/api/clusters/:cluster/namespaces', async (req) => {
    readQuery(req.query, []);
    const client = clientFor(ctx, req, req.params.cluster);
    let candidates: NamespaceInfo[];
    try {
      const list = await client.json<V1NamespaceList>({ path: '/api/v1/namespaces' });
      candidates = list.items.map((n): NamespaceInfo => ({
        name: n.metadata?.name ?? '',
        phase: n.status?.phase ?? 'Unknown',
      }));
    } catch (err) {
      if (!(err instanceof KubeApiError && err.status === 403)) throw err;
      candidates = knownNamespaces(ctx.execPolicy, client.cluster.name, client.cluster.defaultNamespace).map(
        (name) => ({ name, phase: 'Active' }),
      );
    }
    let workable = candidates;
    if (candidates.length <= MAX_NAMESPACES_CHECKED) {
      const checks = candidates.map((n) => workCheck(n.name));
      const answers = await ctx.access.review(client, checks);
      // A review that failed is no "no": keep the namespace, Kubernetes decides when it is opened.
      workable = candidates.filter((_, i) => {
        const a = answers.get(checkKey(checks[i]!));
        return a === undefined || a.allowed || a.error !== undefined;
      });
    }
    return workable.sort((a, b) => a.name.localeCompare(b.name));
  });
}
