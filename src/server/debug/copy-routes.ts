// Pod copies: the plan (what the copy changes from the original, shown before creating) and the copy
// itself, which no controller may adopt or count, and which answers once its container sleeps — or
// with the reason it does not, from its own status and events.
//
//   POST /api/clusters/:c/namespaces/:ns/pods/:pod/copies/plan   body PodCopyCreate → PodCopyPlanView
//   POST /api/clusters/:c/namespaces/:ns/pods/:pod/copies        body PodCopyCreate → 201 DebugPodCreated
//
// Creating goes decide (policy) → plan → record (audit, with the plan) → create → wait → check that
// nothing adopted or selects the copy (a controller created meanwhile) → lease.
import type { FastifyInstance } from 'fastify';
import type { CoreV1EventList, V1Pod } from '@kubernetes/client-node';
import {
  adoptedBy,
  adoptionError,
  copyStartOutcome,
  explainCreateRefusal,
  explainTimeout,
  type CopyEvent,
} from '../../shared/debug/copy-outcome.js';
import type { DebugPodCreated, PodCopyCreate, PodCopyPlanView } from '../../shared/debug/debug-api.js';
import { EXPIRES_AT_ANNOTATION, type DebugPodMarks } from '../../shared/debug/debug-pod-marks.js';
import { describeSelector, selectorMatches } from '../../shared/debug/label-selector.js';
import { enforceNonRootPod } from '../../shared/debug/non-root.js';
import { copyName, planPodCopy, type CopyFacts, type PodCopyPlan } from '../../shared/debug/pod-copy.js';
import type { DebugProfile } from '../../shared/debug/profiles.js';
import type { Pod } from '../../shared/debug/types.js';
import { clientFor, existingNamespace, type ServerContext } from '../context.js';
import { badRequest, KubeApiError, PodscopeError } from '../http/errors.js';
import { podParam, readQuery } from '../http/params.js';
import type { KubeClient } from '../kube/kube-client.js';
import { getPod, waitForPod } from '../kube/pods.js';
import { decideAction, decisionLabel, type ActionDecision } from '../policy/action-policy.js';
import {
  auditIdentity,
  authorize,
  endAuditFailed,
  policyAt,
  recordRefusal,
  startAudit,
  type AuditHandle,
} from '../policy/gate.js';
import { gatherCopyFacts, selectorFacts } from './copy-facts.js';
import { imageParam, optBool, profileParam, readBody, requiredName } from './debug-body.js';
import { initialExpiry, type DebugConfig } from './debug-config.js';
import { deleteDebugPod, randomSuffix, type DebugPodLeases } from './debug-pods.js';

type PodParams = { cluster: string; namespace: string; pod: string };

const COPY_FIELDS: readonly (keyof PodCopyCreate)[] = [
  'container',
  'runInitContainers',
  'keepLabels',
  'replaceImage',
  'image',
  'sameNode',
  'profile',
];

interface CopyRequest {
  container: string;
  runInitContainers: boolean;
  keepLabels: boolean;
  sameNode: boolean;
  profile: DebugProfile;
  /** The image to run instead of the container's own, if asked. */
  replaceImage: string | undefined;
}

function parseCopyRequest(raw: unknown, config: DebugConfig): CopyRequest {
  const body = readBody(raw, COPY_FIELDS);
  const replace = optBool(body, 'replaceImage');
  const image = imageParam(config, body);
  if (body['image'] !== undefined && !replace)
    throw badRequest('"image" is only used with "replaceImage": true.');
  return {
    container: requiredName(body, 'container'),
    runInitContainers: optBool(body, 'runInitContainers', true),
    keepLabels: optBool(body, 'keepLabels'),
    sameNode: optBool(body, 'sameNode'),
    profile: profileParam(config, body),
    replaceImage: replace ? image : undefined,
  };
}

/** The plan, with what the non-root policy adds to it. */
function planCopy(
  source: Pod,
  request: CopyRequest,
  name: string,
  marks: DebugPodMarks,
  facts: CopyFacts,
  decision: ActionDecision,
) {
  const plan = planPodCopy(source, { ...request, name, marks }, facts);
  if (plan.ok && decision.verdict === 'allow-as-user') {
    const uid = decision.user as number;
    enforceNonRootPod(plan.value.pod, uid);
    plan.value.changes.push({
      kind: 'security',
      text: `Non-root policy: every container runs with runAsNonRoot and without privilege escalation; those that name no user (or root) run as ${uid}.`,
    });
  }
  return plan;
}

function planView(source: string, plan: PodCopyPlan, node: string | null): PodCopyPlanView {
  return {
    source,
    target: plan.target,
    node,
    changes: plan.changes,
    warnings: plan.warnings,
    droppedLabels: plan.droppedLabels,
  };
}

async function listEvents(client: KubeClient, ns: string, fieldSelector: string): Promise<CopyEvent[]> {
  try {
    const list = await client.json<CoreV1EventList>({
      path: `/api/v1/namespaces/${encodeURIComponent(ns)}/events`,
      query: { fieldSelector },
    });
    return list.items as CopyEvent[];
  } catch {
    return []; // The explanation is then built from the status alone.
  }
}

/** Pods a controller reports having deleted since `since` (its SuccessfulDelete events), by controller. */
async function deletionsSince(
  client: KubeClient,
  ns: string,
  since: Date,
): Promise<{ controller: string; pod: string }[]> {
  const events = (await listEvents(client, ns, 'reason=SuccessfulDelete')) as (CopyEvent & {
    involvedObject?: { kind?: string; name?: string };
  })[];
  return events.flatMap((e) => {
    const t = Date.parse(e.lastTimestamp ?? e.eventTime ?? '');
    const pod = /Deleted pod: (\S+)/.exec(e.message ?? '')?.[1];
    if (!pod || !(t >= since.getTime() - 1000)) return [];
    return [{ controller: `${e.involvedObject?.kind ?? ''} ${e.involvedObject?.name ?? ''}`, pod }];
  });
}

export function podCopyRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  config: DebugConfig,
  leases: DebugPodLeases,
): void {
  const podBase = '/api/clusters/:cluster/namespaces/:namespace/pods/:pod';

  app.post<{ Params: PodParams }>(`${podBase}/copies/plan`, async (req) => {
    readQuery(req.query, []);
    const request = parseCopyRequest(req.body, config);
    const client = clientFor(ctx, req, req.params.cluster);
    const ns = await existingNamespace(client, req.params.namespace);
    const podName = podParam(req.params.pod);
    const source = (await getPod(client, ns, podName)) as Pod;
    // Nothing happens here, so a refusal is answered but not recorded; creating records it.
    const decision = decideAction(await policyAt(ctx, client, ns), {
      action: 'pod-copy',
      profile: request.profile,
    });
    if (decision.verdict === 'refuse') throw new PodscopeError(403, decision.reason);
    const facts = await gatherCopyFacts(client, ns, source);
    const now = new Date();
    const marks = pendingMarks(now, config);
    const plan = planCopy(source, request, copyName(podName, 'xxxxx'), marks, facts, decision);
    if (!plan.ok) throw new PodscopeError(plan.status, plan.error);
    return planView(podName, plan.value, plan.value.node);
  });

  app.post<{ Params: PodParams }>(`${podBase}/copies`, async (req, reply) => {
    readQuery(req.query, []);
    const request = parseCopyRequest(req.body, config);
    const client = clientFor(ctx, req, req.params.cluster);
    const ns = await existingNamespace(client, req.params.namespace);
    const podName = podParam(req.params.pod);
    const source = (await getPod(client, ns, podName)) as Pod;
    const allowed = await authorize(
      ctx,
      req,
      client,
      { namespace: ns, pod: podName, container: request.container },
      { action: 'pod-copy', profile: request.profile },
      {
        keepLabels: request.keepLabels,
        sameNode: request.sameNode,
        replaceImage: request.replaceImage !== undefined,
        runInitContainers: request.runInitContainers,
      },
    );
    const name = copyName(podName, randomSuffix());
    const createdAt = new Date();
    const expiresAt = initialExpiry(createdAt, config);
    const facts = await gatherCopyFacts(client, ns, source);
    // Plan before recording, so a bad request leaves no record of an action that never happened; a
    // pod that cannot be copied so (a ReadWriteOncePod volume, a controller that would adopt it
    // whatever its labels) is a refusal, and recorded as one.
    const dryRun = planCopy(source, request, name, pendingMarks(createdAt, config), facts, allowed.decision);
    if (!dryRun.ok) {
      if (dryRun.status === 422) {
        await recordRefusal(ctx, req, client, {
          kind: 'copy',
          namespace: ns,
          pod: podName,
          container: request.container,
          command: [],
          policy: decisionLabel(allowed.decision),
          details: { ...requestDetails(request), copy: name },
          reason: dryRun.error,
        });
      }
      throw new PodscopeError(dryRun.status, dryRun.error);
    }
    const audit = await startAudit(ctx, req, client, allowed, {
      kind: 'copy',
      namespace: ns,
      pod: podName,
      container: request.container,
      command: [],
      details: {
        ...requestDetails(request),
        copy: name,
        expiresAt: expiresAt.toISOString(),
        target: dryRun.value.target,
        node: dryRun.value.node,
        changes: dryRun.value.changes,
        warnings: dryRun.value.warnings,
        droppedLabels: dryRun.value.droppedLabels,
      },
    });
    const marks: DebugPodMarks = {
      kind: 'copy',
      session: audit.id,
      owner: auditIdentity(ctx, req, client).user,
      source: `pod ${ns}/${podName}`,
      createdAt,
      expiresAt,
    };
    const built = planCopy(source, request, name, marks, facts, allowed.decision);
    if (!built.ok) {
      const err = new PodscopeError(built.status, built.error);
      await endAuditFailed(ctx, audit, err);
      throw err;
    }
    const plan = built.value;
    const node = await createAndCheck(client, audit, ns, plan, createdAt);
    // The grace period starts now: the browser opens its lease as soon as it has this answer.
    leases.track(client, ns, name, audit.id);
    void reply.code(201);
    return {
      kind: 'copy',
      namespace: ns,
      pod: name,
      container: plan.target.name,
      expiresAt: plan.pod.metadata!.annotations![EXPIRES_AT_ANNOTATION]!,
      auditSession: audit.id,
      plan: planView(podName, plan, node),
    } satisfies DebugPodCreated;
  });

  /**
   * Creates the copy and waits for its container; then checks that no controller adopted or selects
   * it. Any failure deletes the copy and ends the audit session with the reason. Resolves the node.
   */
  const createAndCheck = async (
    client: KubeClient,
    audit: AuditHandle,
    ns: string,
    plan: PodCopyPlan,
    createdAt: Date,
  ): Promise<string | null> => {
    const name = plan.pod.metadata!.name!;
    const target = plan.target.name;
    let created: V1Pod;
    try {
      created = await client.json<V1Pod>({
        method: 'POST',
        path: `/api/v1/namespaces/${ns}/pods`,
        body: plan.pod,
        timeoutMs: config.podCreateTimeoutMs,
      });
    } catch (err) {
      const explained =
        err instanceof KubeApiError ? explainCreateRefusal(err.status, err.kubeMessage) : null;
      const failure = explained
        ? new PodscopeError(err instanceof KubeApiError ? err.status : 500, explained)
        : err;
      await endAuditFailed(ctx, audit, failure);
      throw failure;
    }
    try {
      const outcome = await waitForPod(
        client,
        ns,
        name,
        (p) => copyStartOutcome(p as Pod, target),
        new AbortController().signal,
        config.startTimeoutMs,
        created,
      );
      if (outcome === null) {
        const by = (await deletionsSince(client, ns, createdAt)).find((d) => d.pod === name);
        throw new PodscopeError(
          409,
          by
            ? `${by.controller} deleted the copy while it started: it had adopted it (its selector matches the copy's labels).`
            : `The copy was deleted while its container started.`,
        );
      }
      if (outcome === undefined) {
        const now = await getPod(client, ns, name).catch(() => null);
        const events = await listEvents(client, ns, `involvedObject.kind=Pod,involvedObject.name=${name}`);
        throw new PodscopeError(
          504,
          explainTimeout(now as Pod | null, events, target, config.startTimeoutMs / 1000),
        );
      }
      if (!outcome.ok) {
        throw new PodscopeError(outcome.adoptedBy ? 409 : 422, await withDeletions(outcome, createdAt));
      }
      // Running. A controller created (or changed) since the plan may select the copy now.
      const running = (await getPod(client, ns, name)) as Pod;
      const owner = adoptedBy(running);
      if (owner)
        throw new PodscopeError(
          409,
          await withDeletions({ error: adoptionError(owner), adoptedBy: owner }, createdAt),
        );
      const labels = running.metadata?.labels ?? {};
      const selecting = (await selectorFacts(client, ns)).selectors.find((o) =>
        selectorMatches(o.selector, labels),
      );
      if (selecting) {
        throw new PodscopeError(
          409,
          `${selecting.kind} ${selecting.name} (${describeSelector(selecting.selector)}) selects the copy: it appeared or changed after Podscope checked, so the copy was deleted before anything adopted it. Create it again.`,
        );
      }
      return running.spec?.nodeName ?? null;
    } catch (err) {
      await deleteDebugPod(client, ns, name).catch(() => undefined);
      await endAuditFailed(ctx, audit, err);
      throw err;
    }

    async function withDeletions(
      outcome: { error: string; adoptedBy?: string },
      since: Date,
    ): Promise<string> {
      if (!outcome.adoptedBy) return outcome.error;
      const others = (await deletionsSince(client, ns, since)).filter(
        (d) => d.controller === outcome.adoptedBy && d.pod !== name,
      );
      return others.length > 0
        ? `${outcome.error} Meanwhile it deleted ${others.map((d) => `pod ${d.pod}`).join(', ')} to get back to its count.`
        : outcome.error;
    }
  };
}

function pendingMarks(now: Date, config: DebugConfig): DebugPodMarks {
  return {
    kind: 'copy',
    session: 'pending',
    owner: '',
    source: '',
    createdAt: now,
    expiresAt: initialExpiry(now, config),
  };
}

function requestDetails(r: CopyRequest): Record<string, unknown> {
  return {
    profile: r.profile,
    keepLabels: r.keepLabels,
    sameNode: r.sameNode,
    runInitContainers: r.runInitContainers,
    image: r.replaceImage ?? null,
  };
}
