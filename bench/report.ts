// The shape every benchmark reports in, and the one table `npm run bench` prints: each measure,
// Podscope, kubectl, their ratio, the goal and whether it holds. Pure: no I/O but `emitMeasures`.
import { writeFileSync } from 'node:fs';

/** A goal on Podscope/kubectl (`ratio`) or on Podscope's figure alone (`value`). */
export interface Goal {
  on: 'ratio' | 'value';
  op: '<=' | '>=';
  target: number;
}

export interface Measure {
  /** What `--only` selects, e.g. `download`. Several measures may share one. */
  id: string;
  /** The row's label, e.g. "100 MB download". */
  measure: string;
  unit: string;
  podscope: number | null;
  /** The same measure through kubectl in the same run; null when there is no kubectl counterpart. */
  kubectl: number | null;
  goal: Goal | null;
  /** Anything that qualifies the figures (runs, sizes, what kubectl ran). */
  note?: string;
}

export interface MeasureResult extends Measure {
  ratio: number | null;
  /** null: no goal, or a figure is missing. */
  holds: boolean | null;
}

export function ratioOf(m: Pick<Measure, 'podscope' | 'kubectl'>): number | null {
  if (m.podscope === null || m.kubectl === null || m.kubectl === 0 || !Number.isFinite(m.podscope))
    return null;
  return m.podscope / m.kubectl;
}

export function goalHolds(m: Measure): boolean | null {
  if (m.goal === null) return null;
  const x = m.goal.on === 'ratio' ? ratioOf(m) : m.podscope;
  if (x === null || !Number.isFinite(x)) return null;
  return m.goal.op === '<=' ? x <= m.goal.target : x >= m.goal.target;
}

export function evaluate(measures: Measure[]): MeasureResult[] {
  return measures.map((m) => ({ ...m, ratio: ratioOf(m), holds: goalHolds(m) }));
}

/** A figure with about three significant digits, thousands separated. */
export function formatNumber(x: number): string {
  const abs = Math.abs(x);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function formatGoal(g: Goal | null, unit: string): string {
  if (g === null) return '—';
  const op = g.op === '<=' ? '≤' : '≥';
  return g.on === 'ratio' ? `ratio ${op} ${g.target}` : `${op} ${formatNumber(g.target)} ${unit}`;
}

const cell = (x: number | null, unit: string) => (x === null ? '—' : `${formatNumber(x)} ${unit}`);

/** The results as a Markdown table (what the README's benchmark section shows). */
export function formatTable(results: MeasureResult[]): string {
  const rows = [
    ['measure', 'Podscope', 'kubectl', 'ratio', 'goal', 'goal holds?'],
    ...results.map((r) => [
      r.note ? `${r.measure} (${r.note})` : r.measure,
      cell(r.podscope, r.unit),
      cell(r.kubectl, r.unit),
      r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`,
      formatGoal(r.goal, r.unit),
      r.holds === null ? '—' : r.holds ? 'yes' : 'NO',
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    line(rows[0]!),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.slice(1).map(line),
  ].join('\n');
}

export interface BenchArgs {
  /** Measure ids to run; null: all. */
  only: Set<string> | null;
  /** Where a benchmark writes its measures as JSON (set by bench/run.ts). */
  json: string | null;
  /** bench/run.ts: profile each benchmark's process (`--cpu-prof`) into this folder. */
  cpuProf: string | null;
  list: boolean;
}

/** `--only a,b` (or `--only=a,b`), `--json FILE`, `--cpu-prof [DIR]`, `--list`; anything else is an error. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const out: BenchArgs = { only: null, json: null, cpuProf: null, list: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--only') {
      const ids = value()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      out.only = new Set([...(out.only ?? []), ...ids]);
    } else if (flag === '--json') out.json = value();
    else if (flag === '--cpu-prof') {
      const next = argv[i + 1];
      out.cpuProf =
        inline ?? (next !== undefined && !next.startsWith('--') ? (i++, next) : '.bench/profiles');
    } else if (flag === '--list') out.list = true;
    else throw new Error(`unknown option ${argv[i]} (options: --only ID,ID  --cpu-prof [DIR]  --list)`);
  }
  return out;
}

/** Whether a benchmark run with `args` should take the measure `id`. */
export function wants(args: Pick<BenchArgs, 'only'>, id: string): boolean {
  return args.only === null || args.only.has(id);
}

/** Prints the measures as a table and, when run by bench/run.ts, writes them for it. */
export function emitMeasures(args: BenchArgs, title: string, measures: Measure[]): void {
  console.log(`\n${title}\n`);
  console.log(formatTable(evaluate(measures)));
  if (args.json !== null) writeFileSync(args.json, JSON.stringify(measures, null, 2));
}
