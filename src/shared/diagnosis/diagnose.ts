// "Why is this pod failing?": runs every rule over one pod's inputs, orders the findings (root causes before
// their consequences), attaches the evidence that could not be read, and falls back to an honest
// "not recognised" finding that still lists what was looked at.

import { asString } from '../validation/json.js';
import { crashRules } from './crash-rules.js';
import { ownerRules } from './owner-rules.js';
import { formatDuration, secondsBetween } from './pod-facts.js';
import { podRules } from './pod-rules.js';
import { readinessRules } from './probe-rules.js';
import {
  draft,
  eventEvidence,
  fieldEvidence,
  steps,
  type DraftFinding,
  type RuleContext,
  ruleContext,
} from './rule-context.js';
import type {
  DiagnosisInput,
  Evidence,
  EvidenceGap,
  Finding,
  FindingId,
  PodDiagnosis,
  Severity,
} from './types.js';
import { waitingRules } from './waiting-rules.js';

/** Root causes first: why it cannot run, then how it fails, then what that does to its owners. */
const RANK: readonly FindingId[] = [
  'unschedulable',
  'scheduling-gated',
  'evicted',
  'admission-rejected',
  'deadline-exceeded',
  'image-pull.not-found',
  'image-pull.tag-not-found',
  'image-pull.unauthorized',
  'image-pull.denied',
  'image-pull.registry-unreachable',
  'image-pull.invalid-name',
  'image-pull.not-present',
  'image-pull.failed',
  'config.missing-configmap',
  'config.missing-secret',
  'config.missing-key',
  'config.run-as-non-root',
  'config.error',
  'volume-mount-failed',
  'sandbox-failed',
  'start-error.command-not-found',
  'start-error.permission-denied',
  'start-error.exec-format',
  'start-error',
  'init-failed',
  'init-crash-loop',
  'oom-killed',
  'killed-by-startup-probe',
  'killed-by-liveness-probe',
  'crash-loop.exits-zero',
  'crash-loop',
  'container-failed',
  'terminating-stuck',
  'job-failed',
  'rollout-stuck',
  'readiness-failing',
  'recent-restarts',
  'unknown',
  'earlier-restarts',
];

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Waiting reasons that only mean "not there yet". */
const STARTING = new Set(['ContainerCreating', 'PodInitializing']);

/** A Pending pod older than this with nothing found is worth an honest "not recognised". */
const PENDING_TOO_LONG_SECONDS = 5 * 60;

export function diagnosePod(input: DiagnosisInput): PodDiagnosis {
  const ctx = ruleContext(input);
  const drafts = [
    ...waitingRules(ctx),
    ...crashRules(ctx),
    ...readinessRules(ctx),
    ...podRules(ctx),
    ...ownerRules(ctx),
  ];
  const serious = drafts.some((d) => d.severity !== 'info');
  if (!serious && looksWrong(ctx)) drafts.push(unknownFinding(ctx));
  const containerOrder = new Map(ctx.pod.containers.map((c, i) => [c.name, i]));
  drafts.sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      RANK.indexOf(a.id) - RANK.indexOf(b.id) ||
      (containerOrder.get(a.container?.name ?? '') ?? -1) -
        (containerOrder.get(b.container?.name ?? '') ?? -1),
  );
  const gaps = [...(input.gaps ?? [])];
  const findings = drafts.map((d) => finish(d, gaps));
  const healthy = !findings.some((f) => f.severity !== 'info');
  return {
    namespace: ctx.pod.namespace,
    pod: ctx.pod.name,
    status: ctx.pod.printedStatus,
    healthy,
    headline: healthy ? healthyHeadline(ctx) : findings[0]!.summary,
    findings,
    gaps,
    diagnosedAt: input.now.toISOString(),
  };
}

function finish(d: DraftFinding, gaps: readonly EvidenceGap[]): Finding {
  const { uses, notices, ...rest } = d;
  const relevant = gaps.filter((g) =>
    uses.some(
      (u) =>
        u.source === g.source &&
        (u.container === undefined || g.container === undefined || u.container === g.container) &&
        (u.previous === undefined || g.previous === undefined || u.previous === g.previous),
    ),
  );
  return { ...rest, gaps: [...relevant.map(gapSentence), ...notices] };
}

export function gapSentence(g: EvidenceGap): string {
  switch (g.source) {
    case 'events':
      return `The pod's events could not be read: ${g.reason}`;
    case 'logs':
      return `The ${g.previous ? 'previous' : 'current'} output of container "${g.container ?? '?'}" could not be read: ${g.reason}`;
    case 'owners':
      return `The pod's owner could not be read: ${g.reason}`;
    case 'claims':
      return `The pod's PersistentVolumeClaims could not be read: ${g.reason}`;
    case 'rollout':
      return `The pods of the Deployment's new ReplicaSet could not be read: ${g.reason}`;
  }
}

function looksWrong(ctx: RuleContext): boolean {
  const { pod } = ctx;
  if (pod.problem || pod.phase === 'Failed' || pod.phase === 'Unknown') return true;
  if (
    pod.containers.some((c) => {
      const reason = asString(c.waiting?.['reason']);
      return reason !== null && !STARTING.has(reason) && reason !== 'CrashLoopBackOff';
    })
  ) {
    return true;
  }
  const age = secondsBetween(pod.createdAt, ctx.now);
  return (
    pod.phase === 'Pending' &&
    age !== null &&
    age > PENDING_TOO_LONG_SECONDS &&
    pod.deletionTimestamp === null
  );
}

function unknownFinding(ctx: RuleContext): DraftFinding {
  const evidence: Evidence[] = [];
  if (ctx.pod.reason) evidence.push(fieldEvidence('status reason', 'status.reason', ctx.pod.reason));
  if (ctx.pod.message) evidence.push(fieldEvidence('status message', 'status.message', ctx.pod.message));
  for (const c of ctx.pod.containers) {
    const state = c.waiting ? 'waiting' : c.terminated ? 'terminated' : null;
    const s = c.waiting ?? c.terminated;
    if (!state || !s) continue;
    const reason = asString(s['reason']);
    const message = asString(s['message']);
    if (reason)
      evidence.push(
        fieldEvidence(`${state} reason`, `${c.statusPath}.state.${state}.reason`, reason, {
          container: c.name,
        }),
      );
    if (message)
      evidence.push(
        fieldEvidence(`${state} message`, `${c.statusPath}.state.${state}.message`, message, {
          container: c.name,
        }),
      );
  }
  for (const cond of ctx.pod.conditions) {
    if (cond.status !== 'True' && cond.message) {
      evidence.push(
        fieldEvidence(
          `condition ${cond.type}`,
          `status.conditions[type="${cond.type}"].message`,
          cond.message,
          { time: cond.lastTransitionTime },
        ),
      );
    }
  }
  for (const e of ctx.podEvents.filter((x) => x.type === 'Warning').slice(-3))
    evidence.push(eventEvidence('warning event', e));
  const age = secondsBetween(ctx.pod.createdAt, ctx.now);
  return draft(
    {
      id: 'unknown',
      severity: 'warning',
      summary: `Podscope does not recognise why the pod is ${ctx.pod.printedStatus}${age !== null && ctx.pod.phase === 'Pending' ? ` after ${formatDuration(age)}` : ''}; the evidence below is what it looked at.`,
      hint: null,
      cause: `showed status ${ctx.pod.printedStatus}, which Podscope does not recognise`,
      evidence,
      nextSteps: [steps.events(), steps.containers(null)],
    },
    [{ source: 'events' }, { source: 'logs' }, { source: 'owners' }],
  );
}

function healthyHeadline(ctx: RuleContext): string {
  const { pod } = ctx;
  const apps = pod.containers.filter((c) => c.role !== 'init');
  if (pod.phase === 'Succeeded') return 'The pod ran to completion: its containers exited with code 0.';
  if (pod.phase === 'Pending' || apps.some((c) => !c.running)) {
    const age = secondsBetween(pod.createdAt, ctx.now);
    return `The pod is starting (${pod.printedStatus}${age !== null ? `, ${formatDuration(age)} old` : ''}); nothing points to a problem yet.`;
  }
  if (pod.deletionTimestamp !== null) return 'The pod is shutting down after being deleted.';
  return apps.length === 1
    ? 'No problems found: its container is running and ready.'
    : `No problems found: all ${apps.length} containers are running and ready.`;
}
