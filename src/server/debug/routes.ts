// Debug containers (ephemeral), pod copies and node debug pods. Each creates a target and answers with
// {namespace, pod, container} once it runs; the browser then opens a terminal to it (terminal/routes.ts).
//
//   GET  /api/clusters/:c/debug/options                                  → DebugOptions
//   GET  /api/clusters/:c/namespaces/:ns/pods/:pod/debug-containers      → {containers: DebugContainerView[]}
//   POST /api/clusters/:c/namespaces/:ns/pods/:pod/debug-containers      body DebugContainerCreate
//        → 201 DebugContainerCreated (200 with reused: true when a running one with the same settings exists)
//   POST /api/clusters/:c/namespaces/:ns/pods/:pod/copies/plan           body PodCopyCreate → PodCopyPlanView
//   POST /api/clusters/:c/namespaces/:ns/pods/:pod/copies                body PodCopyCreate → 201 DebugPodCreated
//        (both in copy-routes.ts)
//   POST /api/clusters/:c/nodes/:node/debug                              body NodeDebugCreate → 201 DebugPodCreated
//   GET  /api/clusters/:c/namespaces/:ns/debug-pods                      → {pods: DebugPodView[]}
//   DELETE /api/clusters/:c/namespaces/:ns/debug-pods/:pod               → {deleted: boolean}
//   WS   /api/clusters/:c/namespaces/:ns/debug-pods/:pod/lease           → LeaseMessage…
//        Hold it open while using a copy or node pod; when the last lease closes, the pod is deleted
//        after the grace period unless leased again. A new pod is deleted after the grace period if no
//        lease arrives.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { V1Pod } from '@kubernetes/client-node';
import {
  buildDebugContainer,
  debugContainerViews,
  findReusableDebugContainer,
  nextDebugContainerName,
} from '../../shared/debug/debug-container.js';
import type {
  DebugContainerCreated,
  DebugOptions,
  DebugPodCreated,
  DebugPodView,
  LeaseMessage,
} from '../../shared/debug/debug-api.js';
import { DEBUG_POD_SELECTOR, readMarks, type DebugPodKind } from '../../shared/debug/debug-pod-marks.js';
import { buildNodeDebugPod, NODE_DEBUG_CONTAINER, nodeDebugPodName } from '../../shared/debug/node-debug.js';
import { enforceNonRoot } from '../../shared/debug/non-root.js';
import { DEBUG_PROFILES, PROFILE_DESCRIPTIONS } from '../../shared/debug/profiles.js';
import type { Pod } from '../../shared/debug/types.js';
import { clientFor, existingNamespace, namespaceAndPod, type ServerContext } from '../context.js';
import { badRequest, KubeApiError, notFound } from '../http/errors.js';
import { objectNameParam, podParam, readQuery } from '../http/params.js';
import type { KubeClient } from '../kube/kube-client.js';
import { getPod, podPath } from '../kube/pods.js';
import { JsonSocket } from '../ws/json-socket.js';
import { nodeDebugEnabled } from '../policy/exec-policy.js';
import {
  auditIdentity,
  authorize,
  endAudit,
  endAuditFailed,
  startAudit,
  type AuditHandle,
  type Authorization,
} from '../policy/gate.js';
import { podCopyRoutes } from './copy-routes.js';
import { waitContainerStarted, type StartedBy } from './container-start.js';
import {
  imageParam as imageParamOf,
  optUid,
  profileParam as profileParamOf,
  readBody,
  requiredName,
  type Body,
} from './debug-body.js';
import { initialExpiry, type DebugConfig } from './debug-config.js';
import { DebugPodReaper } from './debug-pod-reaper.js';
import { DebugPodLeases, deleteDebugPod, getDebugPod, randomSuffix } from './debug-pods.js';

type PodParams = { cluster: string; namespace: string; pod: string };

export function debugRoutes(app: FastifyInstance, ctx: ServerContext, config: DebugConfig): void {
  const leases = new DebugPodLeases(ctx, config);
  const reaper = new DebugPodReaper(ctx.registry, ctx, config);
  app.addHook('onReady', async () => reaper.start());
  app.addHook('onClose', async () => {
    await reaper.stop();
    await leases.close();
  });
  // On SIGTERM, before the lease sockets are closed: a lease that drops because this replica stops is no
  // reason to delete the pod (the browser takes it again on another replica; its expiry covers the gap).
  app.shutdown.add('end-sessions', 'debug pod leases', () => leases.close());

  const imageParam = (body: Body) => imageParamOf(config, body);
  const profileParam = (body: Body) => profileParamOf(config, body);

  /** Waits until the container runs (see container-start.ts); a failure or timeout is an error naming the reason. */
  const waitRunning = (client: KubeClient, ns: string, pod: string, container: string, from?: V1Pod) =>
    waitContainerStarted(client, { namespace: ns, pod, container }, config.startTimeoutMs, from);

  app.get<{ Params: { cluster: string } }>('/api/clusters/:cluster/debug/options', async (req) => {
    readQuery(req.query, []);
    clientFor(ctx, req, req.params.cluster);
    return {
      images: config.images,
      defaultImage: config.images[0]!,
      profiles: DEBUG_PROFILES.map((name) => ({ name, description: PROFILE_DESCRIPTIONS[name] })),
      defaultProfile: config.defaultProfile,
      nodeDebugNamespace: config.nodeDebugNamespace,
      maxFileBytes: config.maxFileBytes,
    } satisfies DebugOptions;
  });

  const podBase = '/api/clusters/:cluster/namespaces/:namespace/pods/:pod';

  app.get<{ Params: PodParams }>(`${podBase}/debug-containers`, async (req) => {
    readQuery(req.query, []);
    const client = clientFor(ctx, req, req.params.cluster);
    const ns = await existingNamespace(client, req.params.namespace);
    const pod = await getPod(client, ns, podParam(req.params.pod));
    return { containers: debugContainerViews(pod as Pod) };
  });

  app.post<{ Params: PodParams }>(`${podBase}/debug-containers`, async (req, reply) => {
    readQuery(req.query, []);
    const body = readBody(req.body, ['target', 'image', 'profile', 'runAsUser', 'runAsGroup']);
    const client = clientFor(ctx, req, req.params.cluster);
    const podName = podParam(req.params.pod);
    const request = {
      target: requiredName(body, 'target'),
      image: imageParam(body),
      profile: profileParam(body),
      runAsUser: optUid(body, 'runAsUser'),
      runAsGroup: optUid(body, 'runAsGroup'),
    };
    const [ns, podObject] = await namespaceAndPod(client, req.params.namespace, podName);
    const pod = podObject as Pod;
    const allowed = await authorize(
      ctx,
      req,
      client,
      { namespace: ns, pod: podName, container: request.target },
      { action: 'debug-container', profile: request.profile, runAsUser: request.runAsUser },
      { target: request.target, image: request.image, runAsUser: request.runAsUser ?? null },
    );
    const asUser =
      allowed.decision.verdict === 'allow-as-user' ? (allowed.decision.user as number) : undefined;
    const built = buildDebugContainer(
      pod,
      { ...request, runAsUser: request.runAsUser ?? asUser },
      nextDebugContainerName(pod, request.target),
    );
    if (!built.ok) throw badRequest(built.error);
    const { container, user } = built.value;
    if (asUser !== undefined) enforceNonRoot(container, asUser);
    const reuse = findReusableDebugContainer(pod, container);
    const name = reuse ?? container.name;
    const audit = await startAudit(ctx, req, client, allowed, {
      kind: 'debug',
      namespace: ns,
      pod: podName,
      container: name,
      command: [],
      details: {
        target: request.target,
        image: request.image,
        profile: request.profile,
        user: user.reason,
        reused: reuse !== undefined,
        securityContext: container.securityContext ?? null,
      },
    });
    let startedBy: StartedBy | null = null;
    try {
      // Reusing adds nothing, yet only someone Kubernetes lets add a debug container here may have one:
      // the same patch as a dry run (nothing changes; RBAC and admission decide as for a real one), so a
      // viewer is refused instead of being handed a container someone else made.
      const patched = await client.json<V1Pod>({
        method: 'PATCH',
        path: `${podPath(ns, podName)}/ephemeralcontainers`,
        ...(reuse ? { query: { dryRun: 'All' } } : {}),
        body: { spec: { ephemeralContainers: [container] } },
        contentType: 'application/strategic-merge-patch+json',
      });
      if (!reuse) startedBy = await waitRunning(client, ns, podName, name, patched);
    } catch (err) {
      await endAuditFailed(ctx, audit, err);
      throw err;
    }
    await endAudit(ctx, audit, { exitCode: 0, outcome: { container: name, reused: reuse, startedBy } });
    void reply.code(reuse ? 200 : 201);
    return {
      namespace: ns,
      pod: podName,
      container: name,
      reused: reuse !== undefined,
      state: 'running',
      user: user.reason,
      auditSession: audit.id,
    } satisfies DebugContainerCreated;
  });

  /** Creates a marked node debug pod, tracks it for leasing, and answers once its container runs. */
  const createDebugPod = async (
    client: KubeClient,
    audit: AuditHandle,
    kind: DebugPodKind,
    manifest: Pod,
    container: string,
  ): Promise<DebugPodCreated> => {
    const ns = manifest.metadata!.namespace!;
    const name = manifest.metadata!.name!;
    let created: V1Pod;
    try {
      created = await client.json<V1Pod>({
        method: 'POST',
        path: `/api/v1/namespaces/${ns}/pods`,
        body: manifest,
        timeoutMs: config.podCreateTimeoutMs,
      });
    } catch (err) {
      await endAuditFailed(ctx, audit, err);
      throw err;
    }
    try {
      await waitRunning(client, ns, name, container, created);
    } catch (err) {
      await deleteDebugPod(client, ns, name).catch(() => undefined);
      await endAuditFailed(ctx, audit, err);
      throw err;
    }
    // The grace period starts now: the browser opens its lease as soon as it has this answer.
    leases.track(client, ns, name, audit.id);
    return {
      kind,
      namespace: ns,
      pod: name,
      container,
      expiresAt: manifest.metadata!.annotations!['podscope.io/expires-at']!,
      auditSession: audit.id,
    };
  };

  podCopyRoutes(app, ctx, config, leases);

  app.post<{ Params: { cluster: string; node: string } }>(
    '/api/clusters/:cluster/nodes/:node/debug',
    async (req, reply) => {
      readQuery(req.query, []);
      // The namespace of node pods is the server's setting (its policy governs them), never the request's.
      const body = readBody(req.body, ['image', 'profile']);
      const client = clientFor(ctx, req, req.params.cluster);
      const node = objectNameParam(req.params.node, 'Node name');
      const ns = await existingNamespace(client, config.nodeDebugNamespace);
      const image = imageParam(body);
      const profile = profileParam(body);
      const name = nodeDebugPodName(node, randomSuffix());
      const allowed: Authorization = await authorize(
        ctx,
        req,
        client,
        { namespace: ns, pod: name, container: NODE_DEBUG_CONTAINER },
        {
          action: 'node-debug',
          profile,
          nodeDebugEnabled: nodeDebugEnabled(ctx.execPolicy, client.cluster.name),
        },
        { node, image },
      );
      try {
        await client.json({ path: `/api/v1/nodes/${encodeURIComponent(node)}` });
      } catch (err) {
        if (err instanceof KubeApiError && err.status === 404)
          throw notFound(`There is no node "${node}" in this cluster.`);
        if (!(err instanceof KubeApiError && err.status === 403)) throw err;
      }
      const createdAt = new Date();
      const expiresAt = initialExpiry(createdAt, config);
      const audit = await startAudit(ctx, req, client, allowed, {
        kind: 'node-debug',
        namespace: ns,
        pod: name,
        container: NODE_DEBUG_CONTAINER,
        command: [],
        details: { node, image, profile, expiresAt: expiresAt.toISOString() },
      });
      const manifest = buildNodeDebugPod({
        name,
        namespace: ns,
        node,
        image,
        profile,
        marks: {
          kind: 'node',
          session: audit.id,
          owner: auditIdentity(ctx, req, client).user,
          source: `node ${node}`,
          createdAt,
          expiresAt,
        },
      });
      const created = await createDebugPod(client, audit, 'node', manifest, NODE_DEBUG_CONTAINER);
      void reply.code(201);
      return created;
    },
  );

  const nsBase = '/api/clusters/:cluster/namespaces/:namespace/debug-pods';

  app.get<{ Params: { cluster: string; namespace: string } }>(nsBase, async (req) => {
    readQuery(req.query, []);
    const client = clientFor(ctx, req, req.params.cluster);
    const ns = await existingNamespace(client, req.params.namespace);
    const list = await client.json<{ items: V1Pod[] }>({
      path: `/api/v1/namespaces/${ns}/pods`,
      query: { labelSelector: DEBUG_POD_SELECTOR },
    });
    const pods: DebugPodView[] = [];
    for (const p of list.items) {
      const m = readMarks(p as Pod);
      if (!m) continue;
      pods.push({
        kind: m.kind,
        namespace: m.namespace,
        pod: m.name,
        owner: m.owner,
        source: m.source,
        expiresAt: m.expiresAt?.toISOString() ?? null,
        phase: p.status?.phase ?? null,
        leased: leases.isLeased(client, ns, m.name),
      });
    }
    return { pods };
  });

  app.delete<{ Params: PodParams }>(`${nsBase}/:pod`, async (req) => {
    readQuery(req.query, []);
    const client = clientFor(ctx, req, req.params.cluster);
    const ns = await existingNamespace(client, req.params.namespace);
    const pod = podParam(req.params.pod);
    await getDebugPod(client, ns, pod);
    return { deleted: await leases.remove(client, ns, pod, 'deleted by the user') };
  });

  app.get<{ Params: PodParams }>(
    `${nsBase}/:pod/lease`,
    { websocket: true },
    async (socket, req: FastifyRequest<{ Params: PodParams }>) => {
      const sock = new JsonSocket(socket, req.log);
      try {
        readQuery(req.query, []);
        const client = clientFor(ctx, req, req.params.cluster);
        const ns = await existingNamespace(client, req.params.namespace, sock.signal);
        const pod = podParam(req.params.pod);
        const { marks } = await getDebugPod(client, ns, pod, sock.signal);
        if (sock.closed) return;
        const release = leases.acquire(
          client,
          ns,
          pod,
          marks.session,
          (why) => {
            void sock
              .send({ type: 'gone', message: why } satisfies LeaseMessage)
              .then(() => sock.close(1000, 'gone'));
          },
          (expiresAt) =>
            void sock.send({ type: 'renewed', expiresAt: expiresAt.toISOString() } satisfies LeaseMessage),
        );
        sock.signal.addEventListener('abort', release, { once: true });
        await sock.send({
          type: 'leased',
          pod,
          expiresAt: new Date(Date.now() + config.leaseGraceMs).toISOString(),
          graceSeconds: Math.round(config.leaseGraceMs / 1000),
        } satisfies LeaseMessage);
      } catch (err) {
        await sock.fail(err);
      }
    },
  );
}
