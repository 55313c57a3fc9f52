// Pod list and pod page: snapshots over HTTP, live updates over WebSocket from a Kubernetes watch.
import type { FastifyInstance } from 'fastify';
import type { V1Pod, V1PodList } from '@kubernetes/client-node';
import type { PodDetailWatchMessage, PodWatchMessage } from '../../shared/api.js';
import { podDetail, summarizePod } from '../../shared/pods/status.js';
import { podParam, readQuery } from '../http/params.js';
import { listWatch } from '../kube/list-watch.js';
import { getPod } from '../kube/pods.js';
import { JsonSocket } from '../ws/json-socket.js';
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

  app.get<{ Params: NsParams }>(
    '/api/clusters/:cluster/namespaces/:namespace/pods/watch',
    { websocket: true },
    async (socket, req) => {
      const sock = new JsonSocket(socket, req.log);
      try {
        readQuery(req.query, []);
        const client = clientFor(ctx, req, req.params.cluster);
        const ns = await existingNamespace(client, req.params.namespace, sock.signal);
        const send = (m: PodWatchMessage) => sock.send(m);
        await listWatch<V1Pod>(
          client,
          podsPath(ns),
          {},
          {
            onSnapshot: (items) => send({ type: 'snapshot', pods: items.map((p) => summarizePod(p)) }),
            onEvent: (type, p) =>
              type === 'DELETED'
                ? send({ type: 'delete', name: p.metadata?.name ?? '' })
                : send({ type: 'upsert', pod: summarizePod(p) }),
            onFatal: (err) => void sock.fail(err),
          },
          sock.signal,
        );
      } catch (err) {
        await sock.fail(err);
      }
    },
  );

  app.get<{ Params: PodParams }>(
    '/api/clusters/:cluster/namespaces/:namespace/pods/:pod/watch',
    { websocket: true },
    async (socket, req) => {
      const sock = new JsonSocket(socket, req.log);
      try {
        readQuery(req.query, []);
        const client = clientFor(ctx, req, req.params.cluster);
        const ns = await existingNamespace(client, req.params.namespace, sock.signal);
        const name = podParam(req.params.pod);
        await getPod(client, ns, name, sock.signal); // 404 before the watch starts
        await listWatch<V1Pod>(
          client,
          podsPath(ns),
          { fieldSelector: `metadata.name=${name}` },
          {
            onSnapshot: (items) =>
              items[0]
                ? sock.send({ type: 'pod', pod: podDetail(items[0]) } satisfies PodDetailWatchMessage)
                : sock.send({ type: 'deleted' }),
            onEvent: (type, p) =>
              type === 'DELETED'
                ? sock.send({ type: 'deleted' })
                : sock.send({ type: 'pod', pod: podDetail(p) } satisfies PodDetailWatchMessage),
            onFatal: (err) => void sock.fail(err),
          },
          sock.signal,
        );
      } catch (err) {
        await sock.fail(err);
      }
    },
  );
}
