// How Podscope marks the pods it creates (pod copies and node debug pods): labels to find them, and
// annotations naming the session, the owner and the expiry. The reaper trusts nothing else: a pod
// without these marks is never deleted by Podscope.

import type { Pod } from './types.js';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'podscope';
/** `copy` or `node`. */
export const DEBUG_POD_LABEL = 'podscope.io/debug-pod';
export const SESSION_LABEL = 'podscope.io/session';
export const EXPIRES_AT_ANNOTATION = 'podscope.io/expires-at';
export const OWNER_ANNOTATION = 'podscope.io/owner';
export const SOURCE_ANNOTATION = 'podscope.io/source';
export const CREATED_AT_ANNOTATION = 'podscope.io/created-at';

export type DebugPodKind = 'copy' | 'node';
export const DEBUG_POD_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${DEBUG_POD_LABEL} in (copy,node)`;

export interface DebugPodMarks {
  kind: DebugPodKind;
  /** The audit session id (a UUID: label-safe). */
  session: string;
  owner: string;
  /** What it was made from: `pod demo/crashloop` or `node podscope-node`. */
  source: string;
  createdAt: Date;
  expiresAt: Date;
}

export function markLabels(m: DebugPodMarks): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [DEBUG_POD_LABEL]: m.kind, [SESSION_LABEL]: m.session };
}

export function markAnnotations(m: DebugPodMarks): Record<string, string> {
  return {
    [OWNER_ANNOTATION]: m.owner,
    [SOURCE_ANNOTATION]: m.source,
    [CREATED_AT_ANNOTATION]: m.createdAt.toISOString(),
    [EXPIRES_AT_ANNOTATION]: m.expiresAt.toISOString(),
  };
}

export interface DebugPodInfo {
  name: string;
  namespace: string;
  kind: DebugPodKind;
  session: string | null;
  owner: string | null;
  source: string | null;
  /** null when the annotation is missing or not a time. */
  expiresAt: Date | null;
}

/** The marks of a Podscope debug pod, or null for any other pod. */
export function readMarks(pod: Pod): DebugPodInfo | null {
  const labels = pod.metadata?.labels ?? {};
  const kind = labels[DEBUG_POD_LABEL];
  if (labels[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE || (kind !== 'copy' && kind !== 'node')) return null;
  const ann = pod.metadata?.annotations ?? {};
  const raw = ann[EXPIRES_AT_ANNOTATION];
  const t = raw === undefined ? NaN : Date.parse(raw);
  return {
    name: pod.metadata?.name ?? '',
    namespace: pod.metadata?.namespace ?? '',
    kind,
    session: labels[SESSION_LABEL] ?? null,
    owner: ann[OWNER_ANNOTATION] ?? null,
    source: ann[SOURCE_ANNOTATION] ?? null,
    expiresAt: Number.isNaN(t) ? null : new Date(t),
  };
}

/**
 * Whether the reaper should delete this pod now. A Podscope pod whose expiry is unreadable counts as
 * expired once it is older than `maxAgeMs` (someone edited the annotation; it must not live forever).
 */
export function isExpired(pod: Pod, now: Date, maxAgeMs: number): boolean {
  const marks = readMarks(pod);
  if (!marks) return false;
  if (marks.expiresAt) return marks.expiresAt.getTime() <= now.getTime();
  const created = Date.parse(String(pod.metadata?.creationTimestamp ?? ''));
  return Number.isNaN(created) || now.getTime() - created > maxAgeMs;
}

/** A merge patch moving the expiry (lease renewal). */
export function expiryPatch(expiresAt: Date): { metadata: { annotations: Record<string, string> } } {
  return { metadata: { annotations: { [EXPIRES_AT_ANNOTATION]: expiresAt.toISOString() } } };
}
