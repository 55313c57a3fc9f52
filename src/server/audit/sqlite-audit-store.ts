import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import {
  AuditStoreError,
  detailsJson,
  identityColumns,
  identityFromColumns,
  validateCommand,
  validateCutoff,
  validateFilter,
  validateSessionEnd,
  validateSessionStart,
  validateReplicaId,
  validateSilentQuery,
  validateOpenSessionsQuery,
  type AuditStore,
  type OpenSessionsQuery,
  type KubeAuthMethod,
  type ReplicaId,
  type CommandRecord,
  type RecordingSink,
  type SessionEnd,
  type SessionFilter,
  type SessionId,
  type SessionKind,
  type SessionPage,
  type SessionRecord,
  type SessionStart,
  type SessionWithCommands,
} from './audit-store.js';
import { applyMigrations, SQLITE_MIGRATIONS, type Migration } from './sqlite-migrations.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, RECORDINGS_DIR } from './data-dir.js';
import {
  createRecordingFile,
  deleteRecordingFile,
  readRecordingFile,
  recordingFile,
} from './file-recordings.js';
import type { CommandFlag } from '../../shared/exec/command-line.js';
import {
  validateClientKey,
  validateIdHash,
  validateLoginSessionRefresh,
  validateLoginSessionRow,
  validateRefreshHolder,
  type CredentialKind,
  type LoginSessionRefresh,
  type LoginSessionRow,
  type LoginSessionStore,
} from '../auth/login-session-store.js';

export interface SqliteAuditStoreOptions {
  /** For tests of the migration machinery; production uses SQLITE_MIGRATIONS. */
  migrations?: readonly Migration[];
  /** How long a write waits for another process's lock, in ms. */
  busyTimeoutMs?: number;
  /** Where recordings are created: default `recordings/` beside the database file. */
  recordingsDir?: string;
}

/** Sessions deleted per transaction by retention, so a large backlog never holds the lock for long. */
const RETENTION_BATCH = 500;

interface SessionRow {
  seq: number;
  id: string;
  started_at: number;
  user_name: string;
  user_groups: string;
  cluster: string;
  namespace: string;
  pod: string;
  container: string | null;
  kind: SessionKind;
  command: string;
  policy: string;
  client_address: string | null;
  details: string;
  ended_at: number | null;
  exit_code: number | null;
  bytes_in: number | null;
  bytes_out: number | null;
  error: string | null;
  recording_path: string | null;
  outcome: string | null;
  recording_truncated_at: number | null | undefined;
  replica: string | null | undefined;
  user_subject: string | null | undefined;
  user_email: string | null | undefined;
  kube_method: KubeAuthMethod | null | undefined;
  kube_user: string | null | undefined;
  kube_groups: string | null | undefined;
}

interface CommandRow {
  at_ms: number;
  line: string;
  flags: string;
}

/**
 * The audit store of local mode: one SQLite file in WAL mode, and the recordings as files in a directory
 * beside it (`recordings/<id>.cast`).
 *
 * The file is opened on first use, not at construction, and re-tried on every call while it cannot be:
 * Podscope can then still show logs and events when the audit file is unwritable, while every session
 * start rejects with the reason (and starts working once the operator fixes the directory).
 *
 * Durability: `synchronous=FULL` while writing session start and end rows (the WAL is synced before the
 * commit returns, so the record survives a power loss before the stream opens); `NORMAL` for the
 * frequent command rows (survives a crash of Podscope, may lose the last ones on power loss).
 */
export class SqliteAuditStore implements AuditStore, LoginSessionStore {
  private db: Database | undefined;
  private closed = false;
  readonly recordingsDir: string;

  constructor(
    readonly file: string,
    private readonly options: SqliteAuditStoreOptions = {},
  ) {
    this.recordingsDir = options.recordingsDir ?? join(dirname(file), RECORDINGS_DIR);
  }

  /** Opens (and migrates) the file now, so a server can report a broken audit store at startup. */
  async check(): Promise<void> {
    this.connection();
  }

  async startSession(rec: SessionStart): Promise<SessionId> {
    validateSessionStart(rec);
    const id = randomUUID();
    const who = identityColumns(rec.identity);
    this.write('record the session start', (db) =>
      withFullSync(db, () =>
        db
          .prepare(
            `INSERT INTO sessions (id, started_at, user_name, user_groups, user_subject, user_email, kube_method,
               kube_user, kube_groups, cluster, namespace, pod, container, kind, command, policy, client_address,
               details, replica)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            id,
            rec.startedAt.getTime(),
            who.user_name,
            JSON.stringify(who.user_groups),
            who.user_subject,
            who.user_email,
            who.kube_method,
            who.kube_user,
            who.kube_groups === null ? null : JSON.stringify(who.kube_groups),
            rec.cluster,
            rec.namespace,
            rec.pod,
            rec.container,
            rec.kind,
            JSON.stringify(rec.command),
            rec.policy,
            rec.clientAddress,
            detailsJson(rec.details),
            rec.replica ?? null,
          ),
      ),
    );
    return id;
  }

  async endSession(id: SessionId, end: SessionEnd): Promise<void> {
    validateSessionEnd(end);
    this.write('record the session end', (db) =>
      withFullSync(db, () => {
        const started = db.prepare('SELECT started_at, ended_at FROM sessions WHERE id = ?').get(id) as
          { started_at: number; ended_at: number | null } | undefined;
        if (started === undefined) throw notFound(id);
        if (started.ended_at !== null) return; // ended already: the first end wins
        if (end.endedAt.getTime() < started.started_at) {
          throw new AuditStoreError(
            'invalid',
            `invalid audit session end: endedAt ${end.endedAt.toISOString()} is before the session started`,
          );
        }
        db.prepare(
          `UPDATE sessions SET ended_at = ?, exit_code = ?, bytes_in = ?, bytes_out = ?, error = ?, outcome = ?
           WHERE id = ? AND ended_at IS NULL`,
        ).run(
          end.endedAt.getTime(),
          end.exitCode,
          end.bytesIn,
          end.bytesOut,
          end.error ?? null,
          end.outcome === undefined ? null : detailsJson(end.outcome),
          id,
        );
      }),
    );
  }

  async addCommand(id: SessionId, command: CommandRecord): Promise<void> {
    validateCommand(command);
    this.write('record a command', (db) => {
      const result = db
        .prepare(
          `INSERT INTO session_commands (session_seq, seq, at_ms, line, flags)
           SELECT s.seq, COALESCE((SELECT MAX(c.seq) FROM session_commands c WHERE c.session_seq = s.seq), 0) + 1,
                  ?, ?, ?
           FROM sessions s WHERE s.id = ?`,
        )
        .run(Math.round(command.at), command.line, JSON.stringify(command.flags), id);
      if (result.changes === 0) throw notFound(id);
    });
  }

  async createRecording(id: SessionId): Promise<RecordingSink> {
    const row = this.read('read a session', (db) =>
      db.prepare('SELECT recording_path FROM sessions WHERE id = ?').get(id),
    ) as { recording_path: string | null } | undefined;
    if (row === undefined) throw notFound(id);
    if (row.recording_path !== null) throw hasRecording(id);
    const file = recordingFile(this.recordingsDir, id);
    let sink: RecordingSink;
    try {
      sink = await createRecordingFile(file);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'EEXIST') throw hasRecording(id);
      throw new AuditStoreError('unavailable', `could not create the recording ${file}: ${message(cause)}`, {
        cause,
      });
    }
    try {
      this.write('record the recording path', (db) => {
        const result = db
          .prepare('UPDATE sessions SET recording_path = ? WHERE id = ? AND recording_path IS NULL')
          .run(file, id);
        if (result.changes === 0) throw hasRecording(id);
      });
    } catch (err) {
      await sink.close().catch(() => undefined);
      await deleteRecordingFile(this.recordingsDir, file).catch(() => undefined);
      throw err;
    }
    return sink;
  }

  async readRecording(id: SessionId): Promise<Readable | undefined> {
    const row = this.read('read a session', (db) =>
      db.prepare('SELECT recording_path FROM sessions WHERE id = ?').get(id),
    ) as { recording_path: string | null } | undefined;
    if (row === undefined) throw notFound(id);
    if (row.recording_path === null) return undefined;
    try {
      return await readRecordingFile(row.recording_path);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new AuditStoreError(
          'not-found',
          `the recording of audit session ${id} is missing: ${row.recording_path}`,
          { cause },
        );
      }
      throw new AuditStoreError('unavailable', `could not read the recording ${row.recording_path}`, {
        cause,
      });
    }
  }

  async markRecordingTruncated(id: SessionId, at: Date): Promise<void> {
    if (!(at instanceof Date) || Number.isNaN(at.getTime())) {
      throw new AuditStoreError('invalid', 'invalid recording truncation: at is not a date');
    }
    this.write('record that the recording was cut short', (db) => {
      const result = db
        .prepare(
          `UPDATE sessions SET recording_truncated_at = COALESCE(recording_truncated_at, ?) WHERE id = ?`,
        )
        .run(at.getTime(), id);
      if (result.changes === 0) throw notFound(id);
    });
  }

  async listSessions(filter: SessionFilter = {}): Promise<SessionPage> {
    const limit = validateFilter(filter);
    const where: string[] = [];
    const params: (string | number)[] = [];
    const equal = (column: string, value: string | undefined) => {
      if (value === undefined) return;
      where.push(`${column} = ?`);
      params.push(value);
    };
    equal('user_name', filter.user);
    equal('user_subject', filter.subject);
    equal('cluster', filter.cluster);
    equal('namespace', filter.namespace);
    equal('pod', filter.pod);
    equal('kind', filter.kind);
    if (filter.from !== undefined) {
      where.push('started_at >= ?');
      params.push(filter.from.getTime());
    }
    if (filter.to !== undefined) {
      where.push('started_at < ?');
      params.push(filter.to.getTime());
    }
    if (filter.before !== undefined) {
      const cursor = decodeCursor(filter.before);
      where.push('(started_at < ? OR (started_at = ? AND seq < ?))');
      params.push(cursor.startedAt, cursor.startedAt, cursor.seq);
    }
    const rows = this.read('list sessions', (db) =>
      db
        .prepare(
          `SELECT * FROM sessions ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
           ORDER BY started_at DESC, seq DESC LIMIT ?`,
        )
        .all(...params, limit + 1),
    ) as SessionRow[];
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      sessions: page.map(toRecord),
      nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last) : null,
    };
  }

  async getSession(id: SessionId): Promise<SessionWithCommands | undefined> {
    return this.read('read a session', (db) => {
      const row = db.prepare('SELECT * FROM sessions WHERE id = ?').get(id) as SessionRow | undefined;
      if (row === undefined) return undefined;
      const commands = db
        .prepare('SELECT at_ms, line, flags FROM session_commands WHERE session_seq = ? ORDER BY at_ms, seq')
        .all(row.seq) as CommandRow[];
      return {
        ...toRecord(row),
        commands: commands.map((c) => ({
          line: c.line,
          at: c.at_ms,
          flags: JSON.parse(c.flags) as CommandFlag[],
        })),
      };
    });
  }

  async deleteEndedSessionsStartedBefore(cutoff: Date): Promise<number> {
    validateCutoff(cutoff);
    let deleted = 0;
    for (;;) {
      const rows = this.read('find sessions past retention', (db) =>
        db
          .prepare(
            `SELECT seq, recording_path FROM sessions WHERE started_at < ? AND ended_at IS NOT NULL
             ORDER BY started_at LIMIT ?`,
          )
          .all(cutoff.getTime(), RETENTION_BATCH),
      ) as { seq: number; recording_path: string | null }[];
      if (rows.length === 0) return deleted;
      // Recordings first: a crash in between leaves a record whose recording is reported missing (and
      // deleted on the next run), never a recording that retention promised to delete.
      for (const row of rows) {
        if (row.recording_path === null) continue;
        try {
          await deleteRecordingFile(this.recordingsDir, row.recording_path);
        } catch (cause) {
          throw new AuditStoreError(
            'unavailable',
            `could not delete the recording ${row.recording_path}: ${message(cause)}`,
            { cause },
          );
        }
      }
      this.write('delete sessions past retention', (db) => {
        const remove = db.prepare('DELETE FROM sessions WHERE seq = ?');
        db.transaction(() => {
          for (const row of rows) remove.run(row.seq);
        })();
      });
      deleted += rows.length;
    }
  }

  async heartbeat(replica: ReplicaId): Promise<void> {
    validateReplicaId(replica);
    const now = Date.now();
    this.write('record the heartbeat', (db) =>
      db
        .prepare(
          `INSERT INTO replicas (id, started_at, heartbeat_at) VALUES (?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`,
        )
        .run(replica, now, now),
    );
  }

  async sessionsOfSilentReplicas(silentForMs: number, limit?: number): Promise<SessionRecord[]> {
    const n = validateSilentQuery(silentForMs, limit);
    const rows = this.read('list the sessions of silent replicas', (db) =>
      db
        .prepare(
          `SELECT s.* FROM sessions s LEFT JOIN replicas r ON r.id = s.replica
           WHERE s.ended_at IS NULL AND s.replica IS NOT NULL
             AND COALESCE(r.heartbeat_at, s.started_at) < ?
           ORDER BY s.started_at, s.seq LIMIT ?`,
        )
        .all(Date.now() - silentForMs, n),
    ) as SessionRow[];
    return rows.map(toRecord);
  }

  async openSessions(query: OpenSessionsQuery): Promise<SessionRecord[]> {
    const n = validateOpenSessionsQuery(query);
    const rows = this.read('list open sessions', (db) =>
      db
        .prepare(
          `SELECT * FROM sessions
           WHERE ended_at IS NULL AND kind IN (${query.kinds.map(() => '?').join(', ')})
             AND cluster = ? AND started_at < ?
           ORDER BY started_at, seq LIMIT ?`,
        )
        .all(...query.kinds, query.cluster, query.startedBefore.getTime(), n),
    ) as SessionRow[];
    return rows.map(toRecord);
  }

  // Login sessions (src/server/auth/login-session-store.ts): rows beside the audit records.

  async createLoginSession(row: LoginSessionRow): Promise<void> {
    validateLoginSessionRow(row);
    this.write('record the login session', (db) =>
      db
        .prepare(
          `INSERT INTO login_sessions (id_hash, subject, username, email, uid, groups, extra, cluster,
             credential_kind, sealed_credential, client_address, created_at, last_seen_at, idle_expires_at,
             expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          row.idHash,
          row.subject,
          row.username,
          row.email,
          row.uid,
          JSON.stringify(row.groups),
          JSON.stringify(row.extra),
          row.cluster,
          row.credentialKind,
          row.sealedCredential,
          row.clientAddress,
          row.createdAt.getTime(),
          row.lastSeenAt.getTime(),
          row.idleExpiresAt.getTime(),
          row.expiresAt.getTime(),
        ),
    );
  }

  async getLoginSession(idHash: string): Promise<LoginSessionRow | undefined> {
    validateIdHash(idHash);
    const row = this.read('read the login session', (db) =>
      db.prepare('SELECT * FROM login_sessions WHERE id_hash = ?').get(idHash),
    ) as LoginSessionDbRow | undefined;
    return row === undefined ? undefined : toLoginSession(row);
  }

  async touchLoginSession(idHash: string, seenAt: Date, idleExpiresAt: Date): Promise<boolean> {
    validateIdHash(idHash);
    const result = this.write('record the use of the login session', (db) =>
      db
        .prepare(
          `UPDATE login_sessions SET last_seen_at = ?, idle_expires_at = MIN(?, expires_at)
           WHERE id_hash = ? AND idle_expires_at > ? AND expires_at > ?`,
        )
        .run(seenAt.getTime(), idleExpiresAt.getTime(), idHash, seenAt.getTime(), seenAt.getTime()),
    );
    return result.changes > 0;
  }

  async claimLoginSessionRefresh(
    idHash: string,
    expectedCredential: string,
    holder: string,
    now: Date,
    leaseUntil: Date,
  ): Promise<boolean> {
    validateIdHash(idHash);
    validateRefreshHolder(holder);
    const result = this.write('take the refresh lease of the login session', (db) =>
      db
        .prepare(
          `UPDATE login_sessions SET refresh_holder = ?, refresh_lease_until = ?
           WHERE id_hash = ? AND sealed_credential = ? AND expires_at > ? AND idle_expires_at > ?
             AND (refresh_lease_until IS NULL OR refresh_lease_until <= ?)`,
        )
        .run(
          holder,
          leaseUntil.getTime(),
          idHash,
          expectedCredential,
          now.getTime(),
          now.getTime(),
          now.getTime(),
        ),
    );
    return result.changes > 0;
  }

  async finishLoginSessionRefresh(
    idHash: string,
    holder: string,
    update: LoginSessionRefresh,
  ): Promise<boolean> {
    validateIdHash(idHash);
    validateLoginSessionRefresh(holder, update);
    const result = this.write('store the refreshed login session', (db) =>
      db
        .prepare(
          `UPDATE login_sessions SET sealed_credential = ?, username = ?, email = ?, groups = ?,
             expires_at = MIN(expires_at, ?), idle_expires_at = MIN(idle_expires_at, ?),
             refresh_holder = NULL, refresh_lease_until = NULL
           WHERE id_hash = ? AND refresh_holder = ?`,
        )
        .run(
          update.sealedCredential,
          update.username,
          update.email,
          JSON.stringify(update.groups),
          update.expiresAt.getTime(),
          update.expiresAt.getTime(),
          idHash,
          holder,
        ),
    );
    return result.changes > 0;
  }

  async releaseLoginSessionRefresh(idHash: string, holder: string): Promise<void> {
    validateIdHash(idHash);
    this.write('free the refresh lease of the login session', (db) =>
      db
        .prepare(
          `UPDATE login_sessions SET refresh_holder = NULL, refresh_lease_until = NULL
           WHERE id_hash = ? AND refresh_holder = ?`,
        )
        .run(idHash, holder),
    );
  }

  async deleteLoginSession(idHash: string): Promise<boolean> {
    validateIdHash(idHash);
    const result = this.write('delete the login session', (db) =>
      db.prepare('DELETE FROM login_sessions WHERE id_hash = ?').run(idHash),
    );
    return result.changes > 0;
  }

  async deleteExpiredLoginSessions(now: Date, attemptsBefore: Date): Promise<number> {
    return this.write('delete expired login sessions', (db) =>
      db.transaction(() => {
        db.prepare('DELETE FROM login_attempts WHERE window_start < ?').run(attemptsBefore.getTime());
        return db
          .prepare('DELETE FROM login_sessions WHERE expires_at <= ? OR idle_expires_at <= ?')
          .run(now.getTime(), now.getTime()).changes;
      })(),
    );
  }

  async countLoginAttempt(clientKey: string, windowStart: Date): Promise<number> {
    validateClientKey(clientKey);
    const row = this.write('count the login attempt', (db) =>
      db
        .prepare(
          `INSERT INTO login_attempts (client_key, window_start, count) VALUES (?, ?, 1)
           ON CONFLICT (client_key, window_start) DO UPDATE SET count = count + 1
           RETURNING count`,
        )
        .get(clientKey, windowStart.getTime()),
    ) as { count: number };
    return row.count;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.db?.close();
    this.db = undefined;
  }

  private connection(): Database {
    if (this.closed) throw new AuditStoreError('unavailable', 'the audit store is closed');
    if (this.db !== undefined) return this.db;
    let db: Database | undefined;
    try {
      mkdirSync(dirname(this.file), { recursive: true, mode: PRIVATE_DIR_MODE });
      // Created 0600 before SQLite opens it (SQLite would make it 0644): the -wal and -shm files SQLite
      // adds take the database file's mode.
      closeSync(openSync(this.file, 'a', PRIVATE_FILE_MODE));
      db = new BetterSqlite3(this.file);
      db.pragma(`busy_timeout = ${Math.trunc(this.options.busyTimeoutMs ?? 5000)}`);
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new Error(`could not switch to WAL mode (journal_mode is ${String(mode)})`);
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      applyMigrations(db, this.options.migrations ?? SQLITE_MIGRATIONS);
    } catch (cause) {
      db?.close();
      throw new AuditStoreError(
        'unavailable',
        `cannot open the audit database ${this.file}: ${message(cause)}`,
        {
          cause,
        },
      );
    }
    this.db = db;
    return db;
  }

  private write<T>(what: string, run: (db: Database) => T): T {
    const db = this.connection();
    try {
      return run(db);
    } catch (cause) {
      if (cause instanceof AuditStoreError) throw cause;
      throw new AuditStoreError('unavailable', `could not ${what} in ${this.file}: ${message(cause)}`, {
        cause,
      });
    }
  }

  private read<T>(what: string, run: (db: Database) => T): T {
    return this.write(what, run);
  }
}

function withFullSync<T>(db: Database, run: () => T): T {
  db.pragma('synchronous = FULL');
  try {
    return run();
  } finally {
    db.pragma('synchronous = NORMAL');
  }
}

interface LoginSessionDbRow {
  id_hash: string;
  subject: string;
  username: string;
  email: string | null;
  uid: string | null;
  groups: string;
  extra: string;
  cluster: string;
  credential_kind: CredentialKind;
  sealed_credential: string;
  client_address: string | null;
  created_at: number;
  last_seen_at: number;
  idle_expires_at: number;
  expires_at: number;
}

function toLoginSession(row: LoginSessionDbRow): LoginSessionRow {
  return {
    idHash: row.id_hash,
    subject: row.subject,
    username: row.username,
    email: row.email,
    uid: row.uid,
    groups: JSON.parse(row.groups) as string[],
    extra: JSON.parse(row.extra) as Record<string, string[]>,
    cluster: row.cluster,
    credentialKind: row.credential_kind,
    sealedCredential: row.sealed_credential,
    clientAddress: row.client_address,
    createdAt: new Date(row.created_at),
    lastSeenAt: new Date(row.last_seen_at),
    idleExpiresAt: new Date(row.idle_expires_at),
    expiresAt: new Date(row.expires_at),
  };
}

function toRecord(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    identity: identityFromColumns({
      user_name: row.user_name,
      user_groups: JSON.parse(row.user_groups) as string[],
      user_subject: row.user_subject,
      user_email: row.user_email,
      kube_method: row.kube_method,
      kube_user: row.kube_user,
      kube_groups:
        row.kube_groups === null || row.kube_groups === undefined
          ? null
          : (JSON.parse(row.kube_groups) as string[]),
    }),
    startedAt: new Date(row.started_at),
    cluster: row.cluster,
    namespace: row.namespace,
    pod: row.pod,
    container: row.container,
    kind: row.kind,
    command: JSON.parse(row.command) as string[],
    policy: row.policy,
    clientAddress: row.client_address,
    details: JSON.parse(row.details) as Record<string, unknown>,
    endedAt: row.ended_at === null ? null : new Date(row.ended_at),
    exitCode: row.exit_code,
    bytesIn: row.bytes_in,
    bytesOut: row.bytes_out,
    error: row.error,
    outcome: row.outcome === null ? null : (JSON.parse(row.outcome) as Record<string, unknown>),
    recordingPath: row.recording_path,
    // Absent (undefined) in a database opened with fewer migrations, as the migration tests do.
    recordingTruncatedAt:
      row.recording_truncated_at === null || row.recording_truncated_at === undefined
        ? null
        : new Date(row.recording_truncated_at),
    replica: row.replica ?? null,
  };
}

/** The cursor is the position of the last row of a page: its start time and insertion sequence. */
function encodeCursor(row: SessionRow): string {
  return `${row.started_at}.${row.seq}`;
}

function decodeCursor(cursor: string): { startedAt: number; seq: number } {
  const match = /^(-?\d+)\.(\d+)$/.exec(cursor);
  if (match === null) throw new AuditStoreError('invalid', `invalid audit page cursor "${cursor}"`);
  return { startedAt: Number(match[1]), seq: Number(match[2]) };
}

function notFound(id: SessionId): AuditStoreError {
  return new AuditStoreError('not-found', `no audit session ${id}`);
}

function hasRecording(id: SessionId): AuditStoreError {
  return new AuditStoreError('invalid', `audit session ${id} has a recording already`);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
