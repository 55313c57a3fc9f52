// Reading the owners of a pod: a Job that gave up, a Deployment whose rollout is stuck.

import { asArray, asNumber, asRecord, asString, type JsonRecord } from '../validation/json.js';

export interface OwnerCondition {
  type: string;
  status: string;
  reason: string | null;
  message: string | null;
  lastTransitionTime: string | null;
  /** Index in `status.conditions`, for the evidence path. */
  index: number;
}

export function ownerConditions(object: unknown): OwnerCondition[] {
  return asArray(asRecord(asRecord(object)['status'])['conditions']).map((c, index) => {
    const r = asRecord(c);
    return {
      type: asString(r['type']) ?? '',
      status: asString(r['status']) ?? 'Unknown',
      reason: asString(r['reason']),
      message: asString(r['message']),
      lastTransitionTime: asString(r['lastTransitionTime']),
      index,
    };
  });
}

/** The Deployment's `Progressing=False, ProgressDeadlineExceeded` condition, if its rollout is stuck. */
export function stuckRollout(deployment: unknown): OwnerCondition | null {
  return (
    ownerConditions(deployment).find(
      (c) => c.type === 'Progressing' && c.status === 'False' && c.reason === 'ProgressDeadlineExceeded',
    ) ?? null
  );
}

/**
 * The ReplicaSet a stuck rollout waits for. The deployment controller names it in the condition's message
 * (`ReplicaSet "checkout-79696fb8d5" has timed out progressing.`).
 */
export function stuckReplicaSetName(deployment: unknown): string | null {
  const c = stuckRollout(deployment);
  const m = c?.message ? /ReplicaSet "([^"]+)"/.exec(c.message) : null;
  return m?.[1] ?? null;
}

/** The Job's terminal `Failed=True` condition (BackoffLimitExceeded, DeadlineExceeded, PodFailurePolicy…). */
export function jobFailure(job: unknown): OwnerCondition | null {
  return ownerConditions(job).find((c) => c.type === 'Failed' && c.status === 'True') ?? null;
}

export function spec(object: unknown): JsonRecord {
  return asRecord(asRecord(object)['spec']);
}

export function statusNumber(object: unknown, field: string): number | null {
  return asNumber(asRecord(asRecord(object)['status'])[field]);
}
