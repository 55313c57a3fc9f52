import type { Database } from 'better-sqlite3';

export interface Migration {
  /** 1, 2, 3… in order; never renumber or edit one that has shipped: add a new one. */
  version: number;
  name: string;
  sql: string;
}

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'sessions and commands',
    sql: `
      CREATE TABLE sessions (
        seq            INTEGER PRIMARY KEY AUTOINCREMENT,
        id             TEXT    NOT NULL UNIQUE,
        started_at     INTEGER NOT NULL,            -- ms since the epoch
        user_name      TEXT    NOT NULL,
        user_groups    TEXT    NOT NULL,            -- JSON array
        cluster        TEXT    NOT NULL,
        namespace      TEXT    NOT NULL,
        pod            TEXT    NOT NULL,
        container      TEXT,
        kind           TEXT    NOT NULL CHECK (kind IN ('exec','debug','copy','node-debug','file-download','file-upload')),
        command        TEXT    NOT NULL,            -- JSON array (argv)
        policy         TEXT    NOT NULL,
        client_address TEXT,
        details        TEXT    NOT NULL DEFAULT '{}',
        ended_at       INTEGER,
        exit_code      INTEGER,
        bytes_in       INTEGER,
        bytes_out      INTEGER,
        error          TEXT,
        recording_path TEXT
      );
      CREATE INDEX sessions_newest ON sessions (started_at DESC, seq DESC);
      CREATE INDEX sessions_by_user ON sessions (user_name, started_at DESC, seq DESC);
      CREATE INDEX sessions_by_target ON sessions (cluster, namespace, pod, started_at DESC, seq DESC);
      CREATE TABLE session_commands (
        session_seq INTEGER NOT NULL REFERENCES sessions (seq) ON DELETE CASCADE,
        seq         INTEGER NOT NULL,
        at_ms       INTEGER NOT NULL,               -- ms since the session started
        line        TEXT    NOT NULL,
        flags       TEXT    NOT NULL DEFAULT '[]',  -- JSON array
        PRIMARY KEY (session_seq, seq)
      );
    `,
  },
  {
    version: 2,
    name: 'session outcome',
    sql: `ALTER TABLE sessions ADD COLUMN outcome TEXT; -- JSON object, written with the end`,
  },
  {
    version: 3,
    name: 'file-list sessions',
    // SQLite cannot change a CHECK constraint: rebuild both tables (children dropped first, so the
    // foreign key's ON DELETE CASCADE never fires) and rename; RENAME also updates the foreign key.
    sql: `
      CREATE TABLE sessions_v3 (
        seq            INTEGER PRIMARY KEY AUTOINCREMENT,
        id             TEXT    NOT NULL UNIQUE,
        started_at     INTEGER NOT NULL,
        user_name      TEXT    NOT NULL,
        user_groups    TEXT    NOT NULL,
        cluster        TEXT    NOT NULL,
        namespace      TEXT    NOT NULL,
        pod            TEXT    NOT NULL,
        container      TEXT,
        kind           TEXT    NOT NULL CHECK (kind IN ('exec','debug','copy','node-debug','file-list','file-download','file-upload')),
        command        TEXT    NOT NULL,
        policy         TEXT    NOT NULL,
        client_address TEXT,
        details        TEXT    NOT NULL DEFAULT '{}',
        ended_at       INTEGER,
        exit_code      INTEGER,
        bytes_in       INTEGER,
        bytes_out      INTEGER,
        error          TEXT,
        recording_path TEXT,
        outcome        TEXT
      );
      INSERT INTO sessions_v3 (seq, id, started_at, user_name, user_groups, cluster, namespace, pod, container,
        kind, command, policy, client_address, details, ended_at, exit_code, bytes_in, bytes_out, error,
        recording_path, outcome)
      SELECT seq, id, started_at, user_name, user_groups, cluster, namespace, pod, container, kind, command,
        policy, client_address, details, ended_at, exit_code, bytes_in, bytes_out, error, recording_path, outcome
      FROM sessions;
      CREATE TABLE session_commands_v3 (
        session_seq INTEGER NOT NULL REFERENCES sessions_v3 (seq) ON DELETE CASCADE,
        seq         INTEGER NOT NULL,
        at_ms       INTEGER NOT NULL,
        line        TEXT    NOT NULL,
        flags       TEXT    NOT NULL DEFAULT '[]',
        PRIMARY KEY (session_seq, seq)
      );
      INSERT INTO session_commands_v3 SELECT session_seq, seq, at_ms, line, flags FROM session_commands;
      DROP TABLE session_commands;
      DROP TABLE sessions;
      ALTER TABLE sessions_v3 RENAME TO sessions;
      ALTER TABLE session_commands_v3 RENAME TO session_commands;
      CREATE INDEX sessions_newest ON sessions (started_at DESC, seq DESC);
      CREATE INDEX sessions_by_user ON sessions (user_name, started_at DESC, seq DESC);
      CREATE INDEX sessions_by_target ON sessions (cluster, namespace, pod, started_at DESC, seq DESC);
    `,
  },
  {
    version: 4,
    name: 'recording cut short by its size cap',
    sql: `ALTER TABLE sessions ADD COLUMN recording_truncated_at INTEGER; -- ms since the epoch, or NULL`,
  },
  {
    version: 5,
    name: 'replicas and the sessions they own',
    // As in PostgreSQL (migration 4 there): each Podscope process heartbeats its row; the open sessions
    // of one that went silent are ended by the leader (locally: the one process there is).
    sql: `
      ALTER TABLE sessions ADD COLUMN replica TEXT;
      CREATE INDEX sessions_open_by_replica ON sessions (replica) WHERE ended_at IS NULL AND replica IS NOT NULL;
      CREATE TABLE replicas (
        id           TEXT    PRIMARY KEY,
        started_at   INTEGER NOT NULL,  -- ms since the epoch
        heartbeat_at INTEGER NOT NULL   -- ms since the epoch
      );
    `,
  },
  {
    version: 6,
    name: 'login sessions',
    // Platform mode's login sessions (src/server/auth/): keyed by the SHA-256 of the cookie's id, the
    // person's Kubernetes credential sealed (AES-256-GCM); and login attempts per client and window.
    sql: `
      CREATE TABLE login_sessions (
        id_hash           TEXT    PRIMARY KEY,       -- SHA-256 (hex) of the cookie's id
        subject           TEXT    NOT NULL,
        username          TEXT    NOT NULL,
        uid               TEXT,
        groups            TEXT    NOT NULL,          -- JSON array
        extra             TEXT    NOT NULL,          -- JSON object of arrays
        cluster           TEXT    NOT NULL,
        credential_kind   TEXT    NOT NULL,
        sealed_credential TEXT    NOT NULL,
        client_address    TEXT,
        created_at        INTEGER NOT NULL,          -- ms since the epoch
        last_seen_at      INTEGER NOT NULL,
        idle_expires_at   INTEGER NOT NULL,
        expires_at        INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX login_sessions_expires ON login_sessions (expires_at);
      CREATE INDEX login_sessions_idle ON login_sessions (idle_expires_at);
      CREATE TABLE login_attempts (
        client_key   TEXT    NOT NULL,
        window_start INTEGER NOT NULL,               -- ms since the epoch
        count        INTEGER NOT NULL,
        PRIMARY KEY (client_key, window_start)
      ) WITHOUT ROWID;
      CREATE INDEX login_attempts_window ON login_attempts (window_start);
    `,
  },
  {
    version: 7,
    name: 'people in audit records',
    // The person (single sign-on subject, email) and the identity used towards Kubernetes (how: method;
    // as whom: user and groups), all NULL in older rows; and the audit-view kind (someone opened another
    // person's recording). SQLite cannot change a CHECK constraint: the tables are rebuilt as in
    // migration 3 (children dropped first, so ON DELETE CASCADE never fires; RENAME updates the key).
    sql: `
      CREATE TABLE sessions_v7 (
        seq                    INTEGER PRIMARY KEY AUTOINCREMENT,
        id                     TEXT    NOT NULL UNIQUE,
        started_at             INTEGER NOT NULL,
        user_name              TEXT    NOT NULL,
        user_groups            TEXT    NOT NULL,
        cluster                TEXT    NOT NULL,
        namespace              TEXT    NOT NULL,
        pod                    TEXT    NOT NULL,
        container              TEXT,
        kind                   TEXT    NOT NULL CHECK (kind IN ('exec','debug','copy','node-debug','file-list','file-download','file-upload','audit-view')),
        command                TEXT    NOT NULL,
        policy                 TEXT    NOT NULL,
        client_address         TEXT,
        details                TEXT    NOT NULL DEFAULT '{}',
        ended_at               INTEGER,
        exit_code              INTEGER,
        bytes_in               INTEGER,
        bytes_out              INTEGER,
        error                  TEXT,
        recording_path         TEXT,
        outcome                TEXT,
        recording_truncated_at INTEGER,
        replica                TEXT,
        user_subject           TEXT,                -- <issuer>#<sub>
        user_email             TEXT,
        kube_method            TEXT CHECK (kube_method IN ('kubeconfig','service-account','token','impersonation')),
        kube_user              TEXT,
        kube_groups            TEXT                 -- JSON array
      );
      INSERT INTO sessions_v7 (seq, id, started_at, user_name, user_groups, cluster, namespace, pod, container,
        kind, command, policy, client_address, details, ended_at, exit_code, bytes_in, bytes_out, error,
        recording_path, outcome, recording_truncated_at, replica)
      SELECT seq, id, started_at, user_name, user_groups, cluster, namespace, pod, container, kind, command,
        policy, client_address, details, ended_at, exit_code, bytes_in, bytes_out, error, recording_path, outcome,
        recording_truncated_at, replica
      FROM sessions;
      CREATE TABLE session_commands_v7 (
        session_seq INTEGER NOT NULL REFERENCES sessions_v7 (seq) ON DELETE CASCADE,
        seq         INTEGER NOT NULL,
        at_ms       INTEGER NOT NULL,
        line        TEXT    NOT NULL,
        flags       TEXT    NOT NULL DEFAULT '[]',
        PRIMARY KEY (session_seq, seq)
      );
      INSERT INTO session_commands_v7 SELECT session_seq, seq, at_ms, line, flags FROM session_commands;
      DROP TABLE session_commands;
      DROP TABLE sessions;
      ALTER TABLE sessions_v7 RENAME TO sessions;
      ALTER TABLE session_commands_v7 RENAME TO session_commands;
      CREATE INDEX sessions_newest ON sessions (started_at DESC, seq DESC);
      CREATE INDEX sessions_by_user ON sessions (user_name, started_at DESC, seq DESC);
      CREATE INDEX sessions_by_subject ON sessions (user_subject, started_at DESC, seq DESC);
      CREATE INDEX sessions_by_target ON sessions (cluster, namespace, pod, started_at DESC, seq DESC);
      CREATE INDEX sessions_open_by_replica ON sessions (replica) WHERE ended_at IS NULL AND replica IS NOT NULL;
    `,
  },
  {
    version: 8,
    name: 'single sign-on sessions: email and the refresh lease',
    // As in PostgreSQL (migration 7 there). OpenID Connect sessions (src/server/auth/oidc-*.ts): the
    // person's email, and the lease one Podscope process takes to refresh a session's ID token, so that
    // concurrent requests on any replica cause one refresh (the others wait for its result).
    sql: `
      ALTER TABLE login_sessions ADD COLUMN email TEXT;
      ALTER TABLE login_sessions ADD COLUMN refresh_holder TEXT;
      ALTER TABLE login_sessions ADD COLUMN refresh_lease_until INTEGER; -- ms since the epoch, or NULL
    `,
  },
  {
    version: 9,
    name: 'open sessions by kind',
    // As in PostgreSQL (migration 8 there): the debug pod reaper looks for open pod-copy and node-debug
    // sessions whose pod is gone, on every pass; open sessions are few, so the index stays small.
    sql: `
      CREATE INDEX sessions_open_by_kind ON sessions (kind, cluster, started_at) WHERE ended_at IS NULL;
    `,
  },
];

/**
 * Brings the schema up to date: each migration newer than the database's runs in its own transaction
 * together with its `schema_migrations` row, so a failure leaves the database at the previous version.
 * Returns the versions applied. Refuses a database that a newer Podscope has migrated further.
 */
export function applyMigrations(
  db: Database,
  migrations: readonly Migration[] = SQLITE_MIGRATIONS,
): number[] {
  for (const [index, migration] of migrations.entries()) {
    if (migration.version !== index + 1) {
      throw new Error(
        `migration "${migration.name}" is numbered ${migration.version}, expected ${index + 1}`,
      );
    }
  }
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  const currentVersion = () =>
    (db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null })
      .version ?? 0;
  const newest = currentVersion();
  if (newest > migrations.length) {
    throw new Error(
      `the audit database is at schema version ${newest}, newer than this Podscope knows (${migrations.length}); upgrade Podscope`,
    );
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const applied: number[] = [];
  for (const migration of migrations.slice(newest)) {
    // IMMEDIATE takes the write lock first, so two processes opening the same file cannot both apply it.
    const ran = db
      .transaction(() => {
        if (currentVersion() >= migration.version) return false;
        db.exec(migration.sql);
        record.run(migration.version, migration.name, Date.now());
        return true;
      })
      .immediate();
    if (ran) applied.push(migration.version);
  }
  return applied;
}
