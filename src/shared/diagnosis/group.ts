// A namespace at a glance: its problem pods grouped by cause ("3 pods cannot pull reg/x:1.2 — tag not
// found"), most severe and most common first.

import { plural } from './pod-facts.js';
import type { CauseGroup, EvidenceGap, NamespaceDiagnosis, PodDiagnosis, Severity } from './types.js';

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function groupByCause(diagnoses: readonly PodDiagnosis[]): CauseGroup[] {
  const groups = new Map<string, CauseGroup>();
  for (const d of diagnoses) {
    for (const f of d.findings) {
      if (f.severity === 'info') continue;
      const key = `${f.id}\u0000${f.cause}`;
      const group = groups.get(key) ?? {
        id: f.id,
        severity: f.severity,
        cause: f.cause,
        sentence: '',
        pods: [],
      };
      if (!group.pods.includes(d.pod)) group.pods.push(d.pod);
      if (SEVERITY_ORDER[f.severity] < SEVERITY_ORDER[group.severity]) group.severity = f.severity;
      groups.set(key, group);
    }
  }
  return [...groups.values()]
    .map((g) => ({ ...g, pods: [...g.pods].sort(), sentence: `${plural(g.pods.length, 'pod')} ${g.cause}` }))
    .sort(
      (a, b) =>
        SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
        b.pods.length - a.pods.length ||
        a.cause.localeCompare(b.cause),
    );
}

export function namespaceDiagnosis(
  namespace: string,
  diagnoses: readonly PodDiagnosis[],
  gaps: readonly EvidenceGap[],
  now: Date,
): NamespaceDiagnosis {
  return {
    namespace,
    pods: diagnoses.length,
    problemPods: diagnoses.filter((d) => !d.healthy).length,
    groups: groupByCause(diagnoses),
    diagnoses: [...diagnoses].sort(
      (a, b) => Number(a.healthy) - Number(b.healthy) || a.pod.localeCompare(b.pod),
    ),
    gaps: [...gaps],
    diagnosedAt: now.toISOString(),
  };
}
