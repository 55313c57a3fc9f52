// Turns a core/v1 Pod (raw JSON) into the rows and details the UI shows. The STATUS/READY/RESTARTS logic is
// a port of kubectl's printPod (kubernetes/pkg/printers/internalversion/printers.go), so Podscope and
// `kubectl get pods` never disagree about what state a pod is in.

import type { ContainerKind, ContainerView, PodDetail, PodSummary } from '../api.js';
import {
  asArray,
  asBoolean,
  asNumber,
  asRecord,
  asString,
  isRecord,
  type JsonRecord,
} from '../validation/json.js';
import { compareTimestamps } from '../logs/timestamps.js';

/** Reasons that mean "something is wrong", as opposed to a pod that is merely starting or finished. */
const PROBLEM_REASONS = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'ErrImageNeverPull',
  'InvalidImageName',
  'ImageInspectError',
  'RegistryUnavailable',
  'OOMKilled',
  'Error',
  'ContainerCannotRun',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
  'StartError',
  'PreStartHookError',
  'PostStartHookError',
  'PreCreateHookError',
  'ContainerStatusUnknown',
  'DeadlineExceeded',
  'Evicted',
  'Failed',
  'Unknown',
  'UnexpectedAdmissionError',
]);

/** A pod still Terminating this long after its deletion deadline is stuck (finalizer, lost node). */
const STUCK_TERMINATING_MS = 60_000;

/** kubelet's pod status reason for pods on an unreachable node (k8s.io/kubernetes/pkg/util/node). */
const NODE_UNREACHABLE_REASON = 'NodeLost';

interface PrintedStatus {
  status: string;
  ready: number;
  total: number;
  restarts: number;
  lastRestartAt: string | null;
}

/** The row of the pod list. `now` decides whether a Terminating pod is stuck. */
export function summarizePod(pod: unknown, now: Date = new Date()): PodSummary {
  const p = asRecord(pod);
  const metadata = asRecord(p['metadata']);
  const spec = asRecord(p['spec']);
  const status = asRecord(p['status']);
  const printed = printPodStatus(metadata, spec, status);
  return {
    name: asString(metadata['name']) ?? '',
    namespace: asString(metadata['namespace']) ?? '',
    uid: asString(metadata['uid']) ?? '',
    status: printed.status,
    problem: isProblem(printed.status, metadata, status, now),
    ready: printed.ready,
    total: printed.total,
    restarts: printed.restarts,
    lastRestartAt: printed.lastRestartAt,
    createdAt: asString(metadata['creationTimestamp']) ?? '',
    node: asString(spec['nodeName']),
    podIP: asString(status['podIP']) ?? asString(asRecord(asArray(status['podIPs'])[0])['ip']),
    owner: controllerOf(metadata),
    labels: stringMap(metadata['labels']),
  };
}

export function podDetail(pod: unknown, now: Date = new Date()): PodDetail {
  const p = asRecord(pod);
  const spec = asRecord(p['spec']);
  const status = asRecord(p['status']);
  return {
    ...summarizePod(pod, now),
    phase: asString(status['phase']) ?? 'Unknown',
    qosClass: asString(status['qosClass']),
    conditions: asArray(status['conditions']).map((c) => {
      const condition = asRecord(c);
      return {
        type: asString(condition['type']) ?? '',
        status: asString(condition['status']) ?? 'Unknown',
        reason: asString(condition['reason']),
        message: asString(condition['message']),
      };
    }),
    containers: [
      ...containerViews('init', spec['initContainers'], status['initContainerStatuses']),
      ...containerViews('app', spec['containers'], status['containerStatuses']),
      ...containerViews('ephemeral', spec['ephemeralContainers'], status['ephemeralContainerStatuses']),
    ],
    serviceAccount: asString(spec['serviceAccountName']),
  };
}

/** kubectl's printPod, field for field. Comments mark where kubectl's behaviour is surprising. */
function printPodStatus(metadata: JsonRecord, spec: JsonRecord, status: JsonRecord): PrintedStatus {
  const phase = asString(status['phase']) ?? '';
  let reason = asString(status['reason']) ?? phase;
  const conditions = asArray(status['conditions']).map(asRecord);
  if (conditions.some((c) => c['type'] === 'PodScheduled' && c['reason'] === 'SchedulingGated')) {
    reason = 'SchedulingGated';
  }

  const initSpecs = asArray(spec['initContainers']).map(asRecord);
  const sidecars = new Set(initSpecs.filter((c) => c['restartPolicy'] === 'Always').map((c) => c['name']));
  const total = asArray(spec['containers']).length + sidecars.size;
  let ready = 0;
  let restarts = 0;
  let lastRestart: string | null = null;
  let sidecarRestarts = 0;
  let lastSidecarRestart: string | null = null;

  let initializing = false;
  const initStatuses = asArray(status['initContainerStatuses']).map(asRecord);
  for (const [i, container] of initStatuses.entries()) {
    const restartCount = asNumber(container['restartCount']) ?? 0;
    const lastFinished = lastTerminatedAt(container);
    restarts += restartCount;
    lastRestart = later(lastRestart, lastFinished);
    const isSidecar = sidecars.has(container['name']);
    if (isSidecar) {
      sidecarRestarts += restartCount;
      lastSidecarRestart = later(lastSidecarRestart, lastFinished);
    }
    const state = asRecord(container['state']);
    const terminated = child(state, 'terminated');
    const waitingReason = asString(asRecord(state['waiting'])['reason']);
    if (terminated && (asNumber(terminated['exitCode']) ?? 0) === 0) continue;
    if (isSidecar && container['started'] === true) {
      if (asBoolean(container['ready'])) ready++;
      continue;
    }
    if (terminated) {
      reason = 'Init:' + terminatedReason(terminated);
    } else if (waitingReason !== null && waitingReason !== 'PodInitializing') {
      reason = 'Init:' + waitingReason;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  // kubectl also takes this branch when Initialized is True while an init container looks unfinished
  // (a node reboot resets init container statuses of an already initialised pod).
  if (!initializing || conditionIsTrue(conditions, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = asArray(status['containerStatuses']).map(asRecord);
    // Backwards, so the *first* container with a reason decides, as in kubectl.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const container = statuses[i]!;
      restarts += asNumber(container['restartCount']) ?? 0;
      lastRestart = later(lastRestart, lastTerminatedAt(container));
      const state = asRecord(container['state']);
      const waitingReason = asString(asRecord(state['waiting'])['reason']);
      if (waitingReason !== null) {
        reason = waitingReason;
      } else if (child(state, 'terminated')) {
        reason = terminatedReason(asRecord(state['terminated']));
      } else if (asBoolean(container['ready']) && child(state, 'running')) {
        hasRunning = true;
        ready++;
      }
    }
    // A pod whose first container completed while another still runs is not "Completed".
    if (reason === 'Completed' && hasRunning) {
      reason = conditionIsTrue(conditions, 'Ready') ? 'Running' : 'NotReady';
    }
  }

  const deleting = asString(metadata['deletionTimestamp']) !== null;
  if (deleting && asString(status['reason']) === NODE_UNREACHABLE_REASON) {
    reason = 'Unknown';
  } else if (deleting && phase !== 'Succeeded' && phase !== 'Failed') {
    reason = 'Terminating';
  }

  return { status: reason, ready, total, restarts, lastRestartAt: restarts > 0 ? lastRestart : null };
}

/** A nested object such as state.running; `{}` counts as present (kubelet sends `"waiting": {}` at times). */
function child(record: JsonRecord, key: string): JsonRecord | null {
  const value = record[key];
  return isRecord(value) ? value : null;
}

function terminatedReason(terminated: JsonRecord): string {
  const reason = asString(terminated['reason']);
  if (reason !== null) return reason;
  const signal = asNumber(terminated['signal']) ?? 0;
  return signal !== 0 ? `Signal:${signal}` : `ExitCode:${asNumber(terminated['exitCode']) ?? 0}`;
}

function lastTerminatedAt(containerStatus: JsonRecord): string | null {
  return asString(asRecord(asRecord(containerStatus['lastState'])['terminated'])['finishedAt']);
}

function later(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareTimestamps(b, a) > 0 ? b : a;
}

function conditionIsTrue(conditions: JsonRecord[], type: string): boolean {
  return conditions.find((c) => c['type'] === type)?.['status'] === 'True';
}

function isProblem(status: string, metadata: JsonRecord, podStatus: JsonRecord, now: Date): boolean {
  if (status === 'Terminating') {
    const deadline = Date.parse(asString(metadata['deletionTimestamp']) ?? '');
    return Number.isFinite(deadline) && now.getTime() > deadline + STUCK_TERMINATING_MS;
  }
  if (podStatus['phase'] === 'Failed') return true;
  if (PROBLEM_REASONS.has(status)) return true;
  if (/^(Init:)?(Signal:|ExitCode:)/.test(status)) return !/ExitCode:0$/.test(status);
  if (status.startsWith('Init:') && !/^Init:\d+\/\d+$/.test(status)) return true;
  if (crashedRecently(podStatus, now)) return true;
  if (status === 'Pending') {
    return asArray(podStatus['conditions'])
      .map(asRecord)
      .some(
        (c) => c['type'] === 'PodScheduled' && c['status'] === 'False' && c['reason'] === 'Unschedulable',
      );
  }
  return false;
}

/** How long after a failed exit a running container still counts as a problem. */
export const RECENT_CRASH_MS = 10 * 60 * 1000;

/**
 * A crash-looping container is `Running` for a few seconds between back-offs; flag it while its last
 * instance failed recently, so the pod does not flicker between red and green in the list.
 */
function crashedRecently(podStatus: JsonRecord, now: Date): boolean {
  return [...asArray(podStatus['containerStatuses']), ...asArray(podStatus['initContainerStatuses'])]
    .map(asRecord)
    .some((c) => {
      const last = asRecord(asRecord(c['lastState'])['terminated']);
      const exitCode = asNumber(last['exitCode']);
      const finishedAt = Date.parse(asString(last['finishedAt']) ?? '');
      return (
        exitCode !== null &&
        exitCode !== 0 &&
        Number.isFinite(finishedAt) &&
        now.getTime() - finishedAt < RECENT_CRASH_MS
      );
    });
}

function controllerOf(metadata: JsonRecord): { kind: string; name: string } | null {
  const refs = asArray(metadata['ownerReferences']).map(asRecord);
  const ref = refs.find((r) => r['controller'] === true) ?? refs[0];
  const kind = asString(ref?.['kind']);
  const name = asString(ref?.['name']);
  return kind !== null && name !== null ? { kind, name } : null;
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(asRecord(value))) {
    if (typeof v === 'string') out[key] = v;
  }
  return out;
}

function containerViews(kind: ContainerKind, specs: unknown, statuses: unknown): ContainerView[] {
  const byName = new Map(asArray(statuses).map((s) => [asRecord(s)['name'], asRecord(s)] as const));
  return asArray(specs).map((c) => {
    const spec = asRecord(c);
    const name = asString(spec['name']) ?? '';
    return containerView(kind, spec, byName.get(name) ?? null);
  });
}

function containerView(kind: ContainerKind, spec: JsonRecord, status: JsonRecord | null): ContainerView {
  const state = asRecord(status?.['state']);
  const running = child(state, 'running');
  const waiting = child(state, 'waiting');
  const terminated = child(state, 'terminated');
  const last = child(asRecord(status?.['lastState']), 'terminated');
  const current = terminated ?? waiting;
  return {
    name: asString(spec['name']) ?? '',
    kind,
    image: asString(spec['image']) ?? asString(status?.['image']) ?? '',
    state: running ? 'running' : terminated ? 'terminated' : waiting ? 'waiting' : 'unknown',
    reason: current ? asString(current['reason']) : null,
    message: current ? asString(current['message']) : null,
    exitCode: terminated ? (asNumber(terminated['exitCode']) ?? null) : null,
    startedAt: asString((running ?? terminated)?.['startedAt']),
    finishedAt: terminated ? asString(terminated['finishedAt']) : null,
    ready: asBoolean(status?.['ready']),
    restartCount: asNumber(status?.['restartCount']) ?? 0,
    lastTermination:
      last === null
        ? null
        : {
            reason: asString(last['reason']),
            exitCode: asNumber(last['exitCode']) ?? 0,
            finishedAt: asString(last['finishedAt']),
            message: asString(last['message']),
          },
    targetContainerName: kind === 'ephemeral' ? asString(spec['targetContainerName']) : null,
  };
}
