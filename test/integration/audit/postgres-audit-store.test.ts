// The PostgreSQL audit store against the local cluster's PostgreSQL (cluster/postgres.sh, started here if
// it is not running): the same contract suite as the SQLite store, then what is PostgreSQL's own —
// migrations with several replicas starting at once, an index behind every filter of the audit page,
// recordings in chunks, a database that cannot be reached.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { AuditStoreError, type AuditStore } from '../../../src/server/audit/audit-store.js';
import { runAuditStoreContract, sessionStart } from '../../../src/server/audit/audit-store.contract.js';
import { runLoginSessionStoreContract } from '../../../src/server/auth/login-session-store.contract.js';
import { PostgresAuditStore, sessionListQuery } from '../../../src/server/audit/postgres-audit-store.js';
import {
  applyPostgresMigrations,
  POSTGRES_MIGRATIONS,
} from '../../../src/server/audit/postgres-migrations.js';
import type { Migration } from '../../../src/server/audit/sqlite-migrations.js';
import { ensurePostgres, TestSchemas, urlWithSchema } from '../../support/postgres.js';
import pg from 'pg';

const ready = ensurePostgres().then((url) => ({ url, schemas: new TestSchemas(url) }));
const urls = new WeakMap<AuditStore, string>();
const stores: PostgresAuditStore[] = [];

async function storeOn(url: string, options: ConstructorParameters<typeof PostgresAuditStore>[1] = {}) {
  const store = new PostgresAuditStore(url, options);
  urls.set(store, url);
  stores.push(store);
  return store;
}

async function freshStore(): Promise<PostgresAuditStore> {
  const { schemas } = await ready;
  return storeOn((await schemas.fresh()).url);
}

after(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await (await ready).schemas.dropAll();
});

runAuditStoreContract('PostgresAuditStore', freshStore, {
  // Migrated first, then reached through connections whose transactions are read-only.
  makeUnwritableStore: async () => {
    const { schemas } = await ready;
    const { schema, url } = await schemas.fresh();
    const migrated = await storeOn(url);
    await migrated.check();
    const readOnly = new URL(url);
    readOnly.searchParams.set('options', `-c search_path=${schema} -c default_transaction_read_only=on`);
    return storeOn(readOnly.toString());
  },
  openSameStorage: async (store) => storeOn(urls.get(store) as string),
});

runLoginSessionStoreContract('PostgresAuditStore', freshStore, {
  openSameStorage: async (store) => storeOn(urls.get(store) as string),
});

/** A TCP port where nothing listens. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('PostgreSQL audit store', () => {
  let schemas: TestSchemas;
  let baseUrl: string;
  before(async () => {
    ({ schemas, url: baseUrl } = await ready);
  });

  async function withClient<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  describe('migrations', () => {
    const latest = POSTGRES_MIGRATIONS.length;
    const extra: Migration = {
      version: latest + 1,
      name: 'add a note column',
      sql: 'ALTER TABLE sessions ADD COLUMN note text',
    };

    it('applies every migration once, records each, and only new ones later', async () => {
      const { url } = await schemas.fresh('migrate');
      const pool = new pg.Pool({ connectionString: url, max: 1 });
      try {
        const client = await pool.connect();
        try {
          assert.deepEqual(
            await applyPostgresMigrations(client),
            POSTGRES_MIGRATIONS.map((m) => m.version),
          );
          assert.deepEqual(await applyPostgresMigrations(client), []);
          assert.deepEqual(await applyPostgresMigrations(client, [...POSTGRES_MIGRATIONS, extra]), [
            extra.version,
          ]);
          const { rows } = await client.query('SELECT version, name FROM schema_migrations ORDER BY version');
          assert.deepEqual(
            rows,
            [...POSTGRES_MIGRATIONS, extra].map((m) => ({ version: m.version, name: m.name })),
          );
          await assert.rejects(
            applyPostgresMigrations(client, POSTGRES_MIGRATIONS),
            new RegExp(`schema version ${latest + 1}, newer than this Podscope knows \\(${latest}\\)`),
          );
        } finally {
          client.release();
        }
      } finally {
        await pool.end();
      }
    });

    it('rolls a failing migration back entirely, leaving the previous version', async () => {
      const { url } = await schemas.fresh('migrate');
      const broken: Migration = {
        version: latest + 1,
        name: 'half good',
        sql: 'CREATE TABLE fine (x integer); CREATE TABLE sessions (x integer);',
      };
      const store = await storeOn(url, { migrations: [...POSTGRES_MIGRATIONS, broken] });
      await assert.rejects(store.check(), (err: unknown) => {
        assert.ok(err instanceof AuditStoreError);
        assert.equal(err.code, 'unavailable');
        assert.match(err.message, /cannot open the audit database .*: relation "sessions" already exists/);
        return true;
      });
      await withClient(url, async (c) => {
        const version = await c.query('SELECT MAX(version) AS v FROM schema_migrations');
        assert.equal(version.rows[0].v, latest);
        assert.equal((await c.query(`SELECT to_regclass('fine') AS t`)).rows[0].t, null);
      });
    });

    it('migration 6 keeps the rows of a version-5 database: old sessions read without a person or Kubernetes identity', async () => {
      const { url } = await schemas.fresh('migrate');
      await (await storeOn(url, { migrations: POSTGRES_MIGRATIONS.slice(0, 5) })).check();
      await withClient(url, (c) =>
        c.query(`INSERT INTO sessions (id, started_at, user_name, user_groups, cluster, namespace, pod, container,
                   kind, command, policy, details, replica)
                 VALUES ('old-6', timestamptz '2026-01-01', 'kubeconfig:admin', '["g"]', 'c', 'ns', 'p', 'app',
                   'file-list', '["ls"]', 'root-allowed', '{"a":1}', 'host-abc')`),
      );
      const store = await storeOn(url);
      const old = await store.getSession('old-6');
      assert.deepEqual(old?.identity, { user: 'kubeconfig:admin', groups: ['g'] });
      assert.equal(old?.kind, 'file-list');
      assert.deepEqual(old?.details, { a: 1 });
      assert.equal(old?.replica, 'host-abc');
      const id = await store.startSession(sessionStart({ kind: 'audit-view' }));
      assert.deepEqual((await store.getSession(id))?.identity, sessionStart().identity);
      await withClient(url, async (c) => {
        // The kind's CHECK was replaced, not added beside the old one (which would refuse audit-view).
        const { rows } = await c.query(
          `SELECT conname FROM pg_constraint WHERE conrelid = 'sessions'::regclass AND contype = 'c'
           ORDER BY conname`,
        );
        assert.deepEqual(
          rows.map((r: { conname: string }) => r.conname),
          ['sessions_kind_check', 'sessions_kube_method_check'],
        );
        await assert.rejects(
          c.query(`UPDATE sessions SET kube_method = 'magic' WHERE id = 'old-6'`),
          /sessions_kube_method_check/,
        );
      });
    });

    it('migrates once when several replicas start on an empty database at the same time', async () => {
      const { url } = await schemas.fresh('migrate');
      const replicas = await Promise.all([1, 2, 3, 4].map(() => storeOn(url)));
      await Promise.all(replicas.map((r) => r.check()));
      await withClient(url, async (c) => {
        const { rows } = await c.query('SELECT version FROM schema_migrations ORDER BY version');
        assert.deepEqual(
          rows.map((r: { version: number }) => r.version),
          POSTGRES_MIGRATIONS.map((m) => m.version),
        );
      });
      const id = await replicas[0]!.startSession(sessionStart());
      assert.equal((await replicas[3]!.getSession(id))?.id, id);
    });

    it('refuses, at every call, a database migrated by a newer Podscope', async () => {
      const { url } = await schemas.fresh('migrate');
      await (await storeOn(url, { migrations: [...POSTGRES_MIGRATIONS, extra] })).check();
      const older = await storeOn(url);
      await assert.rejects(older.startSession(sessionStart()), /newer than this Podscope knows/);
      await assert.rejects(older.listSessions(), /newer than this Podscope knows/);
    });
  });

  it('serves every filter of the audit page from an index, never reading the whole table', async () => {
    const { url } = await schemas.fresh('plans');
    const store = await storeOn(url);
    await store.check();
    await withClient(url, async (c) => {
      // 50,000 sessions over a year: 40 users, 5 clusters, 30 namespaces, 2,000 pods, every kind.
      await c.query(`
        INSERT INTO sessions (id, started_at, user_name, user_groups, cluster, namespace, pod, container,
          kind, command, policy, details, user_subject)
        SELECT 'id-' || i, timestamptz '2026-01-01' + i * interval '10 minutes', 'user-' || (i % 40), '[]',
          'cluster-' || (i % 5), 'ns-' || (i % 30), 'pod-' || (i % 2000), 'app',
          (ARRAY['exec','debug','copy','node-debug','file-list','file-download','file-upload'])[1 + i % 7],
          '["sh"]', 'root-allowed', '{}', 'https://idp.example#' || (i % 40)
        FROM generate_series(1, 50000) AS i`);
      await c.query('ANALYZE sessions');
      const cursor = (await store.listSessions({ limit: 50 })).nextCursor as string;
      const filters = {
        'newest first': {},
        user: { user: 'user-7' },
        subject: { subject: 'https://idp.example#7' },
        "subject + namespace (one person's own, filtered)": {
          subject: 'https://idp.example#7',
          namespace: 'ns-7',
        },
        'subject, next page': { subject: 'https://idp.example#7', before: cursor },
        cluster: { cluster: 'cluster-3' },
        namespace: { namespace: 'ns-12' },
        pod: { pod: 'pod-1234' },
        kind: { kind: 'debug' as const },
        'time range': { from: new Date('2026-03-01'), to: new Date('2026-03-02') },
        'next page': { before: cursor },
        'user, next page': { user: 'user-7', before: cursor },
        'cluster + namespace + pod': { cluster: 'cluster-4', namespace: 'ns-4', pod: 'pod-4' },
        'namespace + time range': {
          namespace: 'ns-3',
          from: new Date('2026-06-01'),
          to: new Date('2026-07-01'),
        },
      };
      for (const [name, filter] of Object.entries(filters)) {
        const { sql, params } = sessionListQuery({ ...filter, limit: 50 });
        const { rows } = await c.query(`EXPLAIN (FORMAT JSON) ${sql}`, params);
        const plan = JSON.stringify(rows[0]['QUERY PLAN']);
        assert.ok(!plan.includes('"Seq Scan"'), `${name}: reads the whole table: ${plan}`);
        assert.match(plan, /"Index Name":"sessions_/, `${name}: no index of ours in ${plan}`);
      }
    });
  });

  it('appends recording chunks, marks what sync made durable, and streams a long one back in order', async () => {
    const store = await freshStore();
    const url = urls.get(store) as string;
    const id = await store.startSession(sessionStart());
    const sink = await store.createRecording(id);
    const chunk = (i: number) => Buffer.alloc(64 * 1024, String.fromCharCode(97 + (i % 26)));
    for (let i = 0; i < 100; i++) await sink.write(chunk(i));
    const counts = async () =>
      withClient(url, async (c) => {
        const { rows } = await c.query(
          `SELECT r.bytes::int, r.synced_bytes::int, (SELECT count(*)::int FROM recording_chunks k
             WHERE k.session_seq = r.session_seq) AS chunks
           FROM recordings r JOIN sessions s ON s.seq = r.session_seq WHERE s.id = $1`,
          [id],
        );
        return rows[0] as { bytes: number; synced_bytes: number; chunks: number };
      });
    assert.deepEqual(await counts(), { bytes: 100 * 65536, synced_bytes: 0, chunks: 100 });
    await sink.sync();
    assert.deepEqual(await counts(), { bytes: 100 * 65536, synced_bytes: 100 * 65536, chunks: 100 });
    await sink.close();
    let offset = 0;
    for await (const part of (await store.readRecording(id))!) {
      const buf = part as Buffer;
      for (let at = 0; at < buf.length; at += 4096) {
        assert.equal(buf[at], 97 + (Math.floor((offset + at) / 65536) % 26), `byte ${offset + at}`);
      }
      offset += buf.length;
    }
    assert.equal(offset, 100 * 65536);
    await store.endSession(id, { exitCode: 0, endedAt: new Date(), bytesIn: 0, bytesOut: 0 });
    assert.equal(await store.deleteEndedSessionsStartedBefore(new Date(Date.now() + 60_000)), 1);
    assert.deepEqual(
      await withClient(
        url,
        async (c) => (await c.query('SELECT count(*)::int AS n FROM recording_chunks')).rows[0],
      ),
      { n: 0 },
      'retention took the chunks with the session',
    );
  });

  it('fails fast and clearly when the database cannot be reached, without showing the password', async () => {
    const port = await closedPort();
    const store = await storeOn(`postgresql://podscope:not-the-password@127.0.0.1:${port}/podscope`, {
      connectTimeoutMs: 2000,
    });
    const started = Date.now();
    await assert.rejects(store.startSession(sessionStart()), (err: unknown) => {
      assert.ok(err instanceof AuditStoreError);
      assert.equal(err.code, 'unavailable');
      assert.match(
        err.message,
        new RegExp(
          `cannot reach the audit database postgresql://podscope:REDACTED@127.0.0.1:${port}/podscope: .*ECONNREFUSED`,
        ),
      );
      assert.ok(!err.message.includes('not-the-password'));
      return true;
    });
    assert.ok(Date.now() - started < 2500, `${Date.now() - started} ms`);
    await assert.rejects(
      store.listSessions(),
      (err: unknown) => err instanceof AuditStoreError && err.code === 'unavailable',
    );
  });

  it('reaches the database in the URL given: the one the script prints', async () => {
    assert.match(baseUrl, /^postgresql:\/\/podscope:[0-9a-f]{48}@127\.0\.0\.1:\d+\/podscope$/);
    const store = await storeOn(urlWithSchema(baseUrl, (await schemas.fresh()).schema));
    await store.check();
  });
});
