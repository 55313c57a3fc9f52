// Recorded inputs of the diagnosis rules (scripts/record-diagnosis-fixture.ts wrote them from the local
// cluster with kubectl), turned into what the server hands the rules: event views, log excerpts, gaps.
import { readdirSync, readFileSync } from 'node:fs';
import { toEventView } from '../../src/shared/events/fold.js';
import { excerptFromText } from '../../src/shared/diagnosis/inputs.js';
import type {
  DiagnosisInput,
  EvidenceGap,
  LogExcerpt,
  OwnerObject,
} from '../../src/shared/diagnosis/types.js';

interface RecordedFixture {
  description: string;
  recordedAt: string;
  kubernetesVersion: string;
  pod: unknown;
  events: unknown[];
  owners: OwnerObject[];
  claims: unknown[];
  rolloutPods: unknown[];
  logs: { container: string; previous: boolean; text?: string; error?: string }[];
}

const dir = new URL('../fixtures/diagnosis/', import.meta.url);

/** Fixture names: `crashloop` (recorded on 1.34), `v1.37/crashloop` (the same situation on 1.37)… */
export function diagnosisFixtureNames(): string[] {
  const names: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.json')) names.push(entry.name.slice(0, -5));
    if (entry.isDirectory()) {
      for (const f of readdirSync(new URL(`${entry.name}/`, dir))) {
        if (f.endsWith('.json')) names.push(`${entry.name}/${f.slice(0, -5)}`);
      }
    }
  }
  return names.sort();
}

export function recordedFixture(name: string): RecordedFixture {
  return JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8')) as RecordedFixture;
}

export interface FixtureOptions {
  /** Diagnose at another time than the recording's (e.g. the same pod a day later). */
  now?: Date;
  /** Pretend this input was forbidden (as for a user without the RBAC to read it). */
  forbid?: ('events' | 'logs' | 'owners')[];
}

export const FORBIDDEN = (what: string) =>
  `Kubernetes RBAC does not allow this: ${what} is forbidden: User "developer" cannot list resource "${what}" in API group "" in the namespace "demo"`;

export function diagnosisFixture(name: string, opts: FixtureOptions = {}): DiagnosisInput {
  const f = recordedFixture(name);
  const forbid = new Set(opts.forbid ?? []);
  const gaps: EvidenceGap[] = [];
  const logs: LogExcerpt[] = [];
  if (forbid.has('events')) gaps.push({ source: 'events', reason: FORBIDDEN('events') });
  if (forbid.has('owners') && f.owners.length)
    gaps.push({ source: 'owners', reason: FORBIDDEN('replicasets') });
  for (const l of f.logs) {
    if (forbid.has('logs')) {
      gaps.push({
        source: 'logs',
        container: l.container,
        previous: l.previous,
        reason: FORBIDDEN('pods/log'),
      });
    } else if (l.text !== undefined) {
      logs.push(excerptFromText(l.container, l.previous, l.text));
    } else {
      gaps.push({
        source: 'logs',
        container: l.container,
        previous: l.previous,
        reason: l.error ?? 'unknown',
      });
    }
  }
  return {
    pod: f.pod,
    events: forbid.has('events') ? undefined : f.events.map(toEventView),
    owners: forbid.has('owners') ? undefined : f.owners,
    claims: f.claims,
    rolloutPods: f.rolloutPods,
    logs,
    gaps,
    now: opts.now ?? new Date(f.recordedAt),
  };
}
