// Pod list and pod page: snapshots over HTTP, live updates over WebSocket from a Kubernetes watch.
import type { FastifyInstance } from 'fastify';
import type { V1Pod, V1PodList } from '@kubernetes/client-node';
import type { PodDetailWatchMessage, PodWatchMessage } from '../../shared/api.js';
import { podDetail, summarizePod } from '../../shared/pods/status.js';
import { podParam, readQuery } from '../http/params.js';
import { getPod } from '../kube/pods.js';
import { relayWatch, socketRoute } from '../ws/socket-route.js';
import { clientFor, existingNamespace, type ServerContext } from '../context.js';

type NsParams = { cluster: string; namespace: string };
type PodParams = NsParams & { pod: string };

const podsPath = (ns: string) => `/api/v1/namespaces/${ns}/pods`;

export function podRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Params: NsParams }>('/api/clusters/:cluster/namespaces/:namespace/pods', async (req) => {
    readQuery(req.query, []);
    const client = clientFor(ctx, req, req.params.cluster);
    const ns = await existingNamespace(client, req.params.namespace);
    const list = await client.json<V1PodList>({ path: podsPath(ns) });
    return list.items.map((p) => summarizePod(p));
  });

  app.get<{ Params: PodParams }>('/api/clusters/:cluster/namespaces/:namespace/pods/:pod', async (req) => {
    readQuery(req.query, []);
    const client = clientFor(ctx, req, req.params.cluster);
    const ns = await existingNamespace(client, req.params.namespace);
    return podDetail(await getPod(client, ns, podParam(req.params.pod)));
  });

  socketRoute<NsParams>(app, '/api/clusters/:cluster/namespaces/:namespace/pods/watch', async (sock, req) => {
    readQuery(req.query, []);
    const client = clientFor(ctx, req, req.params.cluster);
    const ns = await existingNamespace(client, req.params.namespace, sock.signal);
    await relayWatch<V1Pod>(
      sock,
      client,
      podsPath(ns),
      {},
      {
        snapshot: (items): PodWatchMessage => ({ type: 'snapshot', pods: items.map((p) => summarizePod(p)) }),
        event: (type, p): PodWatchMessage =>
          type === 'DELETED'
            ? { type: 'delete', name: p.metadata?.name ?? '' }
            : { type: 'upsert', pod: summarizePod(p) },
      },
    );
  });

  socketRoute<PodParams>(
    app,
    '/api/clusters/:cluster/namespaces/:namespace/pods/:pod/watch',
    async (sock, req) => {
      readQuery(req.query, []);
      const client = clientFor(ctx, req, req.params.cluster);
      const ns = await existingNamespace(client, req.params.namespace, sock.signal);
      const name = podParam(req.params.pod);
      await getPod(client, ns, name, sock.signal); // 404 before the watch starts
      await relayWatch<V1Pod>(
        sock,
        client,
        podsPath(ns),
        { fieldSelector: `metadata.name=${name}` },
        {
          snapshot: (items): PodDetailWatchMessage =>
            items[0] ? { type: 'pod', pod: podDetail(items[0]) } : { type: 'deleted' },
          event: (type, p): PodDetailWatchMessage =>
            type === 'DELETED' ? { type: 'deleted' } : { type: 'pod', pod: podDetail(p) },
        },
      );
    },
  );
}
