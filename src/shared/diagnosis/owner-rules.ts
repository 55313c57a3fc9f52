// What the pod's owners say: a Job that gave up (BackoffLimitExceeded, DeadlineExceeded…), a Deployment
// whose rollout is stuck (ProgressDeadlineExceeded) — pointing at the new ReplicaSet's failing pods.

import { summarizePod } from '../pods/status.js';
import { asNumber } from '../validation/json.js';
import { plural, times } from './pod-facts.js';
import { jobFailure, spec, statusNumber, stuckReplicaSetName, stuckRollout } from './owners.js';
import {
  draft,
  eventEvidence,
  fieldEvidence,
  lastOf,
  steps,
  type DraftFinding,
  type RuleContext,
} from './rule-context.js';

export function ownerRules(ctx: RuleContext): DraftFinding[] {
  return [jobFailed(ctx), rolloutStuck(ctx)].filter((f): f is DraftFinding => f !== null);
}

function jobFailed(ctx: RuleContext): DraftFinding | null {
  const job = (ctx.input.owners ?? []).find((o) => o.kind === 'Job');
  if (!job) return null;
  const failure = jobFailure(job.object);
  if (!failure) return null;
  const object = `Job/${job.name}`;
  const backoffLimit = asNumber(spec(job.object)['backoffLimit']) ?? 6;
  const failed = statusNumber(job.object, 'failed') ?? 0;
  const deadline = asNumber(spec(job.object)['activeDeadlineSeconds']);
  const event = lastOf(ctx.eventsAbout('Job', job.name).filter((e) => e.type === 'Warning'));
  let why: string;
  switch (failure.reason) {
    case 'BackoffLimitExceeded':
      why = `its pods failed ${times(failed)}, more than its backoffLimit of ${backoffLimit} allows`;
      break;
    case 'DeadlineExceeded':
      why = `it ran longer than its activeDeadlineSeconds${deadline !== null ? ` (${deadline} s)` : ''}`;
      break;
    case 'PodFailurePolicy':
      why = `a pod failure matched its podFailurePolicy (${failure.message ?? 'FailJob'})`;
      break;
    default:
      why = failure.message ?? 'it failed';
  }
  return draft(
    {
      id: 'job-failed',
      severity: 'error',
      summary: `Job "${job.name}" has given up (${failure.reason ?? 'Failed'}): ${why}; it starts no new pod, and this pod is one of the failed ones.`,
      hint:
        failure.reason === 'BackoffLimitExceeded'
          ? "Fix what makes the pods fail (this pod's output says), then run the Job again: a failed Job does not retry."
          : null,
      cause: `failed in Job "${job.name}", which gave up (${failure.reason ?? 'Failed'})`,
      evidence: [
        fieldEvidence(
          'Job condition',
          `status.conditions[type="Failed"].reason`,
          failure.reason ?? 'Failed',
          {
            time: failure.lastTransitionTime,
            object,
          },
        ),
        failure.message
          ? fieldEvidence(
              'Job condition message',
              'status.conditions[type="Failed"].message',
              failure.message,
              { object },
            )
          : null,
        failure.reason === 'BackoffLimitExceeded'
          ? fieldEvidence('backoff limit', 'spec.backoffLimit', String(backoffLimit), { object })
          : null,
        fieldEvidence('failed pods', 'status.failed', String(failed), { object }),
        event ? eventEvidence("the Job controller's event", event) : null,
      ],
      nextSteps: [steps.events()],
    },
    [{ source: 'owners' }],
  );
}

function rolloutStuck(ctx: RuleContext): DraftFinding | null {
  const deployment = (ctx.input.owners ?? []).find((o) => o.kind === 'Deployment');
  if (!deployment) return null;
  const stuck = stuckRollout(deployment.object);
  if (!stuck) return null;
  const object = `Deployment/${deployment.name}`;
  const rsName = stuckReplicaSetName(deployment.object);
  const deadline = asNumber(spec(deployment.object)['progressDeadlineSeconds']) ?? 600;
  const ownReplicaSet = (ctx.input.owners ?? []).find((o) => o.kind === 'ReplicaSet')?.name ?? null;
  const inNewReplicaSet = rsName !== null && ownReplicaSet === rsName;
  const newPods = (ctx.input.rolloutPods ?? []).map((p) => summarizePod(p, ctx.now));
  const failing = newPods.filter((p) => (p.problem || p.ready < p.total) && p.name !== ctx.pod.name);
  const ready = newPods.filter((p) => p.total > 0 && p.ready === p.total).length;
  const desired = asNumber(spec(deployment.object)['replicas']) ?? 1;
  let where: string;
  if (inNewReplicaSet) {
    where = `this pod belongs to the new ReplicaSet "${rsName}", which has ${ready} of ${plural(desired, 'pod')} ready`;
  } else if (failing.length > 0) {
    const names = failing.slice(0, 3).map((p) => `${p.name} (${p.status})`);
    where = `the new ReplicaSet${rsName ? ` "${rsName}"` : ''} has ${ready} of ${plural(desired, 'pod')} ready; failing: ${names.join(', ')}${failing.length > 3 ? ` and ${failing.length - 3} more` : ''}`;
  } else {
    where = `the new ReplicaSet${rsName ? ` "${rsName}"` : ''} has not become available`;
  }
  const event = lastOf(ctx.eventsAbout('Deployment', deployment.name).filter((e) => e.type === 'Warning'));
  return draft(
    {
      id: 'rollout-stuck',
      severity: inNewReplicaSet ? 'error' : 'warning',
      summary: `The rollout of Deployment "${deployment.name}" is stuck: no progress for ${deadline} s (ProgressDeadlineExceeded), and ${where}.`,
      hint: inNewReplicaSet
        ? "Fixing this pod's problem (above) unblocks the rollout; or roll back to the previous ReplicaSet."
        : 'The old pods keep serving; open one of the new pods to see why it fails, or roll back.',
      cause: `stalled the rollout of Deployment "${deployment.name}" (ProgressDeadlineExceeded)`,
      evidence: [
        fieldEvidence(
          'rollout condition',
          'status.conditions[type="Progressing"].reason',
          stuck.reason ?? '',
          {
            time: stuck.lastTransitionTime,
            object,
          },
        ),
        stuck.message
          ? fieldEvidence(
              'rollout condition message',
              'status.conditions[type="Progressing"].message',
              stuck.message,
              {
                object,
              },
            )
          : null,
        fieldEvidence('progress deadline', 'spec.progressDeadlineSeconds', String(deadline), { object }),
        ...failing
          .slice(0, 3)
          .map((p) => fieldEvidence(`new pod ${p.name}`, 'status', p.status, { object: `Pod/${p.name}` })),
        event ? eventEvidence("the Deployment controller's event", event) : null,
      ],
      nextSteps: [
        ...(inNewReplicaSet ? [] : failing.slice(0, 3).map((p) => steps.pod(p.name))),
        steps.events(),
      ],
    },
    [{ source: 'owners' }, { source: 'rollout' }],
  );
}
