// Gathers what the diagnosis rules read — the pod, its events, its owners, its claims, the pods of a stuck
// rollout and its log excerpts — with the caller's own client, so RBAC decides what is seen. Only reads.
// Whatever cannot be read becomes a gap with the reason, never a failed diagnosis; only the pod itself
// (or, for a namespace, the pod list) is required.

import type { V1Pod } from '@kubernetes/client-node';
import type { EventView } from '../../shared/api.js';
import { diagnosePod } from '../../shared/diagnosis/diagnose.js';
import { namespaceDiagnosis } from '../../shared/diagnosis/group.js';
import {
  claimNames,
  controllerRef,
  excerptFromText,
  LOG_LIMIT_BYTES,
  LOG_TAIL_LINES,
  logPlan,
  MAX_OWNER_DEPTH,
  OWNER_API,
  ownerResource,
} from '../../shared/diagnosis/inputs.js';
import { stuckReplicaSetName } from '../../shared/diagnosis/owners.js';
import type {
  DiagnosisInput,
  EvidenceGap,
  EvidenceSource,
  LogExcerpt,
  NamespaceDiagnosis,
  OwnerObject,
  PodDiagnosis,
} from '../../shared/diagnosis/types.js';
import { toEventView } from '../../shared/events/fold.js';
import { summarizePod } from '../../shared/pods/status.js';
import { asRecord, asString } from '../../shared/validation/json.js';
import { PodscopeError } from '../http/errors.js';
import { readAll, type KubeClient } from '../kube/kube-client.js';
import { getPod, podPath } from '../kube/pods.js';

/** Problem pods of a namespace whose output is read for the overview (the rest are diagnosed without it). */
export const NAMESPACE_LOG_PODS = 30;
/** Requests in flight at once while gathering a namespace's logs. */
const LOG_CONCURRENCY = 4;
const REQUEST_TIMEOUT_MS = 15_000;

interface ListOf<T = unknown> {
  items: T[];
}

/** Runs a read; a Kubernetes or network failure becomes a gap (and `fallback`), anything else is thrown. */
async function readOr<T>(
  gaps: EvidenceGap[],
  gap: Omit<EvidenceGap, 'reason'>,
  fallback: T,
  read: () => Promise<T>,
): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (!(err instanceof PodscopeError)) throw err;
    gaps.push({ ...gap, reason: err.message });
    return fallback;
  }
}

const nsPath = (ns: string) => `/api/v1/namespaces/${encodeURIComponent(ns)}`;

async function listEvents(
  client: KubeClient,
  ns: string,
  fieldSelector: string | undefined,
  signal?: AbortSignal,
): Promise<EventView[]> {
  const list = await client.json<ListOf>({
    path: `${nsPath(ns)}/events`,
    query: { fieldSelector },
    signal,
    timeoutMs: REQUEST_TIMEOUT_MS,
  });
  return list.items.map(toEventView);
}

async function readLog(
  client: KubeClient,
  ns: string,
  pod: string,
  container: string,
  previous: boolean,
  signal?: AbortSignal,
): Promise<LogExcerpt> {
  const res = await client.send({
    path: `${podPath(ns, pod)}/log`,
    query: {
      container,
      previous: previous || undefined,
      timestamps: true,
      tailLines: LOG_TAIL_LINES,
      limitBytes: LOG_LIMIT_BYTES,
    },
    signal,
    timeoutMs: REQUEST_TIMEOUT_MS,
  });
  const body = await readAll(res, LOG_LIMIT_BYTES * 2);
  return excerptFromText(container, previous, body.toString('utf8'));
}

/** The log excerpts `logPlan` asks for; each one that cannot be read is a gap of its own. */
async function gatherLogs(
  client: KubeClient,
  ns: string,
  pod: unknown,
  gaps: EvidenceGap[],
  signal?: AbortSignal,
): Promise<LogExcerpt[]> {
  const name = asString(asRecord(asRecord(pod)['metadata'])['name']) ?? '';
  const excerpts = await Promise.all(
    logPlan(pod).map(({ container, previous }) =>
      readOr<LogExcerpt | null>(gaps, { source: 'logs', container, previous }, null, () =>
        readLog(client, ns, name, container, previous, signal),
      ),
    ),
  );
  return excerpts.filter((e): e is LogExcerpt => e !== null);
}

async function getOwner(
  client: KubeClient,
  ns: string,
  kind: string,
  name: string,
  signal?: AbortSignal,
): Promise<unknown> {
  return client.json({
    path: `${OWNER_API[kind]}/namespaces/${encodeURIComponent(ns)}/${ownerResource(kind)}/${encodeURIComponent(name)}`,
    signal,
    timeoutMs: REQUEST_TIMEOUT_MS,
  });
}

/** Everything the rules read about one pod. */
export async function gatherPodInputs(
  client: KubeClient,
  ns: string,
  name: string,
  now: () => Date,
  signal?: AbortSignal,
): Promise<DiagnosisInput> {
  const pod: V1Pod = await getPod(client, ns, name, signal);
  const gaps: EvidenceGap[] = [];
  const uid = pod.metadata?.uid;
  const gapOf = (source: EvidenceSource) => ({ source });

  const owners: OwnerObject[] = [];
  let ref = controllerRef(pod);
  while (ref && owners.length < MAX_OWNER_DEPTH) {
    const current = ref;
    const object = await readOr<unknown>(gaps, gapOf('owners'), null, () =>
      getOwner(client, ns, current.kind, current.name, signal),
    );
    if (object === null) break;
    owners.push({ ...current, object });
    ref = controllerRef(object);
  }

  const related = [
    ...owners.map((o) => ({ kind: o.kind, name: o.name })),
    ...claimNames(pod).map((c) => ({ kind: 'PersistentVolumeClaim', name: c })),
  ];
  const [podEvents, relatedEvents, claims, rolloutPods, logs] = await Promise.all([
    readOr<EventView[] | undefined>(gaps, gapOf('events'), undefined, () =>
      listEvents(
        client,
        ns,
        `involvedObject.kind=Pod,involvedObject.name=${name}${uid ? `,involvedObject.uid=${uid}` : ''}`,
        signal,
      ),
    ),
    // Events about owners and claims: without them the findings still stand (the objects say enough).
    Promise.all(
      related.map((r) =>
        listEvents(client, ns, `involvedObject.kind=${r.kind},involvedObject.name=${r.name}`, signal).catch(
          (err: unknown) => {
            if (err instanceof PodscopeError) return [];
            throw err;
          },
        ),
      ),
    ),
    Promise.all(
      claimNames(pod).map((claim) =>
        readOr<unknown>(gaps, gapOf('claims'), null, async () => {
          try {
            return await client.json({
              path: `${nsPath(ns)}/persistentvolumeclaims/${encodeURIComponent(claim)}`,
              signal,
              timeoutMs: REQUEST_TIMEOUT_MS,
            });
          } catch (err) {
            // A claim that does not exist is a finding of its own (the rules see it missing), not a gap.
            if (err instanceof PodscopeError && err.status === 404) return null;
            throw err;
          }
        }),
      ),
    ),
    stuckRolloutPods(client, ns, owners, gaps, signal),
    gatherLogs(client, ns, pod, gaps, signal),
  ]);
  return {
    pod,
    events: podEvents === undefined ? undefined : [...podEvents, ...relatedEvents.flat()],
    owners,
    claims: claims.filter((c) => c !== null),
    rolloutPods,
    logs,
    gaps,
    now: now(),
  };
}

/** The pods of the ReplicaSet a stuck rollout waits for (by that ReplicaSet's own selector). */
async function stuckRolloutPods(
  client: KubeClient,
  ns: string,
  owners: OwnerObject[],
  gaps: EvidenceGap[],
  signal?: AbortSignal,
): Promise<unknown[]> {
  const deployment = owners.find((o) => o.kind === 'Deployment');
  const rsName = deployment ? stuckReplicaSetName(deployment.object) : null;
  if (rsName === null) return [];
  return readOr<unknown[]>(gaps, { source: 'rollout' }, [], async () => {
    const rs =
      owners.find((o) => o.kind === 'ReplicaSet' && o.name === rsName)?.object ??
      (await getOwner(client, ns, 'ReplicaSet', rsName, signal));
    const labels = asRecord(asRecord(asRecord(asRecord(rs)['spec'])['selector'])['matchLabels']);
    const selector = Object.entries(labels)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(',');
    if (selector === '') return [];
    const list = await client.json<ListOf>({
      path: `${nsPath(ns)}/pods`,
      query: { labelSelector: selector },
      signal,
      timeoutMs: REQUEST_TIMEOUT_MS,
    });
    return list.items;
  });
}

export async function diagnosePodNamed(
  client: KubeClient,
  ns: string,
  name: string,
  now: () => Date = () => new Date(),
  signal?: AbortSignal,
): Promise<PodDiagnosis> {
  return diagnosePod(await gatherPodInputs(client, ns, name, now, signal));
}

/**
 * Every pod of a namespace, from one list of each kind (pods, events, ReplicaSets, Deployments, Jobs,
 * claims), plus — with `logs` — the output of up to NAMESPACE_LOG_PODS problem pods.
 */
export async function diagnoseNamespace(
  client: KubeClient,
  ns: string,
  opts: { logs: boolean; now?: () => Date; signal?: AbortSignal },
): Promise<NamespaceDiagnosis> {
  const { signal } = opts;
  const now = opts.now ?? (() => new Date());
  const list = (path: string, query: Record<string, string> = {}) =>
    client.json<ListOf>({ path, query, signal, timeoutMs: REQUEST_TIMEOUT_MS }).then((l) => l.items);
  const pods = await list(`${nsPath(ns)}/pods`);
  const gaps: EvidenceGap[] = [];
  const apps = `/apis/apps/v1/namespaces/${encodeURIComponent(ns)}`;
  const batch = `/apis/batch/v1/namespaces/${encodeURIComponent(ns)}`;
  const needsOwners = pods.some((p) => controllerRef(p) !== null);
  const needsClaims = pods.some((p) => claimNames(p).length > 0);
  const [events, replicaSets, deployments, jobs, claims] = await Promise.all([
    readOr<EventView[] | undefined>(gaps, { source: 'events' }, undefined, () =>
      listEvents(client, ns, undefined, signal),
    ),
    needsOwners ? readOr<unknown[]>(gaps, { source: 'owners' }, [], () => list(`${apps}/replicasets`)) : [],
    needsOwners ? readOr<unknown[]>(gaps, { source: 'owners' }, [], () => list(`${apps}/deployments`)) : [],
    needsOwners ? readOr<unknown[]>(gaps, { source: 'owners' }, [], () => list(`${batch}/jobs`)) : [],
    needsClaims
      ? readOr<unknown[]>(gaps, { source: 'claims' }, [], () => list(`${nsPath(ns)}/persistentvolumeclaims`))
      : [],
  ]);
  const byKindName = new Map<string, unknown>();
  const nameOf = (o: unknown) => asString(asRecord(asRecord(o)['metadata'])['name']) ?? '';
  for (const [kind, items] of [
    ['ReplicaSet', replicaSets],
    ['Deployment', deployments],
    ['Job', jobs],
  ] as const) {
    for (const item of items) byKindName.set(`${kind}/${nameOf(item)}`, item);
  }
  const claimByName = new Map(claims.map((c) => [nameOf(c), c]));
  const at = now();
  const problemPods = new Set(
    pods
      .filter((p) => summarizePod(p, at).problem)
      .slice(0, NAMESPACE_LOG_PODS)
      .map(nameOf),
  );

  const inputs: DiagnosisInput[] = [];
  const logGapsByPod = new Map<string, EvidenceGap[]>();
  const logsByPod = await mapLimit(pods, LOG_CONCURRENCY, async (p) => {
    if (!opts.logs || !problemPods.has(nameOf(p))) return [];
    const podGaps: EvidenceGap[] = [];
    logGapsByPod.set(nameOf(p), podGaps);
    return gatherLogs(client, ns, p, podGaps, signal);
  });
  pods.forEach((pod, i) => {
    const owners: OwnerObject[] = [];
    let ref = controllerRef(pod);
    while (ref && owners.length < MAX_OWNER_DEPTH) {
      const object = byKindName.get(`${ref.kind}/${ref.name}`);
      if (object === undefined) break;
      owners.push({ ...ref, object });
      ref = controllerRef(object);
    }
    const deployment = owners.find((o) => o.kind === 'Deployment');
    const stuckRs = deployment ? stuckReplicaSetName(deployment.object) : null;
    const rolloutPods =
      stuckRs === null
        ? []
        : pods.filter((p) => controllerRef(p)?.name === stuckRs && controllerRef(p)?.kind === 'ReplicaSet');
    inputs.push({
      pod,
      events,
      owners,
      claims: claimNames(pod).flatMap((c) => (claimByName.has(c) ? [claimByName.get(c)] : [])),
      rolloutPods,
      logs: logsByPod[i],
      gaps: [...gaps, ...(logGapsByPod.get(nameOf(pod)) ?? [])],
      now: at,
    });
  });
  return namespaceDiagnosis(ns, inputs.map(diagnosePod), gaps, at);
}

/** `fn` over `items` with at most `limit` running at once; results in the items' order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
