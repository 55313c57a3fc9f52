// `npm run bench`: every benchmark against the local cluster, each in a process of its own, one after
// the other; then one table — measure, Podscope, kubectl, ratio, goal, whether it holds — also written
// to bench/results.json (with the machine, the time and the commit).
//
//   npm run bench                              everything below
//   npm run bench -- --only download,upload    a subset, by measure id (--list shows them)
//   npm run bench -- --cpu-prof [DIR]          also a CPU profile of each benchmark process (and of the
//                                              log benchmark's server) into DIR (default .bench/profiles)
//
// bench/platform-memory.ts is not part of it: it measures an installed chart (npm run demo:platform).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { evaluate, formatTable, parseBenchArgs, type Measure } from './report.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..');

/** Each benchmark script and the measure ids it takes, in the order they run. */
export const BENCHMARKS: { script: string; ids: string[] }[] = [
  { script: 'debug.ts', ids: ['debug', 'download', 'upload'] },
  { script: 'terminal.ts', ids: ['keystroke', 'cat'] },
  { script: 'logs.ts', ids: ['backlog', 'follow', 'first-line', 'follow-memory', 'follow-1000', 'firehose'] },
  { script: 'audit-store.ts', ids: ['audit'] },
  { script: 'browser-logs.ts', ids: ['viewer-heap', 'viewer-search', 'viewer-scroll'] },
];

function runScript(
  script: string,
  ids: string[],
  json: string,
  cpuProf: string | null,
): Promise<number | null> {
  const nodeArgs = cpuProf === null ? [] : ['--cpu-prof', '--cpu-prof-dir', cpuProf];
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', path.join(here, script), '--only', ids.join(','), '--json', json],
    {
      cwd: repoRoot,
      stdio: 'inherit',
      env: { ...process.env, ...(cpuProf === null ? {} : { PODSCOPE_BENCH_CPU_PROF: cpuProf }) },
    },
  );
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

function commit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

async function main(): Promise<number> {
  const args = parseBenchArgs(process.argv.slice(2));
  const known = BENCHMARKS.flatMap((b) => b.ids);
  if (args.list) {
    for (const b of BENCHMARKS) console.log(`${b.script.padEnd(16)} ${b.ids.join(', ')}`);
    return 0;
  }
  const unknown = [...(args.only ?? [])].filter((id) => !known.includes(id));
  if (unknown.length > 0) {
    console.error(`unknown measure ${unknown.join(', ')}; known: ${known.join(', ')}`);
    return 2;
  }
  if (args.cpuProf !== null) mkdirSync(args.cpuProf, { recursive: true });
  const tmp = mkdtempSync(path.join(tmpdir(), 'podscope-bench-'));
  const measures: Measure[] = [];
  const failed: string[] = [];
  const started = new Date();
  try {
    for (const b of BENCHMARKS) {
      const ids = b.ids.filter((id) => args.only === null || args.only.has(id));
      if (ids.length === 0) continue;
      console.log(`\n=== ${b.script} (${ids.join(', ')}) ===`);
      const json = path.join(tmp, `${b.script}.json`);
      const code = await runScript(b.script, ids, json, args.cpuProf);
      if (code !== 0 || !existsSync(json)) {
        failed.push(`${b.script} (exit ${code})`);
        continue;
      }
      measures.push(...(JSON.parse(readFileSync(json, 'utf8')) as Measure[]));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const results = evaluate(measures);
  console.log(`\nPodscope benchmarks (${started.toISOString()}, ${cpus().length} CPUs)\n`);
  console.log(formatTable(results));
  const held = results.filter((r) => r.holds === true).length;
  const missed = results.filter((r) => r.holds === false).map((r) => r.measure);
  console.log(`\n${held} goals hold${missed.length ? `; not yet: ${missed.join('; ')}` : ''}.`);
  if (failed.length) console.error(`\nFailed: ${failed.join(', ')}`);
  const out = path.join(here, 'results.json');
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        startedAt: started.toISOString(),
        finishedAt: new Date().toISOString(),
        commit: commit(),
        machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? null, memoryBytes: totalmem() },
        only: args.only === null ? null : [...args.only],
        failed,
        results,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`Written to ${path.relative(process.cwd(), out)}`);
  return failed.length > 0 ? 1 : 0;
}

process.exitCode = await main();
