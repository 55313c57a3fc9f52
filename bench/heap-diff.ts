// Compares two V8 heap snapshots (e.g. the server idle and with N follows open, written by
// `PODSCOPE_BENCH_HEAP_SNAPSHOTS=DIR npm run bench -- --only follow-memory`): self size and count of
// the objects of each constructor (or node type), the difference, and that difference per follow.
//
//   npx tsx bench/heap-diff.ts BEFORE.heapsnapshot AFTER.heapsnapshot [N] [--top 40]
import { readFileSync } from 'node:fs';
import { aggregateSnapshot, diffAggregates, type HeapSnapshotJson } from './heap-diff-lib.js';

const argv = process.argv.slice(2);
const topAt = argv.indexOf('--top');
const top = topAt >= 0 ? Number(argv[topAt + 1]) : 40;
const [beforeFile, afterFile, nRaw] = argv.filter((_, i) => i !== topAt && i !== topAt + 1);
if (!beforeFile || !afterFile) {
  console.error('usage: tsx bench/heap-diff.ts BEFORE.heapsnapshot AFTER.heapsnapshot [N] [--top 40]');
  process.exit(2);
}
const n = nRaw === undefined ? 1 : Number(nRaw);
const load = (f: string) => aggregateSnapshot(JSON.parse(readFileSync(f, 'utf8')) as HeapSnapshotJson);
const rows = diffAggregates(load(beforeFile), load(afterFile));
const total = rows.reduce((s, r) => s + r.bytes, 0);
const kib = (b: number) => (b / 1024).toFixed(2).padStart(9);
console.log(
  `total self size difference: ${(total / 1024 / 1024).toFixed(1)} MiB, ${kib(total / n)} KiB per ${n}`,
);
console.log(`${'KiB/each'.padStart(9)} ${'count/each'.padStart(10)}  group`);
for (const r of rows.slice(0, top)) {
  console.log(`${kib(r.bytes / n)} ${(r.count / n).toFixed(2).padStart(10)}  ${r.group}`);
}
