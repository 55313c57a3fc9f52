// Events of a namespace or of one pod (what `kubectl describe pod` shows), as a list and live.
import type { FastifyInstance } from 'fastify';
import type { CoreV1Event, CoreV1EventList } from '@kubernetes/client-node';
import type { EventWatchMessage } from '../../shared/api.js';
import { toEventView } from '../../shared/events/fold.js';
import { podParam, readQuery } from '../http/params.js';
import type { KubeClient } from '../kube/kube-client.js';
import { getPod } from '../kube/pods.js';
import { relayWatch, socketRoute } from '../ws/socket-route.js';
import { clientFor, existingNamespace, type ServerContext } from '../context.js';

type NsParams = { cluster: string; namespace: string };

/** The field selector kubectl describe uses for a pod's events (name, kind and uid). */
async function eventQuery(client: KubeClient, ns: string, rawPod: string | undefined, signal?: AbortSignal) {
  if (rawPod === undefined) return {};
  const pod = podParam(rawPod);
  const p = await getPod(client, ns, pod, signal);
  const uid = p.metadata?.uid;
  return {
    fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${pod}${uid ? `,involvedObject.uid=${uid}` : ''}`,
  };
}

export function eventRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const base = '/api/clusters/:cluster/namespaces/:namespace/events';

  app.get<{ Params: NsParams }>(base, async (req) => {
    const q = readQuery(req.query, ['pod']);
    const client = clientFor(ctx, req, req.params.cluster);
    const ns = await existingNamespace(client, req.params.namespace);
    const list = await client.json<CoreV1EventList>({
      path: `/api/v1/namespaces/${ns}/events`,
      query: await eventQuery(client, ns, q.pod),
    });
    return list.items.map(toEventView);
  });

  socketRoute<NsParams>(app, `${base}/watch`, async (sock, req) => {
    const q = readQuery(req.query, ['pod']);
    const client = clientFor(ctx, req, req.params.cluster);
    const ns = await existingNamespace(client, req.params.namespace, sock.signal);
    const query = await eventQuery(client, ns, q.pod, sock.signal);
    await relayWatch<CoreV1Event>(sock, client, `/api/v1/namespaces/${ns}/events`, query, {
      snapshot: (items): EventWatchMessage => ({ type: 'snapshot', events: items.map(toEventView) }),
      event: (type, e): EventWatchMessage =>
        type === 'DELETED'
          ? { type: 'delete', uid: e.metadata?.uid ?? '' }
          : { type: 'upsert', event: toEventView(e) },
    });
  });
}
