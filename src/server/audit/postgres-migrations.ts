import type { PoolClient } from 'pg';
import type { Migration } from './sqlite-migrations.js';

/**
 * The PostgreSQL schema of the audit store, as numbered migrations: never renumber or edit one that has
 * shipped, add a new one. Same data as the SQLite schema; times are `timestamptz` (exact to the
 * millisecond a Date carries), JSON columns are `json` (kept exactly as written, like SQLite's text —
 * `jsonb` would refuse a `\u0000` in an argv), and recordings live here too, so every replica serves them.
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'sessions and commands',
    sql: `
      CREATE TABLE sessions (
        seq                    bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id                     text        NOT NULL UNIQUE,  -- a UUID (text: compared as the SQLite store does)
        started_at             timestamptz NOT NULL,
        user_name              text        NOT NULL,
        user_groups            json        NOT NULL,
        cluster                text        NOT NULL,
        namespace              text        NOT NULL,
        pod                    text        NOT NULL,
        container              text,
        kind                   text        NOT NULL CHECK (kind IN ('exec','debug','copy','node-debug','file-list','file-download','file-upload')),
        command                json        NOT NULL,
        policy                 text        NOT NULL,
        client_address         text,
        details                json        NOT NULL DEFAULT '{}',
        ended_at               timestamptz,
        exit_code              integer,
        bytes_in               bigint,
        bytes_out              bigint,
        error                  text,
        outcome                json,
        recording_path         text,
        recording_truncated_at timestamptz
      );
      CREATE TABLE session_commands (
        session_seq bigint  NOT NULL REFERENCES sessions (seq) ON DELETE CASCADE,
        seq         integer NOT NULL,
        at_ms       bigint  NOT NULL,
        line        text    NOT NULL,
        flags       json    NOT NULL DEFAULT '[]',
        PRIMARY KEY (session_seq, seq)
      );
    `,
  },
  {
    version: 2,
    name: "indexes for the audit page's filters",
    // The page lists newest first (started_at DESC, seq DESC, which the cursor continues) filtered by any
    // of user, cluster, namespace, pod, kind and a time range: one index per filter, each ending in the
    // page order, so a page is an index range scan whatever the table's size. Retention's
    // `started_at < cutoff` uses sessions_newest.
    sql: `
      CREATE INDEX sessions_newest       ON sessions (started_at DESC, seq DESC);
      CREATE INDEX sessions_by_user      ON sessions (user_name, started_at DESC, seq DESC);
      CREATE INDEX sessions_by_cluster   ON sessions (cluster, namespace, pod, started_at DESC, seq DESC);
      CREATE INDEX sessions_by_namespace ON sessions (namespace, pod, started_at DESC, seq DESC);
      CREATE INDEX sessions_by_pod       ON sessions (pod, started_at DESC, seq DESC);
      CREATE INDEX sessions_by_kind      ON sessions (kind, started_at DESC, seq DESC);
    `,
  },
  {
    version: 3,
    name: 'recordings in the database',
    // A recording is its chunks in order (each one append of the asciicast writer, ≤ ~64 KiB), so a
    // replica appends without reading and any replica streams it back chunk by chunk.
    sql: `
      CREATE TABLE recordings (
        session_seq  bigint      PRIMARY KEY REFERENCES sessions (seq) ON DELETE CASCADE,
        created_at   timestamptz NOT NULL DEFAULT now(),
        bytes        bigint      NOT NULL DEFAULT 0,  -- appended so far
        synced_bytes bigint      NOT NULL DEFAULT 0   -- of which flushed to disk (WAL) for certain
      );
      CREATE TABLE recording_chunks (
        session_seq bigint  NOT NULL REFERENCES recordings (session_seq) ON DELETE CASCADE,
        seq         integer NOT NULL,
        data        bytea   NOT NULL,
        PRIMARY KEY (session_seq, seq)
      );
    `,
  },
  {
    version: 4,
    name: 'replicas and the sessions they own',
    // Each Podscope process heartbeats its row (on the database's clock); the leader ends the open
    // sessions of a replica that went silent. The partial index keeps that query to the open sessions.
    sql: `
      ALTER TABLE sessions ADD COLUMN replica text;
      CREATE INDEX sessions_open_by_replica ON sessions (replica) WHERE ended_at IS NULL AND replica IS NOT NULL;
      CREATE TABLE replicas (
        id           text        PRIMARY KEY,
        started_at   timestamptz NOT NULL DEFAULT now(),
        heartbeat_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    version: 5,
    name: 'login sessions',
    // Platform mode's login sessions (src/server/auth/), shared by every replica: keyed by the SHA-256
    // of the cookie's id, the person's Kubernetes credential sealed (AES-256-GCM); and login attempts
    // per client and window, so the rate limit holds across replicas.
    sql: `
      CREATE TABLE login_sessions (
        id_hash           text        PRIMARY KEY,  -- SHA-256 (hex) of the cookie's id
        subject           text        NOT NULL,
        username          text        NOT NULL,
        uid               text,
        groups            json        NOT NULL,
        extra             json        NOT NULL,
        cluster           text        NOT NULL,
        credential_kind   text        NOT NULL,
        sealed_credential text        NOT NULL,
        client_address    text,
        created_at        timestamptz NOT NULL,
        last_seen_at      timestamptz NOT NULL,
        idle_expires_at   timestamptz NOT NULL,
        expires_at        timestamptz NOT NULL
      );
      CREATE INDEX login_sessions_expires ON login_sessions (expires_at);
      CREATE INDEX login_sessions_idle ON login_sessions (idle_expires_at);
      CREATE TABLE login_attempts (
        client_key   text        NOT NULL,
        window_start timestamptz NOT NULL,
        count        integer     NOT NULL,
        PRIMARY KEY (client_key, window_start)
      );
      CREATE INDEX login_attempts_window ON login_attempts (window_start);
    `,
  },
  {
    version: 6,
    name: 'people in audit records',
    // The person (single sign-on subject, email) and the identity used towards Kubernetes (how: method;
    // as whom: user and groups), all NULL in older rows; and the audit-view kind (someone opened another
    // person's recording). People see their own sessions by subject: an index for that filter.
    sql: `
      ALTER TABLE sessions
        ADD COLUMN user_subject text,
        ADD COLUMN user_email   text,
        ADD COLUMN kube_method  text CHECK (kube_method IN ('kubeconfig','service-account','token','impersonation')),
        ADD COLUMN kube_user    text,
        ADD COLUMN kube_groups  json,
        DROP CONSTRAINT sessions_kind_check,
        ADD CONSTRAINT sessions_kind_check
          CHECK (kind IN ('exec','debug','copy','node-debug','file-list','file-download','file-upload','audit-view'));
      CREATE INDEX sessions_by_subject ON sessions (user_subject, started_at DESC, seq DESC);
    `,
  },
  {
    version: 7,
    name: 'single sign-on sessions: email and the refresh lease',
    // OpenID Connect sessions (src/server/auth/oidc-*.ts): the person's email, and the lease one replica
    // takes to refresh a session's ID token (a compare-and-swap on the row), so that concurrent requests
    // on every replica cause one refresh; the others wait and read its result from the row.
    sql: `
      ALTER TABLE login_sessions ADD COLUMN email text;
      ALTER TABLE login_sessions ADD COLUMN refresh_holder text;
      ALTER TABLE login_sessions ADD COLUMN refresh_lease_until timestamptz;
    `,
  },
  {
    version: 8,
    name: 'open sessions by kind',
    // The debug pod reaper looks for open pod-copy and node-debug sessions whose pod is gone, on every
    // pass (src/server/debug/debug-pod-reaper.ts); open sessions are few, so the index stays small.
    sql: `
      CREATE INDEX sessions_open_by_kind ON sessions (kind, cluster, started_at) WHERE ended_at IS NULL;
    `,
  },
];

/** Any 64-bit number of our own: only one process migrates a database at a time. */
const MIGRATION_LOCK = 0x706f6473636f7065n; // "podscope"

/**
 * Brings the schema (the connection's search_path) up to date. Each migration newer than the database's
 * runs in its own transaction with its `schema_migrations` row, after taking a transaction-level advisory
 * lock, so replicas starting together migrate once and a failure leaves the previous version. Reads the
 * version first without locking, so an up-to-date database costs one query. Returns the versions applied;
 * refuses a database that a newer Podscope has migrated further.
 */
export async function applyPostgresMigrations(
  client: PoolClient,
  migrations: readonly Migration[] = POSTGRES_MIGRATIONS,
): Promise<number[]> {
  for (const [index, migration] of migrations.entries()) {
    if (migration.version !== index + 1) {
      throw new Error(
        `migration "${migration.name}" is numbered ${migration.version}, expected ${index + 1}`,
      );
    }
  }
  const current = async (): Promise<number> => {
    const exists = await client.query<{ name: string | null }>(
      `SELECT to_regclass('schema_migrations')::text AS name`,
    );
    if ((exists.rows[0]?.name ?? null) === null) return 0;
    const { rows } = await client.query<{ version: number | null }>(
      'SELECT MAX(version) AS version FROM schema_migrations',
    );
    return rows[0]?.version ?? 0;
  };
  const refuseNewer = (version: number) => {
    if (version > migrations.length) {
      throw new Error(
        `the audit database is at schema version ${version}, newer than this Podscope knows (${migrations.length}); upgrade Podscope`,
      );
    }
  };
  const seen = await current();
  refuseNewer(seen);
  if (seen === migrations.length) return [];
  const applied: number[] = [];
  for (const migration of migrations.slice(seen)) {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK.toString()]);
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer     PRIMARY KEY,
        name       text        NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const version = await current();
      refuseNewer(version);
      if (version < migration.version) {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
          migration.version,
          migration.name,
        ]);
        applied.push(migration.version);
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }
  return applied;
}
