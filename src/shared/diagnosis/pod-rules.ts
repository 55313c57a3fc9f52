// Pod-level situations: cannot be scheduled (the scheduler's reasons, one by one), held by a scheduling
// gate, stuck in ContainerCreating (volumes, sandbox), evicted, refused by the kubelet, past its deadline,
// or deleted but not going away.

import { asArray, asNumber, asRecord, asString, type JsonRecord } from '../validation/json.js';
import { quote } from './log-excerpts.js';
import { condition, formatDuration, plural, secondsBetween } from './pod-facts.js';
import { formatResource, parseQuantity } from './quantity.js';
import { parseMountFailure } from './references.js';
import {
  draft,
  eventEvidence,
  fieldEvidence,
  lastOf,
  steps,
  type DraftFinding,
  type RuleContext,
} from './rule-context.js';
import { parseSchedulingMessage, type SchedulingReason } from './scheduling.js';
import { claimNames } from './inputs.js';
import type { Evidence } from './types.js';

/** A pod deleted this long past its grace period is stuck (kubectl's printer uses the same minute). */
export const STUCK_TERMINATING_SECONDS = 60;

export function podRules(ctx: RuleContext): DraftFinding[] {
  return [
    unschedulable(ctx),
    schedulingGated(ctx),
    stuckCreating(ctx),
    terminatingStuck(ctx),
    evicted(ctx),
    admissionRejected(ctx),
    deadlineExceeded(ctx),
  ].filter((f): f is DraftFinding => f !== null);
}

// ── Scheduling ──────────────────────────────────────────────────────────────────────────────────────────

function unschedulable(ctx: RuleContext): DraftFinding | null {
  const cond = condition(ctx.pod, 'PodScheduled');
  if (ctx.pod.nodeName !== null || cond?.status !== 'False' || cond.reason !== 'Unschedulable') return null;
  const event = lastOf(ctx.podEvents.filter((e) => e.reason === 'FailedScheduling'));
  const message = cond.message ?? event?.message ?? '';
  const parsed = parseSchedulingMessage(message);
  const spec = asRecord(ctx.pod.raw['spec']);
  const total = parsed.total;
  const parts: string[] = [];
  const causes: string[] = [];
  const evidence: (Evidence | null)[] = [
    fieldEvidence(
      'why the scheduler cannot place it',
      'status.conditions[type="PodScheduled"].message',
      message,
      {
        time: cond.lastTransitionTime,
      },
    ),
    event ? eventEvidence("the scheduler's last attempt", event) : null,
  ];
  const seen = new Set<string>();
  for (const r of parsed.reasons) {
    const key = `${r.kind}:${r.resource ?? r.taint ?? r.claim ?? r.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const nodes = nodesWord(r.nodes, total);
    switch (r.kind) {
      case 'insufficient-resource': {
        const resource = r.resource!;
        const request = podRequest(spec, resource);
        parts.push(
          `${nodes.subject} ${nodes.verb('has', 'have')} too little unrequested ${resource} left for its request of ${request ?? 'it'}`,
        );
        causes.push(`insufficient ${resource}`);
        for (const ref of requestFields(spec, resource)) evidence.push(ref);
        break;
      }
      case 'node-selector': {
        const selector = asRecord(spec['nodeSelector']);
        const pairs = Object.entries(selector).map(([k, v]) => `${k}=${String(v)}`);
        const affinity = asRecord(asRecord(spec['affinity'])['nodeAffinity'])[
          'requiredDuringSchedulingIgnoredDuringExecution'
        ];
        const what = pairs.length ? `its node selector ${pairs.join(', ')}` : 'its required node affinity';
        parts.push(
          `${nodes.subject} ${nodes.verb('does', 'do')} not match ${what}${pairs.length && affinity ? ' (or its node affinity)' : ''}`,
        );
        causes.push(
          pairs.length
            ? `node selector ${pairs.join(', ')} matches no node`
            : 'node affinity matches no node',
        );
        if (pairs.length) evidence.push(fieldEvidence('node selector', 'spec.nodeSelector', selector));
        if (affinity)
          evidence.push(
            fieldEvidence(
              'required node affinity',
              'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution',
              affinity,
            ),
          );
        break;
      }
      case 'untolerated-taint': {
        const taint = (r.taint ?? '').trim().replace(/: ?$/, '');
        parts.push(
          `${nodes.subject} ${nodes.verb('has', 'have')} the taint ${taint} that it does not tolerate`,
        );
        causes.push(`untolerated taint ${taint}`);
        const tolerations = asArray(spec['tolerations']);
        evidence.push(fieldEvidence('tolerations', 'spec.tolerations', tolerations));
        break;
      }
      case 'unbound-claim':
      case 'missing-claim': {
        const claims = claimDetails(ctx, r);
        for (const c of claims) {
          parts.push(c.sentence);
          causes.push(c.cause);
          evidence.push(...c.evidence);
        }
        if (claims.length === 0) {
          parts.push(
            r.kind === 'missing-claim'
              ? `its PersistentVolumeClaim "${r.claim}" does not exist`
              : 'a PersistentVolumeClaim it mounts is not bound',
          );
          causes.push(
            r.kind === 'missing-claim'
              ? `PersistentVolumeClaim "${r.claim}" does not exist`
              : 'unbound PersistentVolumeClaim',
          );
        }
        break;
      }
      case 'too-many-pods':
        parts.push(
          `${nodes.subject} already ${nodes.verb('runs', 'run')} as many pods as ${nodes.verb('it allows', 'they allow')} (maxPods)`,
        );
        causes.push('too many pods on the nodes');
        break;
      case 'host-ports':
        parts.push(`${nodes.subject} ${nodes.verb('has', 'have')} the host port it asks for in use`);
        causes.push('host port in use');
        break;
      case 'pod-affinity':
        parts.push(`${nodes.subject} ${nodes.verb('does', 'do')} not satisfy its pod affinity rules`);
        causes.push('pod affinity not satisfied');
        break;
      case 'pod-anti-affinity':
        parts.push(
          `${nodes.subject} ${nodes.verb('conflicts', 'conflict')} with pod anti-affinity rules (${r.text})`,
        );
        causes.push('pod anti-affinity');
        break;
      case 'node-unschedulable':
        parts.push(`${nodes.subject} ${nodes.verb('is', 'are')} cordoned (marked unschedulable)`);
        causes.push('nodes cordoned');
        break;
      case 'topology-spread':
        parts.push(`${nodes.subject} would break its topology spread constraints`);
        causes.push('topology spread constraints');
        break;
      case 'volume-node-affinity':
        parts.push(`${nodes.subject} cannot reach its volumes (volume node affinity conflict)`);
        causes.push('volume node affinity conflict');
        break;
      case 'volume-limit':
        parts.push(
          `${nodes.subject} ${nodes.verb('has', 'have')} as many volumes attached as ${nodes.verb('it allows', 'they allow')}`,
        );
        causes.push('volume limit reached');
        break;
      case 'no-nodes':
        parts.push('the cluster has no nodes to run it on');
        causes.push('no nodes');
        break;
      default:
        parts.push(`${nodes.subject}: ${r.text}`);
        causes.push(quote(r.text, 60));
    }
  }
  const where = total === null || total <= 1 ? '' : ` on any of the ${total} nodes`;
  const summary = parts.length
    ? `The pod cannot be scheduled${where}: ${parts.join('; ')}.`
    : `The pod cannot be scheduled: ${message || 'the scheduler gave no reason'}.`;
  const preemption =
    parsed.preemption && /not helpful|No preemption victims/.test(parsed.preemption)
      ? ' Preempting lower-priority pods would not help.'
      : '';
  return draft(
    {
      id: 'unschedulable',
      severity: 'error',
      summary,
      hint: schedulingHint(parsed.reasons) + preemption || null,
      cause: `cannot be scheduled: ${causes.join(', ')}`,
      evidence,
      nextSteps: [steps.events(), steps.containers(null)],
    },
    [{ source: 'events' }, { source: 'claims' }],
  );
}

function nodesWord(n: number, total: number | null) {
  const one = n === 1;
  const subject =
    total === 1 && n === 1
      ? 'the node'
      : total !== null && n === total
        ? `all ${total} nodes`
        : plural(n, 'node');
  return {
    subject,
    verb: (singular: string, many: string) => (one && subject !== `all ${total} nodes` ? singular : many),
  };
}

function schedulingHint(reasons: SchedulingReason[]): string {
  const kinds = new Set(reasons.map((r) => r.kind));
  if (kinds.has('insufficient-resource'))
    return 'Lower the request, or add capacity (a bigger node, or free resources by scaling other workloads down).';
  if (kinds.has('node-selector')) return 'Label a node to match, or fix the selector.';
  if (kinds.has('untolerated-taint'))
    return 'Add a matching toleration if the pod belongs there, or schedule it elsewhere.';
  if (kinds.has('unbound-claim') || kinds.has('missing-claim'))
    return 'Fix the claim: its StorageClass must exist and be able to provision, or a matching PersistentVolume must exist.';
  return '';
}

/** The pod's effective request: the sum over app containers and sidecars, or the largest init container's. */
function podRequest(spec: JsonRecord, resource: string): string | null {
  const amount = (c: unknown): number => {
    const r = asRecord(asRecord(c)['resources']);
    const v = asRecord(r['requests'])[resource] ?? asRecord(r['limits'])[resource];
    return typeof v === 'string' ? (parseQuantity(v) ?? 0) : typeof v === 'number' ? v : 0;
  };
  const inits = asArray(spec['initContainers']);
  const sidecars = inits.filter((c) => asRecord(c)['restartPolicy'] === 'Always');
  const sum = [...asArray(spec['containers']), ...sidecars].reduce<number>((s, c) => s + amount(c), 0);
  const maxInit = inits.reduce<number>((m, c) => Math.max(m, amount(c)), 0);
  const total = Math.max(sum, maxInit);
  return total > 0 ? formatResource(resource, total) : null;
}

function requestFields(spec: JsonRecord, resource: string): Evidence[] {
  const out: Evidence[] = [];
  for (const [list, items] of [
    ['containers', spec['containers']],
    ['initContainers', spec['initContainers']],
  ] as const) {
    for (const c of asArray(items).map(asRecord)) {
      const name = asString(c['name']) ?? '';
      const r = asRecord(c['resources']);
      const req = asRecord(r['requests'])[resource];
      if (req !== undefined) {
        out.push(
          fieldEvidence(
            `${resource} request of ${name}`,
            `spec.${list}[name="${name}"].resources.requests.${resource}`,
            String(req),
            { container: name },
          ),
        );
      }
    }
  }
  return out;
}

function claimDetails(ctx: RuleContext, r: SchedulingReason) {
  const names = r.kind === 'missing-claim' && r.claim ? [r.claim] : claimNames(ctx.pod.raw);
  const objects = new Map(
    (ctx.input.claims ?? []).map(
      (c) => [asString(asRecord(asRecord(c)['metadata'])['name']) ?? '', asRecord(c)] as const,
    ),
  );
  const out: { sentence: string; cause: string; evidence: Evidence[] }[] = [];
  for (const name of names) {
    const claim = objects.get(name);
    const object = `PersistentVolumeClaim/${name}`;
    if (!claim) {
      if (ctx.gap('claims') || r.kind !== 'missing-claim') continue;
      out.push({
        sentence: `its PersistentVolumeClaim "${name}" does not exist`,
        cause: `PersistentVolumeClaim "${name}" does not exist`,
        evidence: [],
      });
      continue;
    }
    const phase = asString(asRecord(claim['status'])['phase']) ?? 'Pending';
    if (phase === 'Bound') continue;
    const storageClass = asString(asRecord(claim['spec'])['storageClassName']);
    const event = lastOf(ctx.eventsAbout('PersistentVolumeClaim', name).filter((e) => e.type === 'Warning'));
    const why = event ? `: ${event.message}` : storageClass ? ` (StorageClass "${storageClass}")` : '';
    out.push({
      sentence: `its PersistentVolumeClaim "${name}" is not bound (${phase}${why})`,
      cause: `PersistentVolumeClaim "${name}" is not bound${event ? ` — ${quote(event.message, 60)}` : ''}`,
      evidence: [
        fieldEvidence('claim phase', 'status.phase', phase, { object }),
        storageClass
          ? fieldEvidence('storage class', 'spec.storageClassName', storageClass, { object })
          : null,
        event ? eventEvidence(`why claim ${name} is not bound`, event) : null,
      ].filter((e): e is Evidence => e !== null),
    });
  }
  return out;
}

function schedulingGated(ctx: RuleContext): DraftFinding | null {
  const cond = condition(ctx.pod, 'PodScheduled');
  if (cond?.reason !== 'SchedulingGated' || cond.status !== 'False') return null;
  const gates = asArray(asRecord(ctx.pod.raw['spec'])['schedulingGates'])
    .map((g) => asString(asRecord(g)['name']))
    .filter((g): g is string => g !== null);
  const waiting = secondsBetween(cond.lastTransitionTime ?? ctx.pod.createdAt, ctx.now);
  return draft(
    {
      id: 'scheduling-gated',
      severity: 'warning',
      summary: `The pod is not scheduled because it still has the scheduling gate${gates.length === 1 ? '' : 's'} ${gates.join(', ') || '(unnamed)'}${waiting !== null ? `, for ${formatDuration(waiting)} now` : ''}; whatever added ${gates.length === 1 ? 'it' : 'them'} must remove ${gates.length === 1 ? 'it' : 'them'}.`,
      hint: 'Scheduling gates are removed by the controller that set them (a queue, a quota manager); check that it runs.',
      cause: `cannot be scheduled until the gate ${gates.join(', ')} is removed`,
      evidence: [
        fieldEvidence('scheduling gates', 'spec.schedulingGates', gates.join(', ')),
        fieldEvidence('scheduled', 'status.conditions[type="PodScheduled"].reason', 'SchedulingGated', {
          time: cond.lastTransitionTime,
        }),
      ],
      nextSteps: [steps.events()],
    },
    [],
  );
}

// ── ContainerCreating ───────────────────────────────────────────────────────────────────────────────────

function stuckCreating(ctx: RuleContext): DraftFinding | null {
  const creating = ctx.pod.containers.some((c) => {
    const reason = asString(c.waiting?.['reason']);
    return reason === 'ContainerCreating' || (reason === 'PodInitializing' && c.role === 'init');
  });
  const noStatuses = ctx.pod.containers.every((c) => c.status === null);
  if (ctx.pod.phase !== 'Pending' || ctx.pod.nodeName === null || (!creating && !noStatuses)) return null;
  if (ctx.pod.deletionTimestamp !== null) return null;
  const failures = ctx.podEvents.filter((e) =>
    ['FailedMount', 'FailedAttachVolume', 'FailedCreatePodSandBox', 'FailedMapVolume'].includes(e.reason),
  );
  const last = lastOf(failures);
  if (!last) return null;
  if (last.reason === 'FailedCreatePodSandBox') {
    const detail = /desc = ([\s\S]+)$/.exec(last.message)?.[1] ?? last.message;
    return draft(
      {
        id: 'sandbox-failed',
        severity: 'error',
        summary: `The pod is stuck in ContainerCreating: the node cannot create its sandbox (network and namespaces) — ${quote(detail, 200)}.`,
        hint: "This is the node's runtime or network plugin (CNI) failing, not the application: check the node.",
        cause: `cannot get a sandbox: ${quote(detail, 80)}`,
        evidence: [
          eventEvidence("the kubelet's error", last),
          fieldEvidence('node', 'spec.nodeName', ctx.pod.nodeName),
        ],
        nextSteps: [steps.events()],
      },
      [{ source: 'events' }],
    );
  }
  const mount = parseMountFailure(last.message);
  const summary =
    mount.kind === 'missing-object'
      ? `The pod is stuck in ContainerCreating: volume "${mount.volume}" cannot be mounted because ${mount.objectKind} "${mount.name}" does not exist in namespace ${ctx.pod.namespace}.`
      : `The pod is stuck in ContainerCreating: ${mount.volume ? `volume "${mount.volume}"` : 'a volume'} cannot be ${last.reason === 'FailedAttachVolume' ? 'attached' : 'mounted'} — ${quote(mount.detail, 200)}.`;
  const volumePath = mount.volume ? `spec.volumes[name="${mount.volume.split(/[ ,]/)[0]}"]` : null;
  const volume = volumePath
    ? asArray(asRecord(ctx.pod.raw['spec'])['volumes']).find((v) => asRecord(v)['name'] === mount.volume)
    : undefined;
  return draft(
    {
      id: 'volume-mount-failed',
      severity: 'error',
      summary,
      hint:
        mount.kind === 'missing-object'
          ? `Create ${mount.objectKind} "${mount.name}", fix the name in the volume, or mark it optional.`
          : null,
      cause:
        mount.kind === 'missing-object'
          ? `cannot mount volume "${mount.volume}": ${mount.objectKind} "${mount.name}" does not exist`
          : `cannot mount ${mount.volume ? `volume "${mount.volume}"` : 'a volume'}`,
      evidence: [
        eventEvidence("the kubelet's mount error", last),
        volumePath && volume !== undefined ? fieldEvidence('volume', volumePath, volume) : null,
      ],
      nextSteps: [steps.events(), steps.containers(null)],
    },
    [{ source: 'events' }],
  );
}

// ── Ends of a pod's life ────────────────────────────────────────────────────────────────────────────────

function terminatingStuck(ctx: RuleContext): DraftFinding | null {
  const deadline = ctx.pod.deletionTimestamp;
  if (deadline === null) return null;
  const past = secondsBetween(deadline, ctx.now);
  if (past === null || past <= STUCK_TERMINATING_SECONDS) return null;
  const grace = ctx.pod.deletionGracePeriodSeconds ?? 0;
  const deletedAgo = formatDuration(past + grace);
  const finalizers = ctx.pod.finalizers;
  const nodeLost = ctx.pod.reason === 'NodeLost';
  const why = finalizers.length
    ? `the finalizer${finalizers.length === 1 ? '' : 's'} ${finalizers.join(', ')} ${finalizers.length === 1 ? 'has' : 'have'} not been removed`
    : nodeLost
      ? `its node ${ctx.pod.nodeName ?? ''} is unreachable, so nothing confirms its containers stopped`
      : `the kubelet${ctx.pod.nodeName ? ` on node ${ctx.pod.nodeName}` : ''} has not confirmed that its containers stopped`;
  return draft(
    {
      id: 'terminating-stuck',
      severity: 'warning',
      summary: `The pod was deleted ${deletedAgo} ago and is still there: ${why}.`,
      hint: finalizers.length
        ? 'A finalizer is removed by the controller that added it once its cleanup is done; if that controller is gone, removing the finalizer by hand skips that cleanup.'
        : 'If the node is gone for good, deleting the Node object (or a forced delete of the pod) releases it.',
      cause: finalizers.length
        ? `cannot finish terminating: finalizer ${finalizers.join(', ')}`
        : 'cannot finish terminating',
      evidence: [
        fieldEvidence('deletion deadline', 'metadata.deletionTimestamp', deadline, { time: deadline }),
        finalizers.length ? fieldEvidence('finalizers', 'metadata.finalizers', finalizers.join(', ')) : null,
        ctx.pod.reason ? fieldEvidence('status reason', 'status.reason', ctx.pod.reason) : null,
      ],
      nextSteps: [steps.events()],
    },
    [],
  );
}

function evicted(ctx: RuleContext): DraftFinding | null {
  if (ctx.pod.reason !== 'Evicted') return null;
  const message = ctx.pod.message ?? '';
  const pressure =
    /The node was low on resource: ([\w.-]+)\.(?: Threshold quantity: ([^,]+), available: ([^.]+)\.)?/.exec(
      message,
    );
  const usage = /Container (\S+) was using ([^,\s]+), request is ([^,\s]+)/.exec(message);
  let what: string;
  if (pressure) {
    what = `the node was low on ${pressure[1]}${pressure[2] ? ` (threshold ${pressure[2]}, ${pressure[3]} available)` : ''}`;
    if (usage)
      what += `; its container ${usage[1]} used ${usage[2]}${usage[3] === '0' ? ' with no request' : ` against a request of ${usage[3]}`}`;
  } else {
    what = message.replace(/\.\s*$/, '') || 'the kubelet gave no reason';
  }
  return draft(
    {
      id: 'evicted',
      severity: 'error',
      summary: `The kubelet${ctx.pod.nodeName ? ` on node ${ctx.pod.nodeName}` : ''} evicted the pod: ${what}.`,
      hint:
        pressure && usage
          ? `Pods that use more than they request are evicted first under node pressure: set a ${pressure[1]} request close to real use.`
          : null,
      cause: `got evicted${pressure ? `: node low on ${pressure[1]}` : ''}`,
      evidence: [
        fieldEvidence('status reason', 'status.reason', 'Evicted'),
        message ? fieldEvidence('eviction message', 'status.message', message) : null,
      ],
      nextSteps: [steps.events()],
    },
    [],
  );
}

const ADMISSION_REASONS =
  /^(OutOf\w+|NodeAffinity|NodeName|NodePorts|UnexpectedAdmissionError|PodOSNotSupported|InvalidNodeInfo|NodeSelectorMismatching|SysctlForbidden|AppArmor|Forbidden)$/;

function admissionRejected(ctx: RuleContext): DraftFinding | null {
  if (ctx.pod.phase !== 'Failed' || ctx.pod.reason === null || !ADMISSION_REASONS.test(ctx.pod.reason))
    return null;
  return draft(
    {
      id: 'admission-rejected',
      severity: 'error',
      summary: `The kubelet${ctx.pod.nodeName ? ` on node ${ctx.pod.nodeName}` : ''} refused to run the pod (${ctx.pod.reason})${ctx.pod.message ? `: ${ctx.pod.message.replace(/\.\s*$/, '')}` : ''}.`,
      hint: 'The scheduler and the node disagreed; a new pod (from its controller) is usually placed elsewhere.',
      cause: `got rejected by the kubelet: ${ctx.pod.reason}`,
      evidence: [
        fieldEvidence('status reason', 'status.reason', ctx.pod.reason),
        ctx.pod.message ? fieldEvidence('status message', 'status.message', ctx.pod.message) : null,
      ],
      nextSteps: [steps.events()],
    },
    [],
  );
}

function deadlineExceeded(ctx: RuleContext): DraftFinding | null {
  if (ctx.pod.reason !== 'DeadlineExceeded') return null;
  const deadline = asNumber(asRecord(ctx.pod.raw['spec'])['activeDeadlineSeconds']);
  return draft(
    {
      id: 'deadline-exceeded',
      severity: 'error',
      summary: `The pod ran longer than its activeDeadlineSeconds${deadline !== null ? ` (${deadline} s)` : ''} and was stopped.`,
      hint: 'Raise activeDeadlineSeconds, or find out why it takes this long.',
      cause: 'ran past activeDeadlineSeconds',
      evidence: [
        fieldEvidence('status reason', 'status.reason', 'DeadlineExceeded'),
        deadline !== null ? fieldEvidence('deadline', 'spec.activeDeadlineSeconds', String(deadline)) : null,
      ],
      nextSteps: [steps.events()],
    },
    [],
  );
}
