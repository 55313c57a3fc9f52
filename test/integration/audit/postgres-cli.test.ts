// The real CLI choosing PostgreSQL for the audit: from PODSCOPE_DATABASE_URL, --database-url or the config
// file's database.url (in that order of precedence: flag, environment, file), never printing the password,
// and refusing a URL it cannot use before it listens.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { adminKubeconfig, repoRoot } from '../../support/cluster.js';
import { fromPrintedUrl } from '../../support/podscope.js';
import { ensurePostgres, TestSchemas } from '../../support/postgres.js';

const dir = mkdtempSync(path.join(tmpdir(), 'podscope-pg-cli-'));
const ready = ensurePostgres().then((url) => ({ url, schemas: new TestSchemas(url) }));
const running: ChildProcess[] = [];
after(async () => {
  for (const c of running) c.kill('SIGTERM');
  await (await ready).schemas.dropAll();
  rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/server/cli.ts', '--kubeconfig', adminKubeconfig, '--port', '0', ...args],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  running.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const started = new Promise<string | null>((resolve) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/Podscope is running at \S+\n[^\n]*\n/.test(out)) resolve(out);
    });
    void exit.then(() => resolve(null));
  });
  return { stdout: () => out, stderr: () => err, started, exit };
}

test('PODSCOPE_DATABASE_URL puts the audit in PostgreSQL, named without its password', async () => {
  const { schemas } = await ready;
  const { url } = await schemas.fresh('cli');
  const password = new URL(url).password;
  const c = cli([], { PODSCOPE_DATABASE_URL: url });
  const out = await c.started;
  assert.ok(out, c.stderr());
  assert.match(
    out,
    /Audit records and recordings: PostgreSQL at postgresql:\/\/podscope:REDACTED@127\.0\.0\.1:\d+\/podscope/,
  );
  assert.ok(
    !c.stdout().includes(password) && !c.stderr().includes(password),
    'the password is never printed',
  );
  const server = fromPrintedUrl(/Podscope is running at (\S+)/.exec(out)![1]!);
  const res = await fetch(`${server.url}/api/audit/sessions`, { headers: server.headers });
  assert.equal(res.status, 200);
  // The store is the one in the URL: it migrated that schema.
  const tables = await schemas.sql<{ n: number }>(
    `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'sessions'`,
    [new URL(url).searchParams.get('options')!.replace('-c search_path=', '')],
  );
  assert.equal(tables.rows[0]!.n, 1);
});

test('--database-url beats the environment and the config file', async () => {
  const { schemas } = await ready;
  const { url } = await schemas.fresh('cli');
  const config = path.join(dir, 'podscope.json');
  writeFileSync(config, JSON.stringify({ database: { url: 'postgresql://nobody:x@127.0.0.1:1/none' } }));
  const c = cli(['--config', config, '--database-url', url], {
    PODSCOPE_DATABASE_URL: 'postgresql://nobody:y@127.0.0.1:1/none',
  });
  const out = await c.started;
  assert.ok(out, c.stderr());
  assert.equal(c.stderr(), '', 'no warning: the database in the flag was reached');
});

test('a URL that is not PostgreSQL, or one given with --data-dir, exits 2 before listening', async () => {
  const wrong = cli(['--database-url', 'mysql://podscope:hunter2@db/podscope']);
  assert.equal(await wrong.exit, 2);
  assert.match(
    wrong.stderr(),
    /--database-url must be a URL such as postgresql:\/\/.*\(it starts with mysql:\/\/\)/,
  );
  assert.ok(!wrong.stderr().includes('hunter2'));
  const both = cli(['--data-dir', dir], { PODSCOPE_DATABASE_URL: (await ready).url });
  assert.equal(await both.exit, 2);
  assert.match(both.stderr(), /--data-dir and a database URL exclude each other/);
});

test('an unreachable database: Podscope starts, warns, and will refuse audited actions', async () => {
  const c = cli(['--database-url', 'postgresql://podscope:hunter2@127.0.0.1:1/podscope']);
  const out = await c.started;
  assert.ok(out, c.stderr());
  assert.match(
    c.stderr(),
    /podscope: warning: cannot reach the audit database postgresql:\/\/podscope:REDACTED@127\.0\.0\.1:1\/podscope: .*; terminals, debug containers, copies and file transfers will be refused until it can be written/,
  );
  assert.ok(!c.stderr().includes('hunter2'));
});
