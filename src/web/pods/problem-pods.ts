// Which pods newly need attention, for the screen-reader announcement of the pod list. Pure.

import type { PodSummary } from '../../shared/api.js';
import { statusTone } from './pod-status.js';

/** A pod instance: a pod deleted and created again under its name is a new one. */
const identity = (pod: PodSummary): string => `${pod.name}/${pod.uid}`;

/**
 * The failing pods (status tone "error") not announced before, and the set of those announced from now
 * on. A crash-looping pod flips between Error, CrashLoopBackOff and Running; it is announced the first
 * time it fails, not at every flip. `announced` null means this is the first list the page has: its
 * failing pods are visible at once and only become the baseline.
 */
export function newProblemPods(
  announced: ReadonlySet<string> | null,
  pods: Iterable<PodSummary>,
): { added: PodSummary[]; announced: Set<string> } {
  const failing = [...pods].filter((p) => statusTone(p) === 'error');
  const next = new Set(announced ?? []);
  const added: PodSummary[] = [];
  for (const pod of failing) {
    if (next.has(identity(pod))) continue;
    next.add(identity(pod));
    if (announced !== null) added.push(pod);
  }
  added.sort((a, b) => a.name.localeCompare(b.name));
  return { added, announced: next };
}

/** "Pod crashloop needs attention: CrashLoopBackOff." or "3 pods need attention: a (Error), …". */
export function problemAnnouncement(added: readonly PodSummary[]): string | null {
  if (added.length === 0) return null;
  const [only] = added;
  if (added.length === 1 && only) return `Pod ${only.name} needs attention: ${only.status}.`;
  const shown = added.slice(0, 5).map((p) => `${p.name} (${p.status})`);
  const more = added.length > 5 ? `, and ${added.length - 5} more` : '';
  return `${added.length} pods need attention: ${shown.join(', ')}${more}.`;
}
