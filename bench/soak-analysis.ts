// The soak's decisions (bench/soak.ts), pure: no I/O, no clock — fed sample series and timestamps, they
// say whether memory or handles keep growing, which streams stalled, and whether the server went back
// to idle. Unit-tested with fixtures (bench/soak-analysis.test.ts).
//
// Growth: judged on the second half of the run (the first half is warm-up: JIT, buffers and pools
// reaching their working size). A series "keeps growing" only if ALL of
//   1. its Theil–Sen slope over the second half (the median of the slopes between every pair of
//      samples; a sawtooth of garbage collections or a few outliers hardly move it, unlike a
//      least-squares line) exceeds `slopePerHour`;
//   2. the median of the last quarter of the second half (the end) is above the median of its first
//      quarter (the plateau) by more than max(`marginAbs`, `marginRel` × plateau, the plateau window's
//      own spread: its highest sample − its median) — so a series that only wanders within a band
//      (sockets of reconnecting streams coming and going) is not growing unless it leaves the band;
//   3. it is still growing at the end: the Theil–Sen slope of the last quarter of the run exceeds
//      `slopePerHour` too.
// (1) alone would fail a healthy short run on noise (a few MiB in 5 minutes is tens of MiB per hour);
// (1) and (2) would fail a one-off step (V8 growing its old space once, a pool reaching its size),
// which (3) tells from a leak. The smallest leak a run can catch is about margin / (3/8 × run length):
// the two windows' centres are 3/8 of the run apart (10 minutes, 16 MiB: ~260 MiB/h; 60 minutes: ~45).

export interface Sample {
  /** Seconds since the load started. */
  t: number;
  value: number;
}

export interface GrowthLimits {
  /** Units per hour. */
  slopePerHour: number;
  marginAbs: number;
  /** Fraction of the plateau, e.g. 0.1. */
  marginRel: number;
}

export interface GrowthVerdict {
  /** Theil–Sen slope over the second half, units per hour. */
  slopePerHour: number;
  /** Theil–Sen slope over the last quarter of the run, units per hour. */
  recentSlopePerHour: number;
  plateau: number;
  end: number;
  /** end − plateau */
  growth: number;
  /** The growth that counts as "clearly above". */
  margin: number;
  growing: boolean;
  /** Fewer than MIN_SAMPLES samples in the second half: no verdict (the caller fails on it). */
  tooFew: boolean;
}

/** Samples the second half must hold for a verdict. */
export const MIN_SAMPLES = 8;

/** Resident memory: a healthy server's RSS wobbles by a few MiB around a plateau once warmed up. */
export const RSS_LIMITS: GrowthLimits = { slopePerHour: 20, marginAbs: 16, marginRel: 0.1 };
/** Open file descriptors and Node's active handles: constant under a constant load, but for timers. */
export const HANDLE_LIMITS: GrowthLimits = { slopePerHour: 10, marginAbs: 10, marginRel: 0.02 };

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median of the pairwise slopes (value per second); NaN for fewer than two distinct times. */
export function theilSenSlope(samples: Sample[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < samples.length; i++) {
    for (let j = i + 1; j < samples.length; j++) {
      const dt = samples[j]!.t - samples[i]!.t;
      if (dt !== 0) slopes.push((samples[j]!.value - samples[i]!.value) / dt);
    }
  }
  return median(slopes);
}

/** Whether the series keeps growing over the second half of the run (see the top of the file). */
export function growthVerdict(samples: Sample[], limits: GrowthLimits): GrowthVerdict {
  const last = samples.length ? samples[samples.length - 1]!.t : 0;
  const half = samples.filter((s) => s.t >= last / 2);
  const window = Math.max(1, Math.floor(half.length / 4));
  const plateau = median(half.slice(0, window).map((s) => s.value));
  const end = median(half.slice(-window).map((s) => s.value));
  const spread = Math.max(...half.slice(0, window).map((s) => s.value)) - plateau;
  const margin = Math.max(limits.marginAbs, limits.marginRel * plateau, spread);
  const slopePerHour = theilSenSlope(half) * 3600;
  const recentSlopePerHour = theilSenSlope(half.slice(Math.floor(half.length / 2))) * 3600;
  const tooFew = half.length < MIN_SAMPLES;
  return {
    slopePerHour,
    recentSlopePerHour,
    plateau,
    end,
    growth: end - plateau,
    margin,
    growing:
      !tooFew &&
      slopePerHour > limits.slopePerHour &&
      end - plateau > margin &&
      recentSlopePerHour > limits.slopePerHour,
    tooFew,
  };
}

/**
 * The slowest steady growth (units per hour) a run of `runSeconds` catches: it must beat the slope limit
 * and add up to the margin between the two windows, whose centres are 3/8 of the run apart.
 */
export function smallestGrowthCaught(limits: GrowthLimits, plateau: number, runSeconds: number): number {
  const margin = Math.max(limits.marginAbs, limits.marginRel * plateau);
  return Math.max(limits.slopePerHour, margin / ((0.375 * runSeconds) / 3600));
}

// ---- Stalls ----

export interface FollowState {
  id: number;
  pod: string;
  openedAt: number;
  /** When its last line arrived (ms); null: none yet. */
  lastLineAt: number | null;
}

export interface StallLimits {
  /** A follow silent this long (ms)… */
  silentMs: number;
  /** …while the pod wrote a line at least this long (ms) after the follow's last one, is stalled. */
  slackMs: number;
}

export const FOLLOW_STALL: StallLimits = { silentMs: 20_000, slackMs: 5_000 };
/** A typed command whose output has not come back after this long (ms) is a stalled terminal. */
export const TERMINAL_STALL_MS = 15_000;

/**
 * The follows that stalled at `now`: silent for longer than `silentMs` although their pod kept logging —
 * a reference reader of the same pod (kubectl logs -f) got a line more than `slackMs` after the
 * follow's last line. A pod that stopped logging (or whose reference saw nothing) stalls no follow.
 */
export function stalledFollows(
  follows: FollowState[],
  podLastLineAt: ReadonlyMap<string, number>,
  now: number,
  limits: StallLimits = FOLLOW_STALL,
): FollowState[] {
  return follows.filter((f) => {
    const since = f.lastLineAt ?? f.openedAt;
    const podLast = podLastLineAt.get(f.pod);
    return now - since > limits.silentMs && podLast !== undefined && podLast - since > limits.slackMs;
  });
}

export interface TerminalState {
  id: number;
  /** When the command awaiting its output was typed (ms); null: nothing pending. */
  pendingSince: number | null;
}

/** The terminals whose command's output has not come back within `timeoutMs`. */
export function stalledTerminals(
  terminals: TerminalState[],
  now: number,
  timeoutMs = TERMINAL_STALL_MS,
): TerminalState[] {
  return terminals.filter((t) => t.pendingSince !== null && now - t.pendingSince > timeoutMs);
}

// ---- Back to idle ----

/** How far above its idle count a server may stay once every stream is closed (keep-alive pools). */
export function idleAllowance(idle: number): number {
  return Math.max(10, Math.ceil(idle * 0.2));
}

export function backToIdle(idle: number, after: number): boolean {
  return after <= idle + idleAllowance(idle);
}

// ---- Report ----

export interface SoakRow {
  t: number;
  rssMiB: number;
  heapMiB: number | null;
  handles: number | null;
  fds: number;
  openStreams: number | null;
  /** Log lines received per second since the previous row, over every follow. */
  linesPerSec: number;
  /** Terminal commands whose output came back since the previous row. */
  commands: number;
  /** Slowest command round trip since the previous row (ms). */
  maxCommandMs: number | null;
}

const fmt = (x: number | null, digits = 0) => (x === null || !Number.isFinite(x) ? '—' : x.toFixed(digits));

/** The samples as a compact fixed-width table, one row per sample. */
export function formatRows(rows: SoakRow[]): string {
  const head = ['t', 'RSS MiB', 'heap MiB', 'handles', 'fds', 'streams', 'lines/s', 'cmds', 'max cmd ms'];
  const clock = (t: number) => {
    const secs = Math.round(t);
    return `${Math.floor(secs / 60)}:${String(secs % 60).padStart(2, '0')}`;
  };
  const body = rows.map((r) => [
    clock(r.t),
    fmt(r.rssMiB, 1),
    fmt(r.heapMiB, 1),
    fmt(r.handles),
    fmt(r.fds),
    fmt(r.openStreams),
    fmt(r.linesPerSec),
    fmt(r.commands),
    fmt(r.maxCommandMs),
  ]);
  const all = [head, ...body];
  const widths = head.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  return all.map((row) => row.map((c, i) => c.padStart(widths[i]!)).join('  ')).join('\n');
}
