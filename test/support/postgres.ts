// The local cluster's PostgreSQL (cluster/postgres.sh), for the PostgreSQL audit store's tests: the real
// server, started by the script when it is not running yet — never a mock. Each test store gets a schema
// of its own (in the URL's `options`), dropped afterwards, so tests never see each other's rows.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { repoRoot } from './cluster.js';

export const postgresScript = path.join(repoRoot, 'cluster', 'postgres.sh');

export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs cluster/postgres.sh (argv, no shell). `env` adds to this process's environment, e.g.
 * PODSCOPE_PG_DIR and PODSCOPE_PG_PORT for an instance of a test's own.
 */
export function runPostgresScript(args: string[], env: Record<string, string> = {}): Promise<ScriptResult> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      [postgresScript, ...args],
      { env: { ...process.env, ...env }, timeout: 300_000, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function scriptOk(args: string[], env: Record<string, string> = {}): Promise<string> {
  const r = await runPostgresScript(args, env);
  if (r.code !== 0) {
    throw new Error(`cluster/postgres.sh ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
  }
  return r.stdout;
}

/** Starts PostgreSQL if it is not running (the script is idempotent); resolves with its URL. */
export async function ensurePostgres(env: Record<string, string> = {}): Promise<string> {
  const status = await runPostgresScript(['status'], env);
  if (status.code !== 0) await scriptOk(['start'], env);
  return (await scriptOk(['url'], env)).trim();
}

export const stopPostgres = (env: Record<string, string> = {}) => scriptOk(['stop'], env);
export const startPostgres = (env: Record<string, string> = {}) => scriptOk(['start'], env);

/** `url` with its search_path set to `schema`: a store on it keeps its tables there. */
export function urlWithSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

/** Creates fresh schemas and drops them all at `dropAll()`. */
export class TestSchemas {
  private readonly made: string[] = [];

  constructor(private readonly url: string) {}

  /** A new, empty schema; returns the URL of a connection that works in it. */
  async fresh(prefix = 'test'): Promise<{ schema: string; url: string }> {
    const schema = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
    await this.sql(`CREATE SCHEMA ${schema}`);
    this.made.push(schema);
    return { schema, url: urlWithSchema(this.url, schema) };
  }

  /** Runs SQL as the podscope user (not in a test schema). */
  async sql<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params: unknown[] = []) {
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      return await client.query<R>(text, params);
    } finally {
      await client.end();
    }
  }

  async dropAll(): Promise<void> {
    for (const schema of this.made.splice(0)) await this.sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  }
}
