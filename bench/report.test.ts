import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  evaluate,
  formatNumber,
  formatTable,
  goalHolds,
  parseBenchArgs,
  ratioOf,
  wants,
  type Measure,
} from './report.js';

const m = (over: Partial<Measure>): Measure => ({
  id: 'x',
  measure: 'x',
  unit: 'MB/s',
  podscope: 45,
  kubectl: 50,
  goal: { on: 'ratio', op: '>=', target: 0.9 },
  ...over,
});

describe('ratio and goals', () => {
  it('ratio is Podscope over kubectl; missing figures give none', () => {
    assert.equal(ratioOf(m({})), 0.9);
    assert.equal(ratioOf(m({ kubectl: null })), null);
    assert.equal(ratioOf(m({ podscope: null })), null);
    assert.equal(ratioOf(m({ kubectl: 0 })), null);
  });

  it('a throughput goal (≥) and a time goal (≤) on the ratio', () => {
    assert.equal(goalHolds(m({})), true);
    assert.equal(goalHolds(m({ podscope: 44.9 })), false);
    const time = { unit: 'ms', goal: { on: 'ratio', op: '<=', target: 1.1 } } as const;
    assert.equal(goalHolds(m({ ...time, podscope: 639, kubectl: 373 })), false);
    assert.equal(goalHolds(m({ ...time, podscope: 400, kubectl: 373 })), true);
  });

  it('a goal on the value alone needs no kubectl figure', () => {
    const mem = m({ unit: 'KiB', kubectl: null, goal: { on: 'value', op: '<=', target: 64 } });
    assert.equal(goalHolds({ ...mem, podscope: 242 }), false);
    assert.equal(goalHolds({ ...mem, podscope: 60 }), true);
    assert.equal(goalHolds({ ...mem, podscope: null }), null);
    assert.equal(goalHolds(m({ goal: null })), null);
  });
});

describe('formatTable', () => {
  it('one row per measure with ratio, goal and verdict', () => {
    const table = formatTable(
      evaluate([
        m({ measure: '100 MB upload', podscope: 9.7, kubectl: 49.5 }),
        m({
          measure: 'memory per follow',
          unit: 'KiB',
          podscope: 242,
          kubectl: null,
          goal: { on: 'value', op: '<=', target: 64 },
        }),
        m({
          measure: 'keystroke p50',
          unit: 'ms',
          podscope: 1.234,
          kubectl: 1.5,
          goal: null,
          note: '300 keys',
        }),
      ]),
    ).split('\n');
    assert.equal(table.length, 5);
    assert.match(table[0]!, /^\| measure +\| Podscope +\| kubectl +\| ratio +\| goal +\| goal holds\? \|$/);
    assert.match(
      table[2]!,
      /100 MB upload .*\| 9\.70 MB\/s .*\| 49\.5 MB\/s .*\| 0\.20× .*\| ratio ≥ 0\.9 .*\| NO /,
    );
    assert.match(table[3]!, /memory per follow .*\| 242 KiB .*\| — .*\| — .*\| ≤ 64\.0 KiB .*\| NO /);
    assert.match(
      table[4]!,
      /keystroke p50 \(300 keys\) .*\| 1\.23 ms .*\| 1\.50 ms .*\| 0\.82× .*\| — .*\| — /,
    );
    // Every row has the same width (a readable plain-text table).
    assert.equal(new Set(table.map((l) => l.length)).size, 1);
  });

  it('numbers keep about three significant digits', () => {
    assert.equal(formatNumber(43.44), '43.4');
    assert.equal(formatNumber(1234.5), '1,235');
    assert.equal(formatNumber(0.5), '0.500');
  });
});

describe('parseBenchArgs', () => {
  it('reads --only lists (repeatable, = or space), --json, --cpu-prof with and without a folder', () => {
    const a = parseBenchArgs(['--only', 'download,upload', '--only=cat', '--json', '/tmp/x.json']);
    assert.deepEqual([...a.only!], ['download', 'upload', 'cat']);
    assert.equal(a.json, '/tmp/x.json');
    assert.equal(a.cpuProf, null);
    assert.equal(parseBenchArgs(['--cpu-prof']).cpuProf, '.bench/profiles');
    assert.equal(parseBenchArgs(['--cpu-prof', '/tmp/p', '--list']).cpuProf, '/tmp/p');
    assert.equal(parseBenchArgs(['--cpu-prof', '--list']).list, true);
    assert.equal(parseBenchArgs([]).only, null);
  });

  it('refuses unknown options and missing values', () => {
    assert.throws(() => parseBenchArgs(['--fast']), /unknown option --fast/);
    assert.throws(() => parseBenchArgs(['--only']), /--only needs a value/);
    assert.throws(() => parseBenchArgs(['--only=']), /--only needs a value/);
  });

  it('wants: everything without --only, else what it names', () => {
    assert.equal(wants({ only: null }, 'cat'), true);
    assert.equal(wants({ only: new Set(['download']) }, 'cat'), false);
    assert.equal(wants({ only: new Set(['download']) }, 'download'), true);
  });
});
