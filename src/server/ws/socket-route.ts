// The shape every streaming route shares: a JSON WebSocket whose failures become one final
// `{type:'error'}` message, and (for live lists) a Kubernetes list-watch relayed message by message.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { KubeClient, QueryValue } from '../kube/kube-client.js';
import { listWatch, type KubeObject } from '../kube/list-watch.js';
import { JsonSocket } from './json-socket.js';

export function socketRoute<P>(
  app: FastifyInstance,
  path: string,
  handler: (sock: JsonSocket, req: FastifyRequest<{ Params: P }>) => Promise<void>,
): void {
  app.get<{ Params: P }>(path, { websocket: true }, async (socket, req) => {
    const sock = new JsonSocket(socket, req.log);
    try {
      await handler(sock, req);
    } catch (err) {
      await sock.fail(err);
    }
  });
}

/** Relays a list-watch to the socket until the browser leaves; a 403/404 during the watch ends it. */
export async function relayWatch<T extends KubeObject>(
  sock: JsonSocket,
  client: KubeClient,
  path: string,
  query: Record<string, QueryValue>,
  toMessage: {
    snapshot(items: T[]): unknown;
    event(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: T): unknown;
  },
): Promise<void> {
  await listWatch<T>(
    client,
    path,
    query,
    {
      onSnapshot: (items) => sock.send(toMessage.snapshot(items)),
      onEvent: (type, obj) => sock.send(toMessage.event(type, obj)),
      onFatal: (err) => void sock.fail(err),
    },
    sock.signal,
  );
}
