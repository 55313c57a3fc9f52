// How a pod's STATUS column is coloured. Pure.

export type StatusTone = 'ok' | 'warn' | 'error' | 'done';

/** Statuses that are normal on the way up or down: worth a glance (amber), not an alarm. */
const TRANSITIONAL = new Set([
  'Pending',
  'ContainerCreating',
  'PodInitializing',
  'Terminating',
  'Unknown',
  'NotReady',
]);
const DONE = new Set(['Completed', 'Succeeded']);

export function statusTone(pod: {
  status: string;
  problem: boolean;
  ready: number;
  total: number;
}): StatusTone {
  if (pod.problem) return 'error';
  if (DONE.has(pod.status)) return 'done';
  if (TRANSITIONAL.has(pod.status) || pod.status.startsWith('Init:')) return 'warn';
  if (pod.status === 'Running' && pod.ready < pod.total) return 'warn';
  return 'ok';
}

/** Sort rank: problems first, then pods needing a glance, then healthy ones, then finished ones. */
export function toneRank(tone: StatusTone): number {
  return { error: 0, warn: 1, ok: 2, done: 3 }[tone];
}
