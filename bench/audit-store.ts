// Side-by-side: the SQLite store (local mode) and the PostgreSQL store (platform mode, the local cluster's
// PostgreSQL from cluster/postgres.sh, in a schema of its own that is dropped afterwards).
//   1. session start (the write every risky action waits for): p50 / p99 of 300
//   2. a recording append (what the asciicast writer does every 250 ms) and a sync: p50 / p99 of 300
//   3. replay of a 64 MiB recording (1,024 appends of 64 KiB): MB/s
//   4. retention: deleting 5,000 ended sessions with their commands
// Usage: npx tsx bench/audit-store.ts   (or npm run bench -- --only audit)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AuditStore } from '../src/server/audit/audit-store.js';
import { sessionStart } from '../src/server/audit/audit-store.contract.js';
import { PostgresAuditStore } from '../src/server/audit/postgres-audit-store.js';
import { SqliteAuditStore } from '../src/server/audit/sqlite-audit-store.js';
import { ensurePostgres, TestSchemas } from '../test/support/postgres.js';
import { emitMeasures, parseBenchArgs, type Measure } from './report.js';

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)]!;
const args = parseBenchArgs(process.argv.slice(2));

async function timed(n: number, run: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await run();
    out.push(ms(t0));
  }
  return out;
}

/** The store's figures: [label, unit, value]. */
async function measure(store: AuditStore): Promise<[string, string, number][]> {
  const starts = await timed(300, () => store.startSession(sessionStart({ startedAt: new Date() })));

  const id = await store.startSession(sessionStart());
  const sink = await store.createRecording(id);
  const line = Buffer.from(`[1.5, "o", "${'x'.repeat(200)}"]\n`);
  const appends = await timed(300, () => sink.write(line));
  const syncs = await timed(300, () => sink.write(line).then(() => sink.sync()));
  await sink.close();

  const big = await store.startSession(sessionStart());
  const bigSink = await store.createRecording(big);
  const chunk = Buffer.alloc(64 * 1024, 'y');
  for (let i = 0; i < 1024; i++) await bigSink.write(chunk);
  await bigSink.sync();
  await bigSink.close();
  const t0 = process.hrtime.bigint();
  let bytes = 0;
  for await (const part of (await store.readRecording(big))!) bytes += (part as Buffer).length;
  const replayMs = ms(t0);

  const old = new Date(Date.UTC(2020, 0, 1));
  for (let i = 0; i < 5000; i++) {
    const s = await store.startSession(sessionStart({ startedAt: old }));
    await store.addCommand(s, { line: 'ls', at: 1, flags: [] });
    await store.endSession(s, { exitCode: 0, endedAt: old, bytesIn: 0, bytesOut: 0 });
  }
  const t1 = process.hrtime.bigint();
  const deleted = await store.deleteEndedSessionsStartedBefore(new Date(Date.UTC(2021, 0, 1)));
  const retentionMs = ms(t1);

  return [
    ['session start p50', 'ms', pct(starts, 0.5)],
    ['session start p99', 'ms', pct(starts, 0.99)],
    ['recording append p50', 'ms', pct(appends, 0.5)],
    ['recording append p99', 'ms', pct(appends, 0.99)],
    ['append + sync p50', 'ms', pct(syncs, 0.5)],
    ['append + sync p99', 'ms', pct(syncs, 0.99)],
    ['replay of 64 MiB', 'MB/s', bytes / 1e6 / (replayMs / 1000)],
    [`retention: delete ${deleted} sessions`, 'ms', retentionMs],
  ];
}

const dir = mkdtempSync(path.join(tmpdir(), 'podscope-bench-audit-'));
const schemas = new TestSchemas(await ensurePostgres());
try {
  const sqlite = new SqliteAuditStore(path.join(dir, 'audit.db'));
  const pg = new PostgresAuditStore((await schemas.fresh('bench')).url);
  const results = { SQLite: await measure(sqlite), PostgreSQL: await measure(pg) };
  await sqlite.close();
  await pg.close();
  const measures: Measure[] = [];
  for (const [store, figures] of Object.entries(results)) {
    for (const [label, unit, value] of figures) {
      measures.push({
        id: 'audit',
        measure: `audit store (${store}): ${label}`,
        unit,
        podscope: value,
        kubectl: null,
        goal: null,
      });
    }
  }
  emitMeasures(args, 'Audit store: SQLite + files (local mode) and PostgreSQL (platform mode)', measures);
} finally {
  await schemas.dropAll();
  rmSync(dir, { recursive: true, force: true });
}
