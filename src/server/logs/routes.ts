// Container output: a raw GET (byte-identical to `kubectl logs`, also the download), a WebSocket
// stream per container, and merged streams for a workload or label selector.
import type { V1Pod } from '@kubernetes/client-node';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { LogStreamMessage } from '../../shared/api.js';
import { encodeLogStreamMessage } from '../../shared/logs/wire.js';
import { badRequest } from '../http/errors.js';
import {
  boolParam,
  containerParam,
  intParam,
  objectNameParam,
  podParam,
  readQuery,
  selectorParam,
  timeParam,
} from '../http/params.js';
import { getPod, podPath } from '../kube/pods.js';
import type { JsonSocket } from '../ws/json-socket.js';
import { socketRoute } from '../ws/socket-route.js';
import type { KubeClient } from '../kube/kube-client.js';
import { clientFor, existingNamespace, namespaceAndPod, type ServerContext } from '../context.js';
import { justEndedInstance, streamContainerLogs } from './container-logs.js';
import { LineBatcher } from './line-batcher.js';
import { streamMergedLogs, workloadSelector, WORKLOAD_KINDS } from './merged-logs.js';

type PodParams = { cluster: string; namespace: string; pod: string };
const MAX_TAIL = 1_000_000;
const MAX_SINCE = 30 * 24 * 3600;

/** The container to read: the named one, or the pod's only/default app container (like kubectl). */
async function resolveContainer(
  client: KubeClient,
  ns: string,
  pod: string,
  raw: string | undefined,
  signal?: AbortSignal,
) {
  return containerOf(await getPod(client, ns, pod, signal), pod, raw);
}

function containerOf(p: V1Pod, pod: string, raw: string | undefined): string {
  const all = [
    ...(p.spec?.initContainers ?? []),
    ...(p.spec?.containers ?? []),
    ...(p.spec?.ephemeralContainers ?? []),
  ].map((c) => c.name);
  if (raw !== undefined) {
    const name = containerParam(raw);
    if (!all.includes(name)) {
      throw badRequest(`Pod "${pod}" has no container "${name}"; its containers are: ${all.join(', ')}.`);
    }
    return name;
  }
  const dflt = p.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
  const apps = (p.spec?.containers ?? []).map((c) => c.name);
  if (dflt && all.includes(dflt)) return dflt;
  if (apps.length === 1) return apps[0]!;
  throw badRequest(`Pod "${pod}" has several containers (${apps.join(', ')}); choose one with ?container=.`);
}

/**
 * A container's lines to the browser, a few large messages rather than one per upstream read, lines in
 * the compact frame of shared/logs/wire.ts.
 */
export function sinkFor(sock: JsonSocket): LineBatcher {
  return new LineBatcher((message) => sock.sendText(encodeLogStreamMessage(message)));
}

function windowParams(q: Record<string, string | undefined>) {
  const tailLines = intParam(q.tailLines, 'tailLines', 0, MAX_TAIL);
  const sinceSeconds = intParam(q.sinceSeconds, 'sinceSeconds', 1, MAX_SINCE);
  const sinceTime = timeParam(q.sinceTime, 'sinceTime');
  if (sinceSeconds !== undefined && sinceTime !== undefined) {
    throw badRequest('Give sinceSeconds or sinceTime, not both.');
  }
  return { tailLines, sinceSeconds, sinceTime };
}

const WINDOW_PARAMS = ['tailLines', 'sinceSeconds', 'sinceTime'] as const;
const RAW_LOG_PARAMS = ['container', ...WINDOW_PARAMS, 'previous', 'timestamps', 'limitBytes', 'download'];
const STREAM_PARAMS = ['container', ...WINDOW_PARAMS, 'previous', 'follow'];
const MERGED_PARAMS = [...WINDOW_PARAMS, 'follow'];

type WorkloadParams = { cluster: string; namespace: string; kind: string; name: string };

/**
 * Starts a container's stream and returns its promise (the sentence saying why it ended) without
 * awaiting it: this function's frame, which holds the pod as read (~6–12 KiB of objects), ends as soon as
 * the stream is under way instead of living as long as the follow (an async function keeps every local
 * of a frame it is suspended in).
 */
async function podLogStream(
  ctx: ServerContext,
  sock: JsonSocket,
  req: FastifyRequest<{ Params: PodParams }>,
): Promise<string> {
  const q = readQuery(req.query, STREAM_PARAMS);
  const client = clientFor(ctx, req, req.params.cluster);
  const pod = podParam(req.params.pod);
  const window = {
    ...windowParams(q),
    previous: boolParam(q.previous, 'previous', false),
    follow: boolParam(q.follow, 'follow', true),
  };
  // One round trip before the log request (namespace and pod at once), not three in a row: with
  // hundreds of follows opening together, these reads are what a follow waits for.
  const [ns, podObject] = await namespaceAndPod(client, req.params.namespace, pod, sock.signal);
  const container = containerOf(podObject, pod, q.container);
  const sink = sinkFor(sock);
  // Not awaited here, so this frame (and the pod object in it) ends once the stream starts; the lines
  // read before an error still go out before it.
  return streamContainerLogs(
    client,
    { namespace: ns, pod, container },
    window,
    sink,
    sock.signal,
    podObject,
  ).finally(() => sink.flush());
}

export function logRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const base = '/api/clusters/:cluster/namespaces/:namespace';

  app.get<{ Params: PodParams }>(`${base}/pods/:pod/logs`, async (req, reply) => {
    const q = readQuery(req.query, RAW_LOG_PARAMS);
    const client = clientFor(ctx, req, req.params.cluster);
    const ns = await existingNamespace(client, req.params.namespace);
    const pod = podParam(req.params.pod);
    const { tailLines, sinceSeconds, sinceTime } = windowParams(q);
    const previous = boolParam(q.previous, 'previous', false);
    const timestamps = boolParam(q.timestamps, 'timestamps', false);
    const download = boolParam(q.download, 'download', false);
    const limitBytes = intParam(q.limitBytes, 'limitBytes', 1, 2 ** 40);
    const container = await resolveContainer(client, ns, pod, q.container);
    // Right after a crash, "previous" is the instance that just ended (see streamPreviousInstance).
    const readPrevious =
      previous && (await justEndedInstance(client, { namespace: ns, pod, container })) === undefined;
    const abort = new AbortController();
    req.raw.on('close', () => abort.abort());
    // Passed through untouched: the body is byte-for-byte what `kubectl logs` prints.
    const upstream = await client.stream({
      path: `${podPath(ns, pod)}/log`,
      query: {
        container,
        tailLines,
        sinceSeconds,
        sinceTime,
        previous: readPrevious || undefined,
        timestamps: timestamps || undefined,
        limitBytes,
      },
      signal: abort.signal,
    });
    reply.header('Content-Type', 'text/plain; charset=utf-8');
    reply.header('X-Content-Type-Options', 'nosniff');
    if (download) {
      const file = `${pod}_${container}${previous ? '_previous' : ''}.log`;
      reply.header('Content-Disposition', `attachment; filename="${file}"`);
    }
    return reply.send(upstream);
  });

  socketRoute<PodParams>(app, `${base}/pods/:pod/logs/stream`, async (sock, req) => {
    const why = await podLogStream(ctx, sock, req);
    await sock.send({ type: 'end', message: why } satisfies LogStreamMessage);
    sock.close(1000, 'end');
  });

  /** Merged streams differ only in how the label selector is found. */
  const merged = async (
    sock: JsonSocket,
    req: FastifyRequest<{ Params: { cluster: string; namespace: string } }>,
    query: Record<string, unknown>,
    selectorFor: (client: KubeClient, ns: string) => Promise<string>,
  ) => {
    const q = readQuery(query, MERGED_PARAMS);
    const client = clientFor(ctx, req, req.params.cluster);
    const ns = await existingNamespace(client, req.params.namespace, sock.signal);
    const selector = await selectorFor(client, ns);
    const window = { ...windowParams(q), follow: boolParam(q.follow, 'follow', true) };
    const why = await streamMergedLogs(client, ns, selector, window, sock, sock.signal, {
      limits: ctx.limits,
      log: req.log,
    });
    await sock.send({ type: 'end', message: why } satisfies LogStreamMessage);
    sock.close(1000, 'end');
  };

  socketRoute<WorkloadParams>(app, `${base}/workloads/:kind/:name/logs/stream`, (sock, req) =>
    merged(sock, req, (req.query ?? {}) as Record<string, unknown>, async (client, ns) => {
      const kind = req.params.kind.toLowerCase();
      if (!WORKLOAD_KINDS.includes(kind)) {
        throw badRequest(
          `Workload kind must be one of ${WORKLOAD_KINDS.join(', ')} (got "${req.params.kind.slice(0, 40)}").`,
        );
      }
      return workloadSelector(
        client,
        ns,
        kind,
        objectNameParam(req.params.name, 'Workload name'),
        sock.signal,
      );
    }),
  );

  socketRoute<{ cluster: string; namespace: string }>(app, `${base}/logs/stream`, (sock, req) => {
    const { selector, ...rest } = (req.query ?? {}) as Record<string, unknown>;
    return merged(sock, req, rest, async () => {
      if (typeof selector !== 'string' || selector === '') {
        throw badRequest('A label selector is required: ?selector=app%3Dweb');
      }
      return selectorParam(selector);
    });
  });
}
