// What to read about a pod before diagnosing it. The server (and the fixture recorder) follow this plan,
// so the rules always see the same kinds of input whoever gathers them.

import type { LogLine } from '../api.js';
import { splitTimestampedLine } from '../logs/timestamps.js';
import { asArray, asRecord, asString } from '../validation/json.js';
import type { LogExcerpt } from './types.js';

/** Lines of output read per container instance. */
export const LOG_TAIL_LINES = 100;
/** And at most this many bytes of it (a line of megabytes must not stall a diagnosis). */
export const LOG_LIMIT_BYTES = 64 * 1024;
/** Log excerpts read per pod, most telling first. */
export const MAX_LOG_EXCERPTS = 6;

export interface LogRequest {
  container: string;
  previous: boolean;
}

/**
 * The container output worth reading: the instance that ended last (current if it has terminated, else
 * the previous one, as `kubectl logs --previous` reads it), and the current output of containers that run
 * but are not ready. Containers that finished with exit code 0 in an initialised pod are left out.
 */
export function logPlan(pod: unknown): LogRequest[] {
  const p = asRecord(pod);
  const status = asRecord(p['status']);
  const restartPolicy = asString(asRecord(p['spec'])['restartPolicy']) ?? 'Always';
  const out: LogRequest[] = [];
  const statuses = [
    ...asArray(status['initContainerStatuses']).map((s) => ({ s: asRecord(s), init: true })),
    ...asArray(status['containerStatuses']).map((s) => ({ s: asRecord(s), init: false })),
  ];
  for (const { s, init } of statuses) {
    const name = asString(s['name']);
    if (name === null) continue;
    const state = asRecord(s['state']);
    const terminated = state['terminated'] ? asRecord(state['terminated']) : null;
    const last = asRecord(s['lastState'])['terminated']
      ? asRecord(asRecord(s['lastState'])['terminated'])
      : null;
    if (terminated) {
      const ok = terminated['exitCode'] === 0 && terminated['reason'] !== 'OOMKilled';
      // Exit 0 is a problem only where the container should have kept running.
      if (!ok || (!init && restartPolicy === 'Always')) out.push({ container: name, previous: false });
    } else if (last) {
      out.push({ container: name, previous: true });
    }
    if (state['running'] && s['ready'] !== true && !terminated) {
      out.push({ container: name, previous: false });
    }
  }
  return out.slice(0, MAX_LOG_EXCERPTS);
}

/** Claims the pod mounts (`spec.volumes[].persistentVolumeClaim.claimName`). */
export function claimNames(pod: unknown): string[] {
  const volumes = asArray(asRecord(asRecord(pod)['spec'])['volumes']);
  const names = volumes.flatMap((v) => {
    const claim = asString(asRecord(asRecord(v)['persistentVolumeClaim'])['claimName']);
    return claim === null ? [] : [claim];
  });
  return [...new Set(names)];
}

/** Owner kinds worth reading, and the API group path of each. */
export const OWNER_API: Readonly<Record<string, string>> = {
  ReplicaSet: '/apis/apps/v1',
  Deployment: '/apis/apps/v1',
  StatefulSet: '/apis/apps/v1',
  DaemonSet: '/apis/apps/v1',
  Job: '/apis/batch/v1',
  CronJob: '/apis/batch/v1',
};

/** The controlling owner of an object (`ownerReferences[controller=true]`), if it is a kind we read. */
export function controllerRef(object: unknown): { kind: string; name: string } | null {
  const refs = asArray(asRecord(asRecord(object)['metadata'])['ownerReferences']).map(asRecord);
  const ref = refs.find((r) => r['controller'] === true);
  const kind = asString(ref?.['kind']);
  const name = asString(ref?.['name']);
  if (kind === null || name === null || !(kind in OWNER_API)) return null;
  return { kind, name };
}

/** Plural resource name of an owner kind, for its API path. */
export function ownerResource(kind: string): string {
  return `${kind.toLowerCase()}s`;
}

/** How deep an owner chain goes: pod → ReplicaSet → Deployment, pod → Job → CronJob. */
export const MAX_OWNER_DEPTH = 2;

/**
 * A log excerpt from the body of a `…/log?timestamps=true` response. A line without a timestamp (the
 * kubelet's "unable to retrieve container logs" notice, or the cut end of a `limitBytes` read) is kept with
 * an empty time.
 */
export function excerptFromText(container: string, previous: boolean, text: string): LogExcerpt {
  const lines: LogLine[] = [];
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    lines.push(splitTimestampedLine(line) ?? { ts: '', text: line });
  }
  return { container, previous, lines };
}
