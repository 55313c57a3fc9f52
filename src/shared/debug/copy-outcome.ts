// Why a pod copy did not reach Running, in a sentence built from the copy's own status and events:
// adopted by a controller, a port in use, a volume that cannot be attached, an image that cannot be
// pulled, admission refusing it, an init container failing — never a generic "it did not start".
// Pure; the server watches the copy and hands each update (and, at the end, its events) to these.

import type { ContainerState, Pod } from './types.js';

export type CopyStart = { ok: true } | { ok: false; error: string; adoptedBy?: string } | undefined;

/** The controller that owns the copy, as `ReplicaSet web-7d4f`, or null. */
export function adoptedBy(pod: Pod): string | null {
  const ref = (pod.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
  return ref ? `${ref.kind} ${ref.name}` : null;
}

export function adoptionError(owner: string): string {
  return `${owner} adopted the copy (its selector matches the copy's labels), so Podscope deleted the copy at once. Create it again: the labels are checked against the namespace's controllers as they are now.`;
}

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

/** What one update of the copy concludes: running, failed (why), or undefined = keep waiting. */
export function copyStartOutcome(pod: Pod, target: string): CopyStart {
  const owner = adoptedBy(pod);
  if (owner) return { ok: false, error: adoptionError(owner), adoptedBy: owner };
  const status = pod.status ?? {};
  const main = (status.containerStatuses ?? []).find((c) => c.name === target);
  if (main?.state?.running) return { ok: true };

  const images = new Map(
    [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].map((c) => [
      c.name,
      c.image ?? '',
    ]),
  );
  for (const s of status.initContainerStatuses ?? []) {
    const failed = initFailure(s.name, s.state ?? {}, lastTerminated(s), images.get(s.name) ?? '', target);
    if (failed) return { ok: false, error: failed };
  }
  const ended = main?.state?.terminated ?? (main ? lastTerminated(main) : undefined);
  if (ended) {
    const message = (ended.message ?? '').trim();
    if (NO_SLEEP.test(message))
      return { ok: false, error: noSleep(target, ended.reason ?? 'StartError', message) };
    return {
      ok: false,
      error: `Container ${target} exited at once (${ended.reason ?? 'terminated'}, exit code ${ended.exitCode ?? '?'})${message ? `: ${message}` : ''}.`,
    };
  }
  const waiting = main?.state?.waiting;
  if (waiting?.reason && waiting.reason !== 'ContainerCreating' && waiting.reason !== 'PodInitializing') {
    return { ok: false, error: explainWaiting(target, images.get(target) ?? '', waiting, true) };
  }
  if (status.phase === 'Failed' || status.phase === 'Succeeded') {
    const reason = typeof status['reason'] === 'string' ? status['reason'] : '';
    const message = typeof status['message'] === 'string' ? status['message'] : '';
    const cause = causeOf(message);
    return {
      ok: false,
      error: reason
        ? `The node rejected the copy (${reason}${cause ? `: ${cause}` : ''}): ${message || 'no message'}.`
        : `The copy ended (${status.phase}) before container ${target} ran.`,
    };
  }
  const conditions = (status['conditions'] ?? []) as Condition[];
  const unscheduled = conditions.find(
    (c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable',
  );
  if (unscheduled) return { ok: false, error: explainUnschedulable(unscheduled.message ?? '') };
  return undefined;
}

const WAITING_OK = new Set(['ContainerCreating', 'PodInitializing']);

/** The instance before this one, when it failed (a container in CrashLoopBackOff waits after one). */
function lastTerminated(s: {
  state?: ContainerState;
  [field: string]: unknown;
}): ContainerState['terminated'] {
  if (s.state?.waiting?.reason !== 'CrashLoopBackOff') return undefined;
  return (s['lastState'] as ContainerState | undefined)?.terminated;
}

function initFailure(
  name: string,
  state: ContainerState,
  last: ContainerState['terminated'],
  image: string,
  target: string,
): string | null {
  const t = state.terminated ?? last;
  if (t && t.exitCode !== 0) {
    return `Init container ${name} failed in the copy (${t.reason ?? 'Error'}, exit code ${t.exitCode ?? '?'})${t.message ? `: ${t.message.trim()}` : ''}; it runs before ${target}. Create the copy with the init containers skipped, or choose ${name} as the container to debug.`;
  }
  const w = state.waiting;
  if (w?.reason && !WAITING_OK.has(w.reason)) {
    return `Init container ${name} of the copy cannot run: ${explainWaiting(name, image, w, false)}`;
  }
  return null;
}

function explainWaiting(
  name: string,
  image: string,
  w: { reason?: string; message?: string },
  isTarget: boolean,
): string {
  const reason = w.reason ?? '';
  const message = (w.message ?? '').trim();
  const detail = message ? `: ${message}` : '';
  if (/^(ErrImagePull|ImagePullBackOff|InvalidImageName|ErrImageNeverPull)$/.test(reason)) {
    return `The image ${image} of ${name} cannot be pulled (${reason})${detail}.${isTarget ? ' The original uses the same image; "Replace the container image with a tools image" avoids it.' : ''}`;
  }
  if (reason === 'CreateContainerConfigError') {
    return `Container ${name} cannot be created (${reason})${detail}. The copy uses the same ConfigMaps and Secrets as the original.`;
  }
  if (NO_SLEEP.test(message)) return noSleep(name, reason, message);
  return `Container ${name} cannot start (${reason})${detail}.`;
}

/** runc's answer when the image has no `sleep` to run. */
const NO_SLEEP = /"?sleep"?: (executable file )?not found|sleep: no such file/i;

function noSleep(name: string, reason: string, message: string): string {
  return `The image of ${name} has no sleep command (${reason}: ${message}). Choose "Replace the container image with a tools image".`;
}

const UNSCHEDULABLE_CAUSES: [RegExp, string][] = [
  [/free ports/i, 'a host port it asks for is in use on the node'],
  [/ReadWriteOncePod/i, 'a ReadWriteOncePod volume is in use by another pod'],
  [/volume node affinity conflict/i, 'a volume it mounts is only reachable from another node'],
  [/unbound immediate PersistentVolumeClaims/i, 'a volume claim is not bound'],
  [/Insufficient (cpu|memory|ephemeral-storage|pods)/i, 'no node has room for its resource requests'],
  [/node affinity|node selector/i, 'no node matches its node affinity or selector'],
  [/untolerated taint/i, 'the nodes have taints it does not tolerate'],
  [/unschedulable/i, 'the node is cordoned (unschedulable)'],
];

function causeOf(message: string): string | undefined {
  return UNSCHEDULABLE_CAUSES.find(([re]) => re.test(message))?.[1];
}

export function explainUnschedulable(message: string): string {
  const cause = causeOf(message);
  return `The copy cannot be scheduled${cause ? `: ${cause}` : ''} (scheduler: "${message.trim() || 'no node fits'}").`;
}

/** An event as listed from core/v1 (only what the explanation reads). */
export interface CopyEvent {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string | null;
  eventTime?: string | null;
}

const EVENT_CAUSES: [RegExp, RegExp | null, string][] = [
  [/^FailedAttachVolume$/, /Multi-Attach/i, 'a volume is still attached to another node'],
  [/^FailedAttachVolume$/, null, 'a volume could not be attached'],
  [/^FailedMount$/, null, 'a volume could not be mounted'],
  [/^FailedScheduling$/, null, 'it could not be scheduled'],
  [/^FailedCreatePodSandBox$/, null, 'its sandbox (network, cgroups) could not be created'],
  [/^(Failed|ErrImagePull|BackOff)$/, /image/i, 'its image could not be pulled'],
  [/^Failed$/, null, 'a container could not be started'],
  [/^BackOff$/, null, 'a container keeps exiting'],
];

/**
 * Why a copy that never reached a conclusion (still Pending or ContainerCreating when the wait ran
 * out) did not start: the most telling warning event, else what its status says.
 */
export function explainTimeout(
  pod: Pod | null,
  events: readonly CopyEvent[],
  target: string,
  seconds: number,
): string {
  const head = `The copy did not start within ${seconds} s`;
  const warnings = events.filter((e) => e.type === 'Warning');
  for (const [reason, text, cause] of EVENT_CAUSES) {
    const e = latest(
      warnings.filter((x) => reason.test(x.reason ?? '') && (text === null || text.test(x.message ?? ''))),
    );
    if (e) return `${head}: ${cause} (${e.reason}: ${(e.message ?? '').trim()}).`;
  }
  const other = latest(warnings);
  if (other) return `${head}: ${other.reason}: ${(other.message ?? '').trim()}.`;
  if (!pod) return `${head}.`;
  const s = (pod.status?.containerStatuses ?? []).find((c) => c.name === target)?.state;
  const where = s?.waiting?.reason ?? pod.status?.phase ?? 'Pending';
  const init = (pod.status?.initContainerStatuses ?? []).find((c) => c.state?.running);
  return init
    ? `${head}: init container ${init.name} is still running (an init container that waits for something waits in the copy too).`
    : `${head}; it is ${where}, with no warning events.`;
}

function latest(events: CopyEvent[]): CopyEvent | undefined {
  const t = (e: CopyEvent) => Date.parse(e.lastTimestamp ?? e.eventTime ?? '') || 0;
  return [...events].sort((a, b) => t(b) - t(a))[0];
}

/**
 * The API server refused to create the copy: Pod Security admission, a quota, a LimitRange or a
 * webhook, in plain words. null when the refusal is none of these (RBAC: the caller's own sentence).
 */
export function explainCreateRefusal(status: number, message: string): string | null {
  const m = message.trim();
  const pss = /violates PodSecurity "([^"]+)": (.*)$/s.exec(m);
  if (pss) {
    return `The namespace's Pod Security admission (level ${pss[1]}) refused the copy: ${pss[2]}. The restricted profile passes every level, unless the original itself needs more.`;
  }
  const webhook = /admission webhook "([^"]+)" denied the request:?\s*(.*)$/s.exec(m);
  if (webhook)
    return `The admission webhook ${webhook[1]} refused the copy: ${webhook[2] || 'no reason given'}.`;
  if (/exceeded quota/i.test(m)) return `The namespace's ResourceQuota has no room for the copy: ${m}`;
  if (/LimitRange|maximum (cpu|memory)|minimum (cpu|memory)|must specify limits/i.test(m)) {
    return `The namespace's LimitRange refused the copy: ${m}`;
  }
  if (status === 422) return `Kubernetes refused the copy's spec as invalid: ${m}`;
  return null;
}
