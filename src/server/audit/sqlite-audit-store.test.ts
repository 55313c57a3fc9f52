import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { AuditStoreError, type AuditStore } from './audit-store.js';
import { runAuditStoreContract, sessionStart } from './audit-store.contract.js';
import { SqliteAuditStore } from './sqlite-audit-store.js';
import { runLoginSessionStoreContract } from '../auth/login-session-store.contract.js';
import { applyMigrations, SQLITE_MIGRATIONS, type Migration } from './sqlite-migrations.js';

const root = mkdtempSync(join(tmpdir(), 'podscope-audit-'));
// Traversable by everyone, so the unprivileged user below reaches the read-only directory inside it.
chmodSync(root, 0o755);
after(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
const freshFile = () => join(root, `store-${++counter}`, 'audit.db');

const NOBODY = 65534;
/**
 * Runs `fn` (whose file-system work must be synchronous, as better-sqlite3's is) with directory
 * permissions enforced: as root, permission bits are ignored, so the effective uid is switched to
 * `nobody` for the duration and back afterwards.
 */
function withPermissionsEnforced<T>(fn: () => T): T {
  const isRoot = process.geteuid?.() === 0;
  if (!isRoot || process.seteuid === undefined) return fn();
  process.seteuid(NOBODY);
  try {
    return fn();
  } finally {
    process.seteuid(0);
  }
}

/**
 * A store pointed at a directory nobody may write in; each call starts with permissions enforced (the
 * synchronous part of it, where better-sqlite3 opens the file).
 */
async function makeUnwritableStore(): Promise<AuditStore> {
  const dir = join(root, `readonly-${++counter}`);
  mkdirSync(dir);
  chmodSync(dir, 0o555);
  const store = new SqliteAuditStore(join(dir, 'audit.db'));
  return new Proxy(store, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || key === 'close') return value;
      return (...args: unknown[]) =>
        withPermissionsEnforced(() => (value as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
}

runAuditStoreContract('SqliteAuditStore', async () => new SqliteAuditStore(freshFile()), {
  makeUnwritableStore,
  openSameStorage: async (store) => new SqliteAuditStore((store as SqliteAuditStore).file),
});

runLoginSessionStoreContract('SqliteAuditStore', async () => new SqliteAuditStore(freshFile()), {
  openSameStorage: async (store) => new SqliteAuditStore(store.file),
});

describe('SqliteAuditStore on disk', () => {
  it('uses WAL mode and keeps sessions across reopening', async () => {
    const file = freshFile();
    const first = new SqliteAuditStore(file);
    const id = await first.startSession(sessionStart());
    await first.addCommand(id, { line: 'id', at: 10, flags: [] });
    await first.close();

    const db = new BetterSqlite3(file, { readonly: true });
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.close();

    const second = new SqliteAuditStore(file);
    const got = await second.getSession(id);
    assert.deepEqual(got?.commands, [{ line: 'id', at: 10, flags: [] }]);
    await second.close();
  });

  it('keeps recordings as 0600 files in recordings/ beside the database, and retention deletes them', async () => {
    const file = freshFile();
    const store = new SqliteAuditStore(file);
    const id = await store.startSession(sessionStart());
    const sink = await store.createRecording(id);
    await sink.write(Buffer.from('{"version": 2}\n'));
    await sink.close();
    const recording = join(dirname(file), 'recordings', `${id}.cast`);
    assert.equal((await store.getSession(id))?.recordingPath, recording);
    assert.equal(readFileSync(recording, 'utf8'), '{"version": 2}\n');
    assert.equal(statSync(recording).mode & 0o777, 0o600);
    assert.equal(statSync(dirname(recording)).mode & 0o777, 0o700);
    await store.endSession(id, { exitCode: 0, endedAt: new Date(), bytesIn: 0, bytesOut: 0 });
    assert.equal(await store.deleteEndedSessionsStartedBefore(new Date(Date.now() + 60_000)), 1);
    assert.equal(existsSync(recording), false);
    await store.close();
  });

  it('reports a recording file gone missing as not found, naming the file', async () => {
    const store = new SqliteAuditStore(freshFile());
    const id = await store.startSession(sessionStart());
    await (await store.createRecording(id)).close();
    const recording = (await store.getSession(id))?.recordingPath as string;
    rmSync(recording);
    await assert.rejects(store.readRecording(id), (error: unknown) => {
      assert.ok(error instanceof AuditStoreError);
      assert.equal(error.code, 'not-found');
      assert.ok(error.message.includes(recording), error.message);
      return true;
    });
    await store.close();
  });

  it('retention deletes no file outside the recordings directory, whatever the database says', async () => {
    const file = freshFile();
    const store = new SqliteAuditStore(file);
    const id = await store.startSession(sessionStart());
    await store.endSession(id, { exitCode: 0, endedAt: new Date(), bytesIn: 0, bytesOut: 0 });
    const outside = join(root, `outside-${++counter}.cast`);
    writeFileSync(outside, 'not a recording of ours');
    const db = new BetterSqlite3(file);
    db.prepare('UPDATE sessions SET recording_path = ? WHERE id = ?').run(outside, id);
    db.close();
    assert.equal(await store.deleteEndedSessionsStartedBefore(new Date(Date.now() + 60_000)), 1);
    assert.equal(readFileSync(outside, 'utf8'), 'not a recording of ours');
    await store.close();
  });

  it('creates the database directory when it is missing', async () => {
    const file = join(root, `nested-${++counter}`, 'a', 'b', 'audit.db');
    const store = new SqliteAuditStore(file);
    await store.check();
    assert.ok(existsSync(file));
    await store.close();
  });

  it('names the file and the cause when the directory is read-only, and recovers once it is writable', async () => {
    const dir = join(root, `readonly-${++counter}`);
    mkdirSync(dir);
    chmodSync(dir, 0o555);
    const store = new SqliteAuditStore(join(dir, 'audit.db'));
    const rejection = withPermissionsEnforced(() => store.startSession(sessionStart()));
    await assert.rejects(rejection, (error: unknown) => {
      assert.ok(error instanceof AuditStoreError);
      assert.equal(error.code, 'unavailable');
      assert.match(error.message, /cannot open the audit database .*readonly-\d+\/audit\.db: /);
      return true;
    });
    chmodSync(dir, 0o777); // the operator fixes it (writable for whoever runs the test, root or nobody)
    const id = await withPermissionsEnforced(() => store.startSession(sessionStart()));
    assert.ok((await store.getSession(id)) !== undefined);
    await store.close();
  });
});

describe('SQLite migrations', () => {
  const latest = SQLITE_MIGRATIONS.length;
  const extra: Migration = {
    version: latest + 1,
    name: 'add a note column',
    sql: 'ALTER TABLE sessions ADD COLUMN note TEXT',
  };

  it('applies every migration to a new database and records each one', () => {
    const db = new BetterSqlite3(':memory:');
    assert.deepEqual(
      applyMigrations(db),
      SQLITE_MIGRATIONS.map((m) => m.version),
    );
    const rows = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    assert.deepEqual(
      rows,
      SQLITE_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })),
    );
    db.close();
  });

  it('applies only the new migrations when an existing database is reopened', () => {
    const db = new BetterSqlite3(':memory:');
    assert.deepEqual(
      applyMigrations(db, SQLITE_MIGRATIONS),
      SQLITE_MIGRATIONS.map((m) => m.version),
    );
    // Re-running migration 1 would fail (CREATE TABLE sessions already exists), so this also shows it is skipped.
    assert.deepEqual(applyMigrations(db, [...SQLITE_MIGRATIONS, extra]), [extra.version]);
    assert.deepEqual(applyMigrations(db, [...SQLITE_MIGRATIONS, extra]), []);
    const columns = (db.prepare('PRAGMA table_info(sessions)').all() as { name: string }[]).map(
      (c) => c.name,
    );
    assert.ok(columns.includes('note'));
    db.close();
  });

  it('migration 3 keeps every session and command of a version-2 database and accepts file-list', async () => {
    const file = freshFile();
    mkdirSync(join(file, '..'), { recursive: true });
    const db = new BetterSqlite3(file);
    db.pragma('foreign_keys = ON');
    applyMigrations(db, SQLITE_MIGRATIONS.slice(0, 2));
    db.prepare(
      `INSERT INTO sessions (id, started_at, user_name, user_groups, cluster, namespace, pod, container, kind,
         command, policy, details, outcome) VALUES ('old-1', 1000, 'ann', '[]', 'c', 'ns', 'p', 'app', 'exec',
         '["sh"]', 'root-allowed', '{}', '{"x":1}')`,
    ).run();
    db.prepare(
      `INSERT INTO session_commands (session_seq, seq, at_ms, line) VALUES (1, 1, 5, 'ls -l')`,
    ).run();
    db.close();
    const store = new SqliteAuditStore(file);
    try {
      const old = await store.getSession('old-1');
      assert.equal(old?.pod, 'p');
      assert.deepEqual(old?.outcome, { x: 1 });
      assert.deepEqual(
        old?.commands.map((c) => c.line),
        ['ls -l'],
      );
      const id = await store.startSession({ ...sessionStart(), kind: 'file-list' });
      assert.equal((await store.getSession(id))?.kind, 'file-list');
    } finally {
      await store.close();
    }
  });

  it('migration 7 keeps every row of a version-6 database: old sessions read without a person or Kubernetes identity', async () => {
    const file = freshFile();
    mkdirSync(join(file, '..'), { recursive: true });
    const db = new BetterSqlite3(file);
    db.pragma('foreign_keys = ON');
    applyMigrations(db, SQLITE_MIGRATIONS.slice(0, 6));
    db.prepare(
      `INSERT INTO sessions (id, started_at, user_name, user_groups, cluster, namespace, pod, container, kind,
         command, policy, details, outcome, ended_at, exit_code, recording_truncated_at, replica)
       VALUES ('old-7', 1000, 'kubeconfig:admin', '["g"]', 'c', 'ns', 'p', 'app', 'file-list', '["ls"]',
         'root-allowed', '{"a":1}', '{"x":1}', 2000, 0, 1500, 'host-abc')`,
    ).run();
    db.prepare(
      `INSERT INTO session_commands (session_seq, seq, at_ms, line) VALUES (1, 1, 5, 'ls -l')`,
    ).run();
    db.prepare(`INSERT INTO replicas (id, started_at, heartbeat_at) VALUES ('host-abc', 1000, 1000)`).run();
    db.close();
    const store = new SqliteAuditStore(file);
    try {
      const old = await store.getSession('old-7');
      assert.deepEqual(old?.identity, { user: 'kubeconfig:admin', groups: ['g'] });
      assert.equal(old?.kind, 'file-list');
      assert.deepEqual(old?.details, { a: 1 });
      assert.deepEqual(old?.outcome, { x: 1 });
      assert.equal(old?.exitCode, 0);
      assert.deepEqual(old?.recordingTruncatedAt, new Date(1500));
      assert.equal(old?.replica, 'host-abc');
      assert.deepEqual(
        old?.commands.map((c) => c.line),
        ['ls -l'],
      );
      const id = await store.startSession(sessionStart({ kind: 'audit-view' }));
      assert.deepEqual((await store.getSession(id))?.identity, sessionStart().identity);
      // The indexes are back, the subject's among them, and commands still go with their session.
      const check = new BetterSqlite3(file, { readonly: true });
      const indexes = (
        check
          .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'sessions'")
          .all() as {
          name: string;
        }[]
      ).map((r) => r.name);
      check.close();
      for (const name of [
        'sessions_newest',
        'sessions_by_user',
        'sessions_by_subject',
        'sessions_by_target',
        'sessions_open_by_replica',
      ]) {
        assert.ok(indexes.includes(name), `${name} in ${indexes.join(', ')}`);
      }
      assert.equal(await store.deleteEndedSessionsStartedBefore(new Date(1001)), 1);
      assert.equal(await store.getSession('old-7'), undefined);
    } finally {
      await store.close();
    }
    const after = new BetterSqlite3(file, { readonly: true });
    assert.equal((after.prepare('SELECT count(*) AS n FROM session_commands').get() as { n: number }).n, 0);
    after.close();
  });

  it('rolls a failing migration back entirely, leaving the previous version', () => {
    const db = new BetterSqlite3(':memory:');
    applyMigrations(db);
    const broken: Migration = {
      version: latest + 1,
      name: 'half good',
      sql: 'CREATE TABLE fine (x INTEGER); CREATE TABLE sessions (x INTEGER);',
    };
    assert.throws(() => applyMigrations(db, [...SQLITE_MIGRATIONS, broken]), /already exists/);
    const version = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number };
    assert.equal(version.v, latest);
    const fine = db.prepare("SELECT name FROM sqlite_master WHERE name = 'fine'").get();
    assert.equal(fine, undefined);
    db.close();
  });

  it('upgrades a version-2 database in place: its sessions read as not cut short, and can be marked', async () => {
    const file = freshFile();
    mkdirSync(join(file, '..'), { recursive: true });
    const db = new BetterSqlite3(file);
    applyMigrations(db, SQLITE_MIGRATIONS.slice(0, 2));
    const id = 'old-2';
    db.prepare(
      `INSERT INTO sessions (id, started_at, user_name, user_groups, cluster, namespace, pod, container, kind,
         command, policy, details) VALUES ('old-2', 1000, 'ann', '[]', 'c', 'ns', 'p', 'app', 'exec',
         '["sh"]', 'root-allowed', '{}')`,
    ).run();
    db.close();
    const current = new SqliteAuditStore(file);
    assert.equal((await current.getSession(id))?.recordingTruncatedAt, null);
    assert.equal((await current.getSession(id))?.replica, null, 'sessions from before replicas have none');
    await current.markRecordingTruncated(id, new Date(Date.UTC(2026, 0, 15, 9, 1)));
    assert.deepEqual(
      (await current.getSession(id))?.recordingTruncatedAt,
      new Date(Date.UTC(2026, 0, 15, 9, 1)),
    );
    await current.close();
  });

  it('refuses a database migrated by a newer version', () => {
    const db = new BetterSqlite3(':memory:');
    applyMigrations(db, [...SQLITE_MIGRATIONS, extra]);
    assert.throws(
      () => applyMigrations(db, SQLITE_MIGRATIONS),
      new RegExp(`schema version ${latest + 1}, newer than this Podscope knows \\(${latest}\\)`),
    );
    db.close();
  });

  it('refuses a migration list with gaps', () => {
    const db = new BetterSqlite3(':memory:');
    assert.throws(() => applyMigrations(db, [{ ...extra, version: 7 }]), /numbered 7, expected 1/);
    db.close();
  });

  it('makes the store open fail clearly when the database is newer', async () => {
    const file = freshFile();
    const store = new SqliteAuditStore(file, { migrations: [...SQLITE_MIGRATIONS, extra] });
    await store.check();
    await store.close();
    const older = new SqliteAuditStore(file);
    await assert.rejects(older.startSession(sessionStart()), /newer than this Podscope knows/);
    await older.close();
  });
});
