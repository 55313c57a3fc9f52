// What every route needs: the clusters, and who the request is from.
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { AuditStore, ReplicaId } from './audit/audit-store.js';
import type { Leadership } from './replicas/replicas.js';
import type { Limits } from './config/limits.js';
import type { ClusterRegistry } from './kube/cluster-registry.js';
import type { Identity } from './kube/identity.js';
import type { V1Pod } from '@kubernetes/client-node';
import type { KubeClient } from './kube/kube-client.js';
import { getPod } from './kube/pods.js';
import { KubeApiError, notFound } from './http/errors.js';
import { clusterParam, namespaceParam } from './http/params.js';
import type { ExecPolicyConfig } from './policy/exec-policy.js';
import type { AccessReviews } from './permissions/access-reviews.js';
import type { SessionStreamEnds } from './auth/session-stream-guard.js';

export interface ServerContext {
  registry: ClusterRegistry;
  /** Local mode: null (the kubeconfig's identity). Platform mode resolves the logged-in user here. */
  identityFor(req: FastifyRequest): Identity | null;
  log: FastifyBaseLogger;
  /** Where exec/debug sessions are recorded before their streams open, and terminal recordings kept. */
  audit: AuditStore;
  execPolicy: ExecPolicyConfig;
  /** Size cap of one recording, in bytes (config `recording.maxBytes`). */
  recordingMaxBytes: number;
  /** Bounds on streams and buffers (the config file's `limits`). */
  limits: Limits;
  /** This process among the replicas: the sessions it runs carry this id (src/server/replicas/). */
  replica: ReplicaId;
  /** Whether this replica runs the leader's duties now (the debug pod reaper, replica-lost recovery). */
  leadership: Leadership;
  /** What the person may do and who they are, asked of Kubernetes as them (cached briefly). */
  access: AccessReviews;
  /**
   * Token login and single sign-on: streams end with their login session (a plain 4401 close unless a
   * route registers its own way to end, as terminals do). Absent otherwise.
   */
  sessionStreams?: SessionStreamEnds;
}

/** A client for the `:cluster` route parameter, acting as the request's identity. */
export function clientFor(ctx: ServerContext, req: FastifyRequest, cluster: string): KubeClient {
  return ctx.registry.get(clusterParam(cluster)).client(ctx.identityFor(req));
}

/**
 * Validates `:namespace` and checks that it exists, so an unknown namespace is a 404 and not an
 * empty list. A user who may not read namespaces gets the benefit of the doubt.
 */
export async function existingNamespace(
  client: KubeClient,
  raw: string,
  signal?: AbortSignal,
): Promise<string> {
  const ns = namespaceParam(raw);
  try {
    await client.json({ path: `/api/v1/namespaces/${ns}`, signal });
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 404) {
      throw notFound(`Namespace "${ns}" does not exist in cluster "${client.cluster.name}".`);
    }
    if (!(err instanceof KubeApiError && err.status === 403)) throw err;
  }
  return ns;
}

/**
 * `existingNamespace` and the pod, read at once: one round trip to the API server instead of two in a
 * row. An unknown namespace is reported as such (its 404 wins over the pod's).
 */
export async function namespaceAndPod(
  client: KubeClient,
  rawNamespace: string,
  pod: string,
  signal?: AbortSignal,
): Promise<[string, V1Pod]> {
  const ns = namespaceParam(rawNamespace);
  const [checked, read] = await Promise.allSettled([
    existingNamespace(client, ns, signal),
    getPod(client, ns, pod, signal),
  ]);
  if (checked.status === 'rejected') throw checked.reason;
  if (read.status === 'rejected') throw read.reason;
  return [ns, read.value];
}
