// The pod as the rules read it: each container with its spec, its status and the paths of both, so every
// fact a finding quotes can name exactly where it is.

import { summarizePod } from '../pods/status.js';
import {
  asArray,
  asBoolean,
  asNumber,
  asRecord,
  asString,
  isRecord,
  type JsonRecord,
} from '../validation/json.js';
import type { ContainerRole } from './types.js';

export interface Termination {
  exitCode: number;
  signal: number | null;
  reason: string | null;
  message: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** Path of the `terminated` object: `status.containerStatuses[name="app"].lastState.terminated`. */
  path: string;
  /** true: `state.terminated` (the instance is still the current one); false: `lastState.terminated`. */
  current: boolean;
}

export interface ContainerFacts {
  name: string;
  role: ContainerRole;
  spec: JsonRecord;
  status: JsonRecord | null;
  /** `spec.containers[name="app"]` */
  specPath: string;
  /** `status.containerStatuses[name="app"]` */
  statusPath: string;
  /** How events name it: `spec.containers{app}`. */
  eventFieldPath: string;
  image: string;
  restartCount: number;
  ready: boolean;
  started: boolean;
  running: JsonRecord | null;
  waiting: JsonRecord | null;
  terminated: JsonRecord | null;
  /** The instance that ended most recently: the current one if it has terminated, else the previous. */
  lastEnded: Termination | null;
  /** `lastState.terminated`: the instance before the current one. */
  previous: Termination | null;
}

export interface Condition {
  type: string;
  status: string;
  reason: string | null;
  message: string | null;
  lastTransitionTime: string | null;
}

export interface PodFacts {
  raw: JsonRecord;
  name: string;
  namespace: string;
  uid: string;
  phase: string;
  /** `status.reason` (Evicted, DeadlineExceeded, OutOfcpu…). */
  reason: string | null;
  message: string | null;
  /** STATUS as kubectl prints it. */
  printedStatus: string;
  problem: boolean;
  restartPolicy: string;
  nodeName: string | null;
  createdAt: string | null;
  deletionTimestamp: string | null;
  deletionGracePeriodSeconds: number | null;
  finalizers: string[];
  conditions: Condition[];
  owner: { kind: string; name: string } | null;
  labels: Record<string, string>;
  /** Init containers (and sidecars) in order, then app containers. Ephemeral ones are left out. */
  containers: ContainerFacts[];
}

export function podFacts(pod: unknown, now: Date): PodFacts {
  const p = asRecord(pod);
  const metadata = asRecord(p['metadata']);
  const spec = asRecord(p['spec']);
  const status = asRecord(p['status']);
  const summary = summarizePod(pod, now);
  const initStatuses = byName(status['initContainerStatuses']);
  const appStatuses = byName(status['containerStatuses']);
  const containers: ContainerFacts[] = [
    ...asArray(spec['initContainers']).map((c) => {
      const s = asRecord(c);
      const role: ContainerRole = s['restartPolicy'] === 'Always' ? 'sidecar' : 'init';
      return containerFacts(s, initStatuses.get(asString(s['name']) ?? '') ?? null, role);
    }),
    ...asArray(spec['containers']).map((c) => {
      const s = asRecord(c);
      return containerFacts(s, appStatuses.get(asString(s['name']) ?? '') ?? null, 'app');
    }),
  ];
  return {
    raw: p,
    name: asString(metadata['name']) ?? '',
    namespace: asString(metadata['namespace']) ?? '',
    uid: asString(metadata['uid']) ?? '',
    phase: asString(status['phase']) ?? 'Unknown',
    reason: asString(status['reason']),
    message: asString(status['message'])?.trim() ?? null,
    printedStatus: summary.status,
    problem: summary.problem,
    restartPolicy: asString(spec['restartPolicy']) ?? 'Always',
    nodeName: asString(spec['nodeName']),
    createdAt: asString(metadata['creationTimestamp']),
    deletionTimestamp: asString(metadata['deletionTimestamp']),
    deletionGracePeriodSeconds: asNumber(metadata['deletionGracePeriodSeconds']),
    finalizers: asArray(metadata['finalizers']).flatMap((f) => (typeof f === 'string' ? [f] : [])),
    conditions: asArray(status['conditions']).map((c) => {
      const r = asRecord(c);
      return {
        type: asString(r['type']) ?? '',
        status: asString(r['status']) ?? 'Unknown',
        reason: asString(r['reason']),
        message: asString(r['message']),
        lastTransitionTime: asString(r['lastTransitionTime']),
      };
    }),
    owner: summary.owner,
    labels: summary.labels,
    containers,
  };
}

function byName(statuses: unknown): Map<string, JsonRecord> {
  return new Map(asArray(statuses).map((s) => [asString(asRecord(s)['name']) ?? '', asRecord(s)] as const));
}

function containerFacts(spec: JsonRecord, status: JsonRecord | null, role: ContainerRole): ContainerFacts {
  const name = asString(spec['name']) ?? '';
  const list = role === 'app' ? 'containers' : 'initContainers';
  const statusList = role === 'app' ? 'containerStatuses' : 'initContainerStatuses';
  const statusPath = `status.${statusList}[name="${name}"]`;
  const state = asRecord(status?.['state']);
  const terminated = child(state, 'terminated');
  const previousRaw = child(asRecord(status?.['lastState']), 'terminated');
  const previous = previousRaw ? termination(previousRaw, `${statusPath}.lastState.terminated`, false) : null;
  return {
    name,
    role,
    spec,
    status,
    specPath: `spec.${list}[name="${name}"]`,
    statusPath,
    eventFieldPath: `spec.${list}{${name}}`,
    image: asString(spec['image']) ?? asString(status?.['image']) ?? '',
    restartCount: asNumber(status?.['restartCount']) ?? 0,
    ready: asBoolean(status?.['ready']),
    started: asBoolean(status?.['started']),
    running: child(state, 'running'),
    waiting: child(state, 'waiting'),
    terminated,
    lastEnded: terminated ? termination(terminated, `${statusPath}.state.terminated`, true) : previous,
    previous,
  };
}

function termination(t: JsonRecord, path: string, current: boolean): Termination {
  const signal = asNumber(t['signal']);
  return {
    exitCode: asNumber(t['exitCode']) ?? 0,
    signal: signal !== null && signal !== 0 ? signal : null,
    reason: asString(t['reason']),
    message: asString(t['message'])?.trim() ?? null,
    // runc never started a process that failed to start: kubelet reports the epoch.
    startedAt: realTime(asString(t['startedAt'])),
    finishedAt: realTime(asString(t['finishedAt'])),
    path,
    current,
  };
}

function realTime(ts: string | null): string | null {
  return ts === null || ts.startsWith('1970-01-01') ? null : ts;
}

function child(record: JsonRecord, key: string): JsonRecord | null {
  const value = record[key];
  return isRecord(value) ? value : null;
}

export function condition(pod: PodFacts, type: string): Condition | undefined {
  return pod.conditions.find((c) => c.type === type);
}

/** Seconds between two RFC 3339 times (whole-second precision is all the API gives). */
export function secondsBetween(from: string | null, to: string | Date | null): number | null {
  if (from === null || to === null) return null;
  const a = Date.parse(from);
  const b = typeof to === 'string' ? Date.parse(to) : to.getTime();
  return Number.isFinite(a) && Number.isFinite(b) ? Math.round((b - a) / 1000) : null;
}

/** "3 s", "4 min", "2 h 5 min", "3 days". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  return `${Math.floor(h / 24)} days`;
}

export const times = (n: number): string => (n === 1 ? '1 time' : `${n} times`);
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
