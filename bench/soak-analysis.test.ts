import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  backToIdle,
  formatRows,
  growthVerdict,
  HANDLE_LIMITS,
  median,
  RSS_LIMITS,
  smallestGrowthCaught,
  stalledFollows,
  stalledTerminals,
  theilSenSlope,
  type Sample,
} from './soak-analysis.js';

/** A series of `minutes` sampled every `every` seconds; `f(t)` gives the value at t seconds. */
function series(minutes: number, every: number, f: (t: number) => number): Sample[] {
  const out: Sample[] = [];
  for (let t = 0; t <= minutes * 60; t += every) out.push({ t, value: f(t) });
  return out;
}

/** Deterministic noise in [-1, 1] (a sine of incommensurate periods; no Math.random in fixtures). */
const noise = (t: number) => Math.sin(t * 0.7319) * 0.6 + Math.sin(t * 0.1131 + 1) * 0.4;

/** Warm-up: RSS climbs from 90 to 180 MiB over the first 3 minutes (1 in a 3-minute run), then stays. */
const warmupOver = (seconds: number) => (t: number) => 90 + 90 * Math.min(1, t / seconds);
const warmup = warmupOver(180);
const warmupOf = (minutes: number) => (minutes <= 3 ? warmupOver(60) : warmup);

describe('theilSenSlope', () => {
  it('is the slope of a line, and ignores a few outliers a least-squares fit would follow', () => {
    const line = series(10, 10, (t) => 5 + 0.5 * t);
    assert.equal(theilSenSlope(line), 0.5);
    const spiky = line.map((s, i) => (i % 15 === 7 ? { ...s, value: s.value + 500 } : s));
    assert.ok(Math.abs(theilSenSlope(spiky) - 0.5) < 0.05);
  });

  it('has no slope without two distinct times', () => {
    assert.ok(Number.isNaN(theilSenSlope([{ t: 1, value: 3 }])));
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
  });
});

describe('growthVerdict on RSS (MiB)', () => {
  it('passes a flat series with noise after a warm-up (10 and 60 minutes)', () => {
    for (const [minutes, every] of [
      [3, 3],
      [10, 10],
      [60, 30],
    ] as const) {
      const v = growthVerdict(
        series(minutes, every, (t) => warmupOf(minutes)(t) + 4 * noise(t)),
        RSS_LIMITS,
      );
      assert.equal(v.growing, false, JSON.stringify(v));
      assert.equal(v.tooFew, false);
      assert.ok(Math.abs(v.plateau - 180) < 5);
    }
  });

  it('passes a garbage-collection sawtooth: 40 MiB up over 100 s, then back, again and again', () => {
    // Phases chosen so that the end window sits high and the plateau low: only the slope saves it.
    for (const phase of [0, 25, 50, 75]) {
      // (Not a 3-minute run: its second half is shorter than two teeth, which no test can tell from a leak.)
      for (const [minutes, every] of [
        [10, 10],
        [10, 3],
        [60, 30],
      ] as const) {
        const saw = (t: number) => warmupOf(minutes)(t) + 40 * (((t + phase) % 100) / 100) + noise(t);
        const v = growthVerdict(series(minutes, every, saw), RSS_LIMITS);
        assert.equal(v.growing, false, `phase ${phase}, ${minutes} min: ${JSON.stringify(v)}`);
      }
    }
  });

  it('passes a one-off step up (a pool reaching its size), which does not go on growing', () => {
    const step = (t: number) => warmup(t) + (t > 400 ? 30 : 0) + noise(t);
    const v = growthVerdict(series(10, 10, step), RSS_LIMITS);
    assert.equal(v.growing, false, JSON.stringify(v));
    assert.ok(v.slopePerHour > RSS_LIMITS.slopePerHour && v.growth > v.margin, 'only the end slope saves it');
  });

  it('fails a step followed by a leak', () => {
    const stepLeak = (t: number) => warmup(t) + (t > 400 ? 30 + ((t - 400) * 400) / 3600 : 0) + noise(t);
    assert.equal(growthVerdict(series(10, 10, stepLeak), RSS_LIMITS).growing, true);
  });

  it('fails a steady leak under a sawtooth: 1200 MiB/h over 3 minutes, 400 over 10, 80 over 60', () => {
    for (const [minutes, every, perHour] of [
      [3, 3, 1200],
      [10, 10, 400],
      [60, 30, 80],
    ] as const) {
      const leak = (t: number) =>
        warmupOf(minutes)(t) + (perHour / 3600) * t + 20 * ((t % 100) / 100) + 3 * noise(t);
      const v = growthVerdict(series(minutes, every, leak), RSS_LIMITS);
      assert.equal(v.growing, true, `${minutes} min: ${JSON.stringify(v)}`);
      // (Over 3 minutes, 90 s of second half, the sawtooth biases the slope; over 10+ it is close.)
      if (minutes >= 10) assert.ok(Math.abs(v.slopePerHour - perHour) < perHour * 0.25, JSON.stringify(v));
    }
  });

  it('passes a slow drift below the slope limit even when it adds up over the run', () => {
    const drift = (t: number) => warmup(t) + (15 / 3600) * t + noise(t);
    assert.equal(growthVerdict(series(60, 30, drift), RSS_LIMITS).growing, false);
  });

  it('says the slowest leak a run catches: a steady leak just above it fails, just below passes', () => {
    assert.equal(Math.round(smallestGrowthCaught(RSS_LIMITS, 180, 600)), 288); // 18 MiB in 225 s
    assert.equal(Math.round(smallestGrowthCaught(RSS_LIMITS, 180, 3600)), 48);
    assert.equal(smallestGrowthCaught(RSS_LIMITS, 180, 100 * 3600), RSS_LIMITS.slopePerHour);
    for (const [minutes, every] of [
      [10, 10],
      [60, 30],
    ] as const) {
      const caught = smallestGrowthCaught(RSS_LIMITS, 180, minutes * 60);
      const leak = (perHour: number) => (t: number) => warmup(t) + (perHour / 3600) * t;
      assert.equal(growthVerdict(series(minutes, every, leak(caught * 1.15)), RSS_LIMITS).growing, true);
      assert.equal(growthVerdict(series(minutes, every, leak(caught * 0.85)), RSS_LIMITS).growing, false);
    }
  });

  it('gives no verdict on too few samples', () => {
    const v = growthVerdict(
      series(1, 20, (t) => t),
      RSS_LIMITS,
    );
    assert.equal(v.tooFew, true);
    assert.equal(v.growing, false);
  });
});

describe('growthVerdict on handles / fds', () => {
  it('passes a constant count with a few timers coming and going', () => {
    const v = growthVerdict(
      series(10, 10, (t) => 530 + Math.round(3 * noise(t))),
      HANDLE_LIMITS,
    );
    assert.equal(v.growing, false, JSON.stringify(v));
  });

  it('passes fds wandering in a band as 200 follows reconnect (a real 10-minute run)', () => {
    // The local cluster's kubelet ends log follows beyond ~128 (inotify instances): the soak's 200
    // follows reconnected 14,000 times in 10 minutes, and the fds sampled every 10 s wandered 603–643.
    const fds = [
      631, 641, 640, 643, 638, 635, 643, 641, 640, 642, 629, 624, 621, 620, 605, 643, 636, 641, 643, 634, 630,
      643, 639, 643, 631, 633, 618, 614, 615, 610, 608, 614, 603, 609, 643, 622, 625, 626, 626, 628, 624, 628,
      624, 628, 623, 625, 625, 625, 625, 625, 605, 614, 618, 624, 609, 619, 640, 630, 636, 641,
    ];
    const v = growthVerdict(
      fds.map((value, i) => ({ t: 10 * (i + 1), value })),
      HANDLE_LIMITS,
    );
    assert.equal(v.growing, false, JSON.stringify(v));
    // The same band, with one socket leaked per 10 s on top: it leaves the band and fails.
    const leaking = growthVerdict(
      fds.map((value, i) => ({ t: 10 * (i + 1), value: value + i })),
      HANDLE_LIMITS,
    );
    assert.equal(leaking.growing, true, JSON.stringify(leaking));
  });

  it('fails one socket leaked per 10 s scrape', () => {
    const v = growthVerdict(
      series(10, 10, (t) => 530 + Math.floor(t / 10)),
      HANDLE_LIMITS,
    );
    assert.equal(v.growing, true, JSON.stringify(v));
    assert.ok(Math.abs(v.slopePerHour - 360) < 1);
  });
});

describe('stalledFollows', () => {
  const pods = new Map([
    ['web-a', 100_000],
    ['web-b', 60_000],
  ]);

  it('flags a follow silent for over 20 s while a reference reader of its pod got newer lines', () => {
    const follows = [
      { id: 1, pod: 'web-a', openedAt: 0, lastLineAt: 99_500 }, // streaming
      { id: 2, pod: 'web-a', openedAt: 0, lastLineAt: 75_000 }, // stalled
      { id: 3, pod: 'web-a', openedAt: 0, lastLineAt: null }, // never got a line
    ];
    assert.deepEqual(
      stalledFollows(follows, pods, 101_000).map((f) => f.id),
      [2, 3],
    );
  });

  it('does not flag a follow whose pod stopped logging, or a pod with no reference yet', () => {
    const follows = [
      { id: 1, pod: 'web-b', openedAt: 0, lastLineAt: 59_000 }, // pod went quiet at 60 s
      { id: 2, pod: 'web-c', openedAt: 0, lastLineAt: 10_000 }, // no reference line at all
      { id: 3, pod: 'web-a', openedAt: 0, lastLineAt: 85_000 }, // silent only 16 s
    ];
    assert.deepEqual(stalledFollows(follows, pods, 101_000), []);
  });
});

describe('stalledTerminals', () => {
  it('flags a command whose output is 15 s late, not one just typed or an idle terminal', () => {
    const terms = [
      { id: 1, pendingSince: 80_000 },
      { id: 2, pendingSince: 99_000 },
      { id: 3, pendingSince: null },
    ];
    assert.deepEqual(
      stalledTerminals(terms, 100_000).map((t) => t.id),
      [1],
    );
  });
});

describe('backToIdle', () => {
  it('allows a keep-alive pool above idle, not the streams left open', () => {
    assert.equal(backToIdle(40, 48), true);
    assert.equal(backToIdle(40, 52), false);
    assert.equal(backToIdle(200, 240), true);
    assert.equal(backToIdle(200, 241), false);
  });
});

describe('formatRows', () => {
  it('prints one aligned row per sample with dashes for what is unknown', () => {
    const text = formatRows([
      {
        t: 70,
        rssMiB: 181.24,
        heapMiB: null,
        handles: 512,
        fds: 530,
        openStreams: 250,
        linesPerSec: 481.6,
        commands: 95,
        maxCommandMs: 37.2,
      },
    ]);
    const [head, row] = text.split('\n');
    assert.match(head!, /RSS MiB/);
    assert.equal(head!.length, row!.length);
    assert.match(row!, /1:10 +181\.2 +— +512 +530 +250 +482 +95 +37$/);
    const late = formatRows([
      {
        t: 599.7,
        rssMiB: 1,
        heapMiB: 1,
        handles: 1,
        fds: 1,
        openStreams: 0,
        linesPerSec: 0,
        commands: 0,
        maxCommandMs: null,
      },
    ]);
    assert.match(late.split('\n')[1]!, /^10:00 /);
  });
});
