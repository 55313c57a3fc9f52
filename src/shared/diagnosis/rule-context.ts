// What every rule gets: the pod read into facts, its events and log excerpts by container, and small
// builders for evidence, next steps and findings, so all rules word and link things the same way.

import type { EventView, LogLine } from '../api.js';
import { compareTimestamps } from '../logs/timestamps.js';
import { podFacts, type ContainerFacts, type PodFacts } from './pod-facts.js';
import type {
  DiagnosisInput,
  Evidence,
  EvidenceGap,
  EvidenceSource,
  Finding,
  FindingId,
  LogExcerpt,
  NextStep,
  Severity,
} from './types.js';

export interface RuleContext {
  input: DiagnosisInput;
  pod: PodFacts;
  now: Date;
  /** Events about the pod itself (any container), newest last. */
  podEvents: EventView[];
  /** Events about another object (owner, claim), newest last. */
  eventsAbout(kind: string, name: string): EventView[];
  /** Events about one container of the pod, newest last. */
  containerEvents(c: ContainerFacts): EventView[];
  /** The excerpt of a container instance's output, unless it could not be read. */
  logs(container: string, previous: boolean): LogExcerpt | undefined;
  /** Whether an input could not be read. */
  gap(source: EvidenceSource, container?: string): EvidenceGap | undefined;
}

export function ruleContext(input: DiagnosisInput): RuleContext {
  const pod = podFacts(input.pod, input.now);
  const events = sortOldestFirst(input.events ?? []);
  const podEvents = events.filter(
    (e) => e.involvedObject.kind === 'Pod' && e.involvedObject.name === pod.name,
  );
  return {
    input,
    pod,
    now: input.now,
    podEvents,
    eventsAbout: (kind, name) =>
      events.filter((e) => e.involvedObject.kind === kind && e.involvedObject.name === name),
    containerEvents: (c) => podEvents.filter((e) => e.involvedObject.fieldPath === c.eventFieldPath),
    logs: (container, previous) =>
      (input.logs ?? []).find((l) => l.container === container && l.previous === previous),
    gap: (source, container) =>
      (input.gaps ?? []).find(
        (g) => g.source === source && (container === undefined || g.container === container),
      ),
  };
}

function sortOldestFirst(events: readonly EventView[]): EventView[] {
  const key = (e: EventView) => e.lastSeen ?? e.firstSeen ?? '';
  return [...events].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka === '' || kb === '') return ka === kb ? 0 : ka === '' ? -1 : 1;
    return compareTimestamps(ka, kb);
  });
}

// ── Evidence ────────────────────────────────────────────────────────────────────────────────────────────

export function fieldEvidence(
  label: string,
  path: string,
  value: unknown,
  opts: { time?: string | null; container?: string | null; object?: string | null } = {},
): Evidence {
  return {
    kind: 'field',
    label,
    path,
    value: typeof value === 'string' ? value : JSON.stringify(value),
    time: opts.time ?? null,
    object: opts.object ?? null,
    container: opts.container ?? null,
  };
}

export function eventEvidence(label: string, e: EventView): Evidence {
  return {
    kind: 'event',
    label,
    type: e.type,
    reason: e.reason,
    message: e.message,
    count: e.count,
    firstSeen: e.firstSeen,
    lastSeen: e.lastSeen,
    object: `${e.involvedObject.kind}/${e.involvedObject.name}`,
    fieldPath: e.involvedObject.fieldPath,
  };
}

export function logEvidence(label: string, container: string, previous: boolean, line: LogLine): Evidence {
  return { kind: 'log', label, container, previous, text: line.text, time: line.ts === '' ? null : line.ts };
}

// ── Next steps ──────────────────────────────────────────────────────────────────────────────────────────

export const steps = {
  logs: (container: string, previous: boolean, search: string | null = null): NextStep => ({
    action: 'logs',
    label: previous ? `Open the previous logs of ${container}` : `Open the logs of ${container}`,
    container,
    previous,
    search,
  }),
  events: (): NextStep => ({ action: 'events', label: 'Open the events' }),
  containers: (container: string | null): NextStep => ({
    action: 'containers',
    label: container ? `Show container ${container}` : 'Show the containers',
    container,
  }),
  debugCopy: (container: string): NextStep => ({
    action: 'debug-copy',
    label: `Debug a copy of the pod with ${container}'s command replaced by sleep`,
    container,
  }),
  debugContainer: (container: string): NextStep => ({
    action: 'debug-container',
    label: `Attach a debug container to ${container}`,
    container,
  }),
  terminal: (container: string): NextStep => ({
    action: 'terminal',
    label: `Open a terminal in ${container}`,
    container,
  }),
  pod: (pod: string): NextStep => ({ action: 'pod', label: `Open pod ${pod}`, pod }),
};

// ── Findings ────────────────────────────────────────────────────────────────────────────────────────────

/** A finding as a rule builds it: `uses` names the inputs it relied on, so their gaps can be reported. */
export interface DraftFinding extends Omit<Finding, 'gaps'> {
  uses: Use[];
  /** Gap sentences only this finding knows about (e.g. output the kubelet could not retrieve). */
  notices: string[];
}

export type Use = { source: EvidenceSource; container?: string; previous?: boolean };

export function draft(
  f: {
    id: FindingId;
    severity: Severity;
    container?: ContainerFacts | null;
    summary: string;
    hint?: string | null;
    evidence: (Evidence | null | undefined | false)[];
    nextSteps: (NextStep | null | undefined | false)[];
    cause: string;
  },
  uses: Use[],
): DraftFinding {
  return {
    id: f.id,
    severity: f.severity,
    container: f.container ? { name: f.container.name, role: f.container.role } : null,
    summary: f.summary,
    hint: f.hint ?? null,
    evidence: f.evidence.filter((e): e is Evidence => Boolean(e)),
    nextSteps: dedupeSteps(f.nextSteps.filter((s): s is NextStep => Boolean(s))),
    cause: f.cause,
    uses,
    notices: [],
  };
}

function dedupeSteps(list: NextStep[]): NextStep[] {
  const seen = new Set<string>();
  return list.filter((s) => {
    const key = JSON.stringify(s);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `Container "app"`, `Init container "setup"`, `Sidecar "proxy"`. */
export function containerNoun(c: ContainerFacts): string {
  if (c.role === 'init') return `Init container "${c.name}"`;
  if (c.role === 'sidecar') return `Sidecar container "${c.name}"`;
  return `Container "${c.name}"`;
}

export function lastOf<T>(list: readonly T[]): T | undefined {
  return list[list.length - 1];
}
