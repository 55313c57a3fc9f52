// Containers that run but are not ready: the readiness probe's failures, from the kubelet's `Unhealthy`
// events, with what the probe checks (from the spec) and what it got back.

import { formatDuration, secondsBetween, times, type ContainerFacts } from './pod-facts.js';
import { parseProbeMessage, probeSpec } from './probes.js';
import {
  containerNoun,
  draft,
  eventEvidence,
  fieldEvidence,
  lastOf,
  steps,
  type DraftFinding,
  type RuleContext,
} from './rule-context.js';

/** A container that is not ready this long after starting, with no probe events to explain it, is odd. */
const NOT_READY_GRACE_SECONDS = 120;

export function readinessRules(ctx: RuleContext): DraftFinding[] {
  const out: DraftFinding[] = [];
  if (ctx.pod.deletionTimestamp !== null) return out;
  for (const c of ctx.pod.containers) {
    if (c.role === 'init' || !c.running || c.ready) continue;
    const finding = readinessFinding(ctx, c);
    if (finding) out.push(finding);
  }
  return out;
}

function readinessFinding(ctx: RuleContext, c: ContainerFacts): DraftFinding | null {
  const startedAt = typeof c.running?.['startedAt'] === 'string' ? c.running['startedAt'] : null;
  const events = ctx
    .containerEvents(c)
    .map((e) => ({ e, parsed: parseProbeMessage(e.message) }))
    .filter((x) => x.parsed !== null);
  // Failures of earlier instances count too: the kubelet rate-limits its events, so a container that keeps
  // failing its probe often has no event newer than its current start.
  const current = events;
  const startup = lastOf(current.filter((x) => x.parsed!.type === 'startup'));
  const readiness =
    lastOf(current.filter((x) => x.parsed!.type === 'readiness' && x.parsed!.failed)) ??
    lastOf(current.filter((x) => x.parsed!.type === 'readiness'));
  const noun = containerNoun(c);
  const startedFor = secondsBetween(startedAt, ctx.now);

  if (!c.started && startup) {
    const spec = probeSpec(c.spec, 'startup', c.specPath);
    return draft(
      {
        id: 'readiness-failing',
        severity: 'warning',
        container: c,
        summary: `${noun} runs but has not started yet: its startup probe${spec ? ` (${spec.action})` : ''} fails — ${startup.parsed!.result} (${times(startup.e.count)}) — so its other probes have not begun and it gets no traffic.`,
        hint: spec
          ? `It must pass within ${spec.initialDelaySeconds + spec.failureThreshold * spec.periodSeconds} s or the kubelet restarts it.`
          : null,
        cause: `failed the startup probe${spec ? ` (${spec.action})` : ''}: ${startup.parsed!.result}`,
        evidence: [
          eventEvidence('startup probe result', startup.e),
          spec ? fieldEvidence('startup probe', spec.path, spec.action, { container: c.name }) : null,
        ],
        nextSteps: [steps.logs(c.name, false), steps.events(), steps.terminal(c.name)],
      },
      [{ source: 'events' }],
    );
  }

  const spec = probeSpec(c.spec, 'readiness', c.specPath);
  if (readiness) {
    const { parsed, e } = readiness;
    const lastAgo = secondsBetween(e.lastSeen, ctx.now);
    const stale = startedAt !== null && e.lastSeen !== null && Date.parse(e.lastSeen) < Date.parse(startedAt);
    const since =
      lastAgo === null
        ? ''
        : stale
          ? ` (the last one recorded ${formatDuration(lastAgo)} ago)`
          : ` (the last ${formatDuration(lastAgo)} ago)`;
    return draft(
      {
        id: 'readiness-failing',
        severity: 'warning',
        container: c,
        summary: `${noun} runs but is not ready: its readiness probe${spec ? ` (${spec.action})` : ''} ${parsed!.failed ? 'fails' : 'cannot run'} — ${parsed!.result} — and has failed ${times(e.count)}${since}, so the pod gets no Service traffic.`,
        hint: /connection refused/.test(parsed!.result)
          ? "Nothing listens where the probe looks: check the port the application listens on against the probe's port."
          : null,
        cause: `failed the readiness probe${spec ? ` (${spec.action})` : ''}: ${parsed!.result.replace(/ \(nothing listens on [^)]*\)/, '')}`,
        evidence: [
          eventEvidence('readiness probe result', e),
          spec
            ? fieldEvidence(
                'readiness probe',
                spec.path,
                `${spec.action}; periodSeconds ${spec.periodSeconds}, timeoutSeconds ${spec.timeoutSeconds}, failureThreshold ${spec.failureThreshold}`,
                { container: c.name },
              )
            : null,
          fieldEvidence('ready', `${c.statusPath}.ready`, 'false', { container: c.name }),
        ],
        nextSteps: [steps.logs(c.name, false), steps.events(), steps.terminal(c.name)],
      },
      [{ source: 'events' }],
    );
  }

  if (startedFor !== null && startedFor > NOT_READY_GRACE_SECONDS && (spec || ctx.gap('events'))) {
    // Not ready for minutes and no event says why (events forbidden, or expired after an hour).
    return draft(
      {
        id: 'readiness-failing',
        severity: 'warning',
        container: c,
        summary: `${noun} has run for ${formatDuration(startedFor)} but is not ready${spec ? `: its readiness probe (${spec.action}) does not pass` : ''}.`,
        hint: null,
        cause: `failed the readiness probe${spec ? ` (${spec.action})` : ''}`,
        evidence: [
          fieldEvidence('ready', `${c.statusPath}.ready`, 'false', { container: c.name }),
          spec ? fieldEvidence('readiness probe', spec.path, spec.action, { container: c.name }) : null,
        ],
        nextSteps: [steps.logs(c.name, false), steps.events(), steps.terminal(c.name)],
      },
      [{ source: 'events' }],
    );
  }
  return null;
}
