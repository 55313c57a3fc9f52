// Containers that ended: crash loops, OOM kills, probe kills, start errors, containers that exit 0 under
// restartPolicy Always, failed init containers, failed containers of run-once pods, and restarts of a pod
// that runs fine now. What ended an instance is read from exact signals only: `OOMKilled` from the
// runtime, the kubelet's `Killing` event inside the instance's lifetime for a probe, runc's words for a
// start error — the exit code alone is reported with its meaning, never turned into a guess.

import type { EventView, LogLine } from '../api.js';
import { asRecord, asString } from '../validation/json.js';
import { exitLabel, exitMeaning, exitPhrase } from './exit-codes.js';
import { quotableLine, quote, searchText, telltaleLines, unretrievableNotice } from './log-excerpts.js';
import { formatDuration, secondsBetween, times, type ContainerFacts, type Termination } from './pod-facts.js';
import { parseProbeKill, parseProbeMessage, probeSpec, type ProbeFailure, type ProbeSpec } from './probes.js';
import {
  containerNoun,
  draft,
  eventEvidence,
  fieldEvidence,
  lastOf,
  logEvidence,
  steps,
  type DraftFinding,
  type RuleContext,
  type Use,
} from './rule-context.js';
import { parseStartError, type StartProblem } from './start-errors.js';
import type { Evidence, FindingId, NextStep } from './types.js';

/** A crash this recent still counts as crash-looping while the container runs between back-offs. */
export const RECENT_CRASH_SECONDS = 10 * 60;
/** Restarts within this window make a running pod worth a warning; older ones are mentioned only. */
export const RECENT_RESTART_SECONDS = 60 * 60;

type EndCause =
  | { kind: 'oom' }
  | {
      kind: 'probe';
      probe: 'liveness' | 'startup';
      kill: EventView;
      /** The kill event falls within this instance (else it is the last kill the kubelet recorded). */
      recorded: boolean;
      failure: EventView | undefined;
      parsed: ProbeFailure | null;
      spec: ProbeSpec | null;
    }
  | { kind: 'start'; problem: StartProblem; text: string; logLine: LogLine | null }
  | { kind: 'exit' };

/** What ended this instance. */
function endCause(ctx: RuleContext, c: ContainerFacts, t: Termination): EndCause {
  if (t.reason === 'OOMKilled') return { kind: 'oom' };
  if (t.reason === 'StartError' || t.reason === 'ContainerCannotRun') {
    return { kind: 'start', problem: parseStartError(t.message ?? ''), text: t.message ?? '', logLine: null };
  }
  const events = ctx.containerEvents(c);
  const kill = lastOf(
    events.filter((e) => e.reason === 'Killing' && parseProbeKill(e.message)?.container === c.name),
  );
  // Exact: the kubelet's decision to kill falls within this instance's lifetime. Also exact enough: the
  // instance ended by a signal (SIGKILL after the grace period, or SIGTERM) and the kubelet has killed this
  // container for a probe before — its events are rate-limited (after a burst, about one per object every
  // few minutes), so the kill that ended this instance is often not recorded itself.
  const during = kill && t.startedAt && t.finishedAt && within(kill.lastSeen, t.startedAt, t.finishedAt);
  const bySignal = t.exitCode === 137 || t.exitCode === 143 || t.signal === 9 || t.signal === 15;
  if (kill && (during || bySignal)) {
    const probe = parseProbeKill(kill.message)!.type;
    const failures = events
      .filter((e) => e.reason === 'Unhealthy')
      .map((e) => ({ e, parsed: parseProbeMessage(e.message) }))
      .filter((x) => x.parsed?.type === probe);
    const failed = lastOf(failures.filter((x) => x.parsed?.failed)) ?? lastOf(failures);
    return {
      kind: 'probe',
      probe,
      kill,
      recorded: Boolean(during),
      failure: failed?.e,
      parsed: failed?.parsed ?? null,
      spec: probeSpec(c.spec, probe, c.specPath),
    };
  }
  // runc reports an exec that fails with ENOEXEC from inside the new process: exit 1 and one line of output.
  const excerpt = ctx.logs(c.name, !t.current);
  const format = excerpt?.lines.find((l) => /^exec .+: exec format error$/.test(l.text.trim()));
  if (format && t.exitCode === 1) {
    return { kind: 'start', problem: parseStartError(format.text), text: format.text, logLine: format };
  }
  return { kind: 'exit' };
}

/** Whether `ts` (an event's second-precision time) falls within [from, to], a second of slack each side. */
function within(ts: string | null, from: string, to: string): boolean {
  if (ts === null) return false;
  const t = Date.parse(ts);
  return t >= Date.parse(from) - 1000 && t <= Date.parse(to) + 1000;
}

type Mode =
  /** Restarting and failing again (CrashLoopBackOff or between back-offs). */
  | 'looping'
  /** Terminated for good (restartPolicy Never, or an init container of a Failed pod). */
  | 'failed'
  /** Runs fine now; restarted within the last hour. */
  | 'recent'
  /** Runs fine now; restarted long ago. */
  | 'earlier';

export function crashRules(ctx: RuleContext): DraftFinding[] {
  const out: DraftFinding[] = [];
  const initialised = ctx.pod.conditions.find((c) => c.type === 'Initialized')?.status === 'True';
  for (const c of ctx.pod.containers) {
    const t = c.lastEnded;
    if (!t) continue;
    const mode = modeOf(ctx, c, t, initialised);
    if (mode) out.push(crashFinding(ctx, c, t, mode));
  }
  return out;
}

function modeOf(ctx: RuleContext, c: ContainerFacts, t: Termination, initialised: boolean): Mode | null {
  const waitingReason = asString(c.waiting?.['reason']);
  // Image, config and runtime errors while waiting are the waiting rules' business.
  if (waitingReason !== null && waitingReason !== 'CrashLoopBackOff' && waitingReason !== 'PodInitializing') {
    if (!(
      t.reason === 'StartError' &&
      (waitingReason === 'RunContainerError' || waitingReason === 'CreateContainerError')
    )) {
      return null;
    }
  }
  if (ctx.pod.deletionTimestamp !== null && t.current) return null; // stopped because the pod was deleted
  const ok = t.exitCode === 0 && t.reason !== 'OOMKilled';
  if (c.role === 'init') {
    if (ok) return null;
    if (t.current) return ctx.pod.phase === 'Failed' ? 'failed' : 'looping';
    return initialised ? earlierOrRecent(ctx, t) : 'looping';
  }
  if (t.current) {
    if (ok && ctx.pod.restartPolicy !== 'Always') return null; // finished, as a Job's pod should
    if (ctx.pod.restartPolicy === 'Never' || ctx.pod.phase === 'Failed' || ctx.pod.phase === 'Succeeded')
      return 'failed';
    return 'looping';
  }
  if (
    waitingReason === 'CrashLoopBackOff' ||
    waitingReason === 'RunContainerError' ||
    waitingReason === 'CreateContainerError'
  ) {
    return 'looping';
  }
  const age = secondsBetween(t.finishedAt, ctx.now);
  const recentCrash =
    c.running !== null &&
    age !== null &&
    age < RECENT_CRASH_SECONDS &&
    !(ok && ctx.pod.restartPolicy !== 'Always');
  if (recentCrash && !c.ready) return 'looping';
  // Running again between back-offs. A container without a readiness probe is ready the moment it
  // runs, so readiness cannot tell: one that has crashed more than once and has not yet outlived its
  // last run (twice its length, at least a minute) is still in the loop — the next exit is due.
  if (recentCrash && c.restartCount >= 2 && !outlivedLastRun(ctx, c, t)) return 'looping';
  if (c.running || c.terminated === null) return earlierOrRecent(ctx, t);
  return null;
}

/** Whether the running instance has run longer than twice its predecessor did (at least a minute). */
function outlivedLastRun(ctx: RuleContext, c: ContainerFacts, t: Termination): boolean {
  const runningFor = secondsBetween(asString(c.running?.['startedAt']), ctx.now);
  const lastRan = secondsBetween(t.startedAt, t.finishedAt);
  // Unknown times: not enough to call it a loop (the readiness rule above still can).
  if (runningFor === null || lastRan === null) return true;
  return runningFor > Math.max(2 * lastRan, 60);
}

function earlierOrRecent(ctx: RuleContext, t: Termination): Mode {
  const age = secondsBetween(t.finishedAt, ctx.now);
  return age !== null && age <= RECENT_RESTART_SECONDS ? 'recent' : 'earlier';
}

function crashFinding(ctx: RuleContext, c: ContainerFacts, t: Termination, mode: Mode): DraftFinding {
  const cause = endCause(ctx, c, t);
  const previous = !t.current;
  const excerpt = ctx.logs(c.name, previous);
  const logGap = excerpt ? unretrievableNotice(excerpt.lines) : null;
  const lines = excerpt && !logGap ? telltaleLines(excerpt.lines) : [];
  const quoted = excerpt && !logGap ? quotableLine(excerpt.lines) : null;
  const ran = secondsBetween(t.startedAt, t.finishedAt);
  const noun = containerNoun(c);
  const restarts = c.restartCount;
  const meaning = exitMeaning(t.exitCode, t.signal);
  const uses: Use[] = [{ source: 'logs', container: c.name, previous }];
  if (cause.kind === 'exit' || cause.kind === 'probe') uses.push({ source: 'events' });

  const evidence: (Evidence | null)[] = [
    c.waiting?.['reason']
      ? fieldEvidence('waiting reason', `${c.statusPath}.state.waiting.reason`, String(c.waiting['reason']), {
          container: c.name,
        })
      : null,
    fieldEvidence(
      `exit code of the ${t.current ? 'ended' : 'previous'} instance${meaning.signal ? ` (${meaning.signal.name})` : ''}`,
      `${t.path}.exitCode`,
      String(t.exitCode),
      { time: t.finishedAt, container: c.name },
    ),
    t.reason
      ? fieldEvidence('termination reason', `${t.path}.reason`, t.reason, {
          time: t.finishedAt,
          container: c.name,
        })
      : null,
    t.message
      ? fieldEvidence('termination message', `${t.path}.message`, t.message, {
          time: t.finishedAt,
          container: c.name,
        })
      : null,
    restarts > 0
      ? fieldEvidence('restarts', `${c.statusPath}.restartCount`, String(restarts), { container: c.name })
      : null,
  ];
  const logSteps: NextStep[] = [steps.logs(c.name, previous, quoted ? searchText(quoted.text) : null)];
  const logEvidenceItems = lines.map((l) =>
    logEvidence(`${previous ? 'previous' : 'last'} output of ${c.name}`, c.name, previous, l),
  );

  const restartWords = restarts > 0 ? `it has restarted ${times(restarts)}` : null;
  const afterRan = ran !== null ? ` after ${ran < 1 ? 'less than a second' : formatDuration(ran)}` : '';
  const quoteWords = quoted ? ` ("${quote(quoted.text)}")` : '';

  let id: FindingId;
  let summary: string;
  let hint: string | null = null;
  let groupCause: string;
  const extraSteps: NextStep[] = [];

  switch (cause.kind) {
    case 'oom': {
      const limit = resource(c, 'limits', 'memory');
      const request = resource(c, 'requests', 'memory');
      const podLimit = asString(
        asRecord(asRecord(asRecord(ctx.pod.raw['spec'])['resources'])['limits'])['memory'],
      );
      id = 'oom-killed';
      const what = limit
        ? `for using more memory than its limit of ${limit}`
        : podLimit
          ? `for using more memory than the pod's limit of ${podLimit}`
          : `by the kernel's out-of-memory killer although it has no memory limit, so the node (or its pod) ran out of memory`;
      summary = `${noun} ${mode === 'earlier' || mode === 'recent' ? 'was' : 'is'} killed ${what} (OOMKilled, exit code ${t.exitCode}${limit && request && request !== limit ? `; its request is ${request}` : ''})${afterRan}${restartWords ? `; ${restartWords}` : ''}.`;
      hint = limit
        ? `Raise the memory limit above what ${c.name} needs at peak, or find what grows (a debug copy with the same limit lets you watch it).`
        : 'Set a memory request and limit that match what the container needs, so the scheduler places it on a node with room.';
      groupCause = `got OOMKilled${limit ? ` at the ${limit} memory limit` : ''}`;
      evidence.push(
        limit
          ? fieldEvidence('memory limit', `${c.specPath}.resources.limits.memory`, limit, {
              container: c.name,
            })
          : null,
        request
          ? fieldEvidence('memory request', `${c.specPath}.resources.requests.memory`, request, {
              container: c.name,
            })
          : null,
      );
      const probeFailures = ctx
        .containerEvents(c)
        .filter((e) => e.reason === 'Unhealthy' && parseProbeMessage(e.message)?.type === 'liveness');
      if (probeFailures.length > 0) {
        // Both happen: say which one ended this instance.
        const last = lastOf(probeFailures)!;
        evidence.push(
          eventEvidence('the liveness probe fails too, but the memory limit ended this instance', last),
        );
      }
      extraSteps.push(steps.debugCopy(c.name));
      break;
    }
    case 'probe': {
      id = cause.probe === 'liveness' ? 'killed-by-liveness-probe' : 'killed-by-startup-probe';
      const spec = cause.spec;
      const result = cause.parsed ? cause.parsed.result : null;
      const what = spec
        ? `${spec.action}${result ? (result.startsWith('→') ? ` ${result}` : `: ${result}`) : ''}`
        : (result ?? '');
      const budget = spec ? spec.initialDelaySeconds + spec.failureThreshold * spec.periodSeconds : null;
      const grace = gracePeriod(ctx);
      const early =
        cause.probe === 'liveness' && budget !== null && ran !== null && ran <= budget + grace + 3;
      const memoryLimit = resource(c, 'limits', 'memory');
      const notOom = t.exitCode === 137 || memoryLimit ? ', not by its memory limit' : '';
      summary =
        `${noun} ${mode === 'earlier' || mode === 'recent' ? 'was' : 'is'} killed by its ${cause.probe} probe${what ? ` (${what})` : ''}` +
        (early ? ' before it finishes starting' : `${afterRan}${notOom}`) +
        `${restartWords ? `; ${restartWords}` : ''}.`;
      if (early && spec) {
        hint = `The probe allows about ${budget} s (initialDelaySeconds ${spec.initialDelaySeconds} + failureThreshold ${spec.failureThreshold} × periodSeconds ${spec.periodSeconds}) and the container is killed at that moment each time: add a startupProbe that covers how long it takes to start, or make the probe pass sooner.`;
      } else if (cause.probe === 'startup' && spec) {
        hint = `It must pass within initialDelaySeconds ${spec.initialDelaySeconds} + failureThreshold ${spec.failureThreshold} × periodSeconds ${spec.periodSeconds} s; raise failureThreshold if it starts slowly, or fix what the probe checks.`;
      } else {
        hint = `Find out why ${spec ? spec.action : 'the probe'} fails after a while: the output before the kill usually says.`;
      }
      groupCause = `got killed by the ${cause.probe} probe${spec ? ` (${spec.action})` : ''}`;
      evidence.push(
        eventEvidence(
          cause.recorded
            ? `the kubelet killed ${c.name} for its ${cause.probe} probe`
            : `the last ${cause.probe}-probe kill the kubelet recorded (its events are rate-limited, so the newest kills may be missing)`,
          cause.kill,
        ),
        cause.failure ? eventEvidence(`${cause.probe} probe result`, cause.failure) : null,
        spec
          ? fieldEvidence(
              `${cause.probe} probe`,
              spec.path,
              `${spec.action}; initialDelaySeconds ${spec.initialDelaySeconds}, periodSeconds ${spec.periodSeconds}, timeoutSeconds ${spec.timeoutSeconds}, failureThreshold ${spec.failureThreshold}`,
              { container: c.name },
            )
          : null,
      );
      extraSteps.push(steps.events(), steps.debugCopy(c.name));
      break;
    }
    case 'start': {
      const p = cause.problem;
      id =
        p.kind === 'command-not-found'
          ? 'start-error.command-not-found'
          : p.kind === 'permission-denied'
            ? 'start-error.permission-denied'
            : p.kind === 'exec-format'
              ? 'start-error.exec-format'
              : 'start-error';
      const tried = restarts > 0 ? `; it has been tried ${times(restarts + 1)}` : '';
      const what =
        p.kind === 'command-not-found'
          ? `its command ${p.command} does not exist in the image (${p.detail})`
          : p.kind === 'permission-denied'
            ? `its command ${p.command} is not executable (permission denied)`
            : p.kind === 'exec-format'
              ? `its command ${p.command} is not a program this node can run (exec format error: a script without a #! line, or a binary built for another CPU architecture)`
              : `the runtime could not start its process: ${p.detail}`;
      summary = `${noun} cannot start: ${what}${tried}.`;
      hint =
        p.kind === 'command-not-found'
          ? "Fix command/args in the pod spec (or the image's entrypoint); a debug copy with the command replaced by sleep shows what the image contains."
          : p.kind === 'permission-denied'
            ? 'Make the file executable in the image (chmod +x), or run it through its interpreter.'
            : p.kind === 'exec-format'
              ? "Add a #! line to the script, or use an image built for this node's architecture."
              : null;
      groupCause =
        p.kind === 'other'
          ? `cannot start: ${quote(p.detail, 80)}`
          : `cannot start: ${p.kind === 'command-not-found' ? `command ${p.command} not found` : p.kind === 'permission-denied' ? `command ${p.command} not executable` : `exec format error in ${p.command}`}`;
      const command = c.spec['command'] ?? c.spec['args'];
      evidence.push(
        command !== undefined
          ? fieldEvidence(
              'command',
              `${c.specPath}.${c.spec['command'] !== undefined ? 'command' : 'args'}`,
              command,
              { container: c.name },
            )
          : null,
        cause.logLine
          ? logEvidence('what runc wrote when exec failed', c.name, previous, cause.logLine)
          : null,
      );
      const failed = lastOf(ctx.containerEvents(c).filter((e) => e.reason === 'Failed'));
      if (failed) evidence.push(eventEvidence("the kubelet's error", failed));
      extraSteps.push(steps.debugCopy(c.name));
      break;
    }
    case 'exit': {
      const exitsZero = t.exitCode === 0 && c.role !== 'init';
      const killedPlain = t.exitCode === 137 && t.reason !== 'OOMKilled';
      const exitWords = exitPhrase(t.exitCode, t.signal);
      if (exitsZero && mode === 'looping') {
        id = 'crash-loop.exits-zero';
        summary = `${noun} keeps exiting with code 0 (success)${afterRan} and is started again each time, because the pod's restartPolicy is Always${restartWords ? `; ${restartWords}` : ''}.`;
        hint =
          'A container under restartPolicy Always must keep running: keep the process in the foreground, or run this work as a Job.';
        groupCause = 'exited with code 0 under restartPolicy Always';
      } else if (mode === 'failed') {
        id = c.role === 'init' ? 'init-failed' : 'container-failed';
        summary = `${noun} failed: it exited with ${exitWords}${afterRan}${quoteWords}${c.role === 'init' ? ', so the app containers never started' : ''}; the pod's restartPolicy is ${ctx.pod.restartPolicy}, so it is not restarted.`;
        groupCause = `failed with ${exitLabel(t.exitCode, t.signal)}${c.role === 'init' ? ` in init container "${c.name}"` : ''}`;
      } else if (mode === 'looping') {
        id = c.role === 'init' ? 'init-crash-loop' : 'crash-loop';
        summary =
          c.role === 'init'
            ? `${noun} keeps failing: it exits with ${exitWords}${afterRan}${quoteWords}, so the app containers cannot start${restartWords ? `; ${restartWords}` : ''}.`
            : `${noun} keeps crashing: it exits with ${exitWords}${afterRan}${quoteWords}${restartWords ? `; ${restartWords}` : ''}.`;
        groupCause =
          c.role === 'init'
            ? `cannot initialise: init container "${c.name}" fails with ${exitLabel(t.exitCode, t.signal)}`
            : `crashed repeatedly with ${exitLabel(t.exitCode, t.signal)}`;
        if (killedPlain && ctx.gap('events')) {
          hint =
            "Whether a liveness probe killed it, the pod's events would tell — and they could not be read.";
        }
      } else {
        id = mode === 'recent' ? 'recent-restarts' : 'earlier-restarts';
        groupCause =
          mode === 'recent'
            ? `restarted in the last hour (${exitLabel(t.exitCode, t.signal)})`
            : 'restarted long ago';
        summary = '';
      }
      extraSteps.push(steps.debugCopy(c.name));
      break;
    }
  }

  if (mode === 'recent' || mode === 'earlier') {
    const age = secondsBetween(t.finishedAt, ctx.now);
    const ago = age !== null ? `${formatDuration(age)} ago` : 'at an unknown time';
    const how =
      cause.kind === 'oom'
        ? 'it was OOMKilled'
        : cause.kind === 'probe'
          ? `its ${cause.probe} probe killed it`
          : cause.kind === 'start'
            ? 'it could not start'
            : `it exited with ${exitPhrase(t.exitCode, t.signal)}${quoteWords}`;
    id = mode === 'recent' ? 'recent-restarts' : 'earlier-restarts';
    summary =
      mode === 'recent'
        ? `${noun} runs now, but it has restarted ${times(restarts)}: ${ago} ${how}.`
        : `${noun} has restarted ${times(restarts)}, most recently ${ago} (${how.replace(/^it /, '')}); it has run without restarting since.`;
    groupCause =
      mode === 'recent'
        ? `restarted in the last hour (${cause.kind === 'oom' ? 'OOMKilled' : exitLabel(t.exitCode, t.signal)})`
        : 'restarted long ago';
    hint = mode === 'recent' ? hint : null;
  }

  const severity = mode === 'earlier' ? 'info' : mode === 'recent' ? 'warning' : 'error';
  const finding = draft(
    {
      id,
      severity,
      container: c,
      summary,
      hint,
      cause: groupCause,
      evidence: [...evidence, ...logEvidenceItems],
      nextSteps: [
        ...logSteps,
        ...(mode === 'earlier' ? [] : extraSteps),
        mode === 'recent' || mode === 'earlier' ? steps.terminal(c.name) : null,
      ],
    },
    uses,
  );
  if (logGap)
    finding.notices.push(
      `The ${previous ? 'previous' : 'last'} output of ${c.name} could not be read: ${logGap}.`,
    );
  return finding;
}

function resource(c: ContainerFacts, kind: 'limits' | 'requests', name: string): string | null {
  return (
    asString(asRecord(asRecord(c.spec['resources'])[kind])[name]) ??
    numberString(asRecord(asRecord(c.spec['resources'])[kind])[name])
  );
}

function numberString(v: unknown): string | null {
  return typeof v === 'number' ? String(v) : null;
}

function gracePeriod(ctx: RuleContext): number {
  const g = asRecord(ctx.pod.raw['spec'])['terminationGracePeriodSeconds'];
  return typeof g === 'number' ? g : 30;
}
