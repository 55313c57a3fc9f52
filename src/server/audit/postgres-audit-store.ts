import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import pg from 'pg';
import type { PoolClient, QueryResultRow } from 'pg';
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
import { redactDatabaseUrl } from './database-url.js';
import { applyPostgresMigrations, POSTGRES_MIGRATIONS } from './postgres-migrations.js';
import type { Migration } from './sqlite-migrations.js';
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

export interface PostgresAuditStoreOptions {
  /** For tests of the migration machinery; production uses POSTGRES_MIGRATIONS. */
  migrations?: readonly Migration[];
  /** Connections kept at most (per replica). */
  maxConnections?: number;
  /** How long a call waits for a connection before it fails 'unavailable', in ms. */
  connectTimeoutMs?: number;
  /** How long one statement may take, in ms (a hung database must not hold a session start forever). */
  statementTimeoutMs?: number;
  /** Errors of idle connections (the server restarted, the network dropped): they are replaced on next use. */
  onConnectionError?: (error: Error) => void;
}

/** Sessions deleted per transaction by retention, so a large backlog never holds locks for long. */
const RETENTION_BATCH = 500;
/** Chunks fetched per query while a recording is streamed (each at most ~64 KiB). */
const REPLAY_BATCH = 64;

interface SessionRow {
  seq: number;
  id: string;
  started_at: Date;
  user_name: string;
  user_groups: string[];
  cluster: string;
  namespace: string;
  pod: string;
  container: string | null;
  kind: SessionKind;
  command: string[];
  policy: string;
  client_address: string | null;
  details: Record<string, unknown>;
  ended_at: Date | null;
  exit_code: number | null;
  bytes_in: number | null;
  bytes_out: number | null;
  error: string | null;
  outcome: Record<string, unknown> | null;
  recording_path: string | null;
  recording_truncated_at: Date | null;
  replica: string | null;
  user_subject: string | null | undefined;
  user_email: string | null | undefined;
  kube_method: KubeAuthMethod | null | undefined;
  kube_user: string | null | undefined;
  kube_groups: string[] | null | undefined;
}

interface LoginSessionDbRow {
  id_hash: string;
  subject: string;
  username: string;
  email: string | null;
  uid: string | null;
  groups: string[];
  extra: Record<string, string[]>;
  cluster: string;
  credential_kind: CredentialKind;
  sealed_credential: string;
  client_address: string | null;
  created_at: Date;
  last_seen_at: Date;
  idle_expires_at: Date;
  expires_at: Date;
}

function toLoginSession(row: LoginSessionDbRow): LoginSessionRow {
  return {
    idHash: row.id_hash,
    subject: row.subject,
    username: row.username,
    email: row.email,
    uid: row.uid,
    groups: row.groups,
    extra: row.extra,
    cluster: row.cluster,
    credentialKind: row.credential_kind,
    sealedCredential: row.sealed_credential,
    clientAddress: row.client_address,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    idleExpiresAt: row.idle_expires_at,
    expiresAt: row.expires_at,
  };
}

interface CommandRow {
  at_ms: number;
  line: string;
  flags: CommandFlag[];
}

// bigint (seq, byte counts) as numbers: every value stored is a safe integer (validated on the way in).
const INT8_OID = 20;
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * The audit store of platform mode: PostgreSQL, shared by every replica — session records, commands and
 * the recordings themselves (in chunks), so any replica can list, replay and close any session.
 *
 * Like the SQLite store it connects (and migrates) on first use and again on every call while it cannot:
 * while the database is down every call rejects 'unavailable' — so no new risky action starts, since its
 * record cannot be written — and it works again as soon as the database is back.
 *
 * Durability: session starts and ends, commands and truncation marks commit synchronously (on disk when
 * the call returns). A recording chunk commits with `synchronous_commit = off`: committed, so visible to
 * every replica and kept if Podscope dies, but flushed to disk by PostgreSQL's WAL writer within moments —
 * the page cache of a file. The sink's `sync` (≤ 1 s apart, from the asciicast writer) commits
 * synchronously, which flushes the WAL up to it, every earlier chunk included: the fsync.
 */
export class PostgresAuditStore implements AuditStore, LoginSessionStore {
  private readonly pool: pg.Pool;
  /** The URL without its password: what messages name. */
  readonly where: string;
  private migrated = false;
  private closed = false;

  constructor(
    url: string,
    private readonly options: PostgresAuditStoreOptions = {},
  ) {
    this.where = redactDatabaseUrl(url);
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      statement_timeout: options.statementTimeoutMs ?? 15_000,
      query_timeout: (options.statementTimeoutMs ?? 15_000) + 5000,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      application_name: 'podscope',
      types: TYPES,
    });
    // Without a listener, an idle connection's error (the server went away) would end the process.
    this.pool.on('error', (error) => options.onConnectionError?.(error));
  }

  async check(): Promise<void> {
    await this.run('check the connection', (db) => db.query('SELECT 1'));
  }

  async startSession(rec: SessionStart): Promise<SessionId> {
    validateSessionStart(rec);
    const id = randomUUID();
    const who = identityColumns(rec.identity);
    await this.run('record the session start', (db) =>
      db.query(
        `INSERT INTO sessions (id, started_at, user_name, user_groups, user_subject, user_email, kube_method,
           kube_user, kube_groups, cluster, namespace, pod, container, kind, command, policy, client_address,
           details, replica)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
        [
          id,
          rec.startedAt,
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
        ],
      ),
    );
    return id;
  }

  async endSession(id: SessionId, end: SessionEnd): Promise<void> {
    validateSessionEnd(end);
    const outcome = end.outcome === undefined ? null : detailsJson(end.outcome);
    await this.run('record the session end', async (db) => {
      // One statement, so two replicas ending the same session cannot both write: the first end wins.
      const updated = await db.query(
        `UPDATE sessions SET ended_at = $2, exit_code = $3, bytes_in = $4, bytes_out = $5, error = $6,
           outcome = $7
         WHERE id = $1 AND ended_at IS NULL AND started_at <= $2`,
        [id, end.endedAt, end.exitCode, end.bytesIn, end.bytesOut, end.error ?? null, outcome],
      );
      if (updated.rowCount === 1) return;
      const row = await one<{ started_at: Date; ended_at: Date | null }>(
        db,
        'SELECT started_at, ended_at FROM sessions WHERE id = $1',
        [id],
      );
      if (row === undefined) throw notFound(id);
      if (row.ended_at !== null) return; // ended already: the first end wins
      throw new AuditStoreError(
        'invalid',
        `invalid audit session end: endedAt ${end.endedAt.toISOString()} is before the session started`,
      );
    });
  }

  async addCommand(id: SessionId, command: CommandRecord): Promise<void> {
    validateCommand(command);
    await this.run('record a command', async (db) => {
      // Numbered after the session's last command; a concurrent insert taking the same number is retried.
      for (let attempt = 1; ; attempt++) {
        try {
          const result = await db.query(
            `INSERT INTO session_commands (session_seq, seq, at_ms, line, flags)
             SELECT s.seq, COALESCE((SELECT MAX(c.seq) FROM session_commands c WHERE c.session_seq = s.seq), 0) + 1,
                    $2, $3, $4
             FROM sessions s WHERE s.id = $1`,
            [id, Math.round(command.at), command.line, JSON.stringify(command.flags)],
          );
          if (result.rowCount === 0) throw notFound(id);
          return;
        } catch (err) {
          if (attempt >= 5 || (err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
        }
      }
    });
  }

  async createRecording(id: SessionId): Promise<RecordingSink> {
    const sessionSeq = await this.run('create the recording', (db) =>
      transaction(db, async () => {
        const row = await one<{ seq: number; recording_path: string | null }>(
          db,
          'SELECT seq, recording_path FROM sessions WHERE id = $1 FOR UPDATE',
          [id],
        );
        if (row === undefined) throw notFound(id);
        if (row.recording_path !== null) throw hasRecording(id);
        await db.query('INSERT INTO recordings (session_seq) VALUES ($1)', [row.seq]);
        await db.query('UPDATE sessions SET recording_path = $2 WHERE seq = $1', [
          row.seq,
          `postgresql:recording_chunks/${id}`,
        ]);
        return row.seq;
      }),
    );
    return new PostgresRecordingSink((what, work) => this.run(what, work), sessionSeq);
  }

  async readRecording(id: SessionId): Promise<Readable | undefined> {
    const row = await this.run('read a session', (db) =>
      one<{ seq: number; recording_path: string | null; has_recording: boolean }>(
        db,
        `SELECT s.seq, s.recording_path, r.session_seq IS NOT NULL AS has_recording
         FROM sessions s LEFT JOIN recordings r ON r.session_seq = s.seq WHERE s.id = $1`,
        [id],
      ),
    );
    if (row === undefined) throw notFound(id);
    if (row.recording_path === null) return undefined;
    if (!row.has_recording) {
      throw new AuditStoreError('not-found', `the recording of audit session ${id} is missing`);
    }
    return Readable.from(this.chunks(row.seq), { objectMode: false });
  }

  /** The chunks in order, a batch per query, so a long recording streams without being held in memory. */
  private async *chunks(sessionSeq: number): AsyncGenerator<Buffer> {
    let after = 0;
    for (;;) {
      const { rows } = await this.run('read the recording', (db) =>
        db.query<{ seq: number; data: Buffer }>(
          `SELECT seq, data FROM recording_chunks WHERE session_seq = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
          [sessionSeq, after, REPLAY_BATCH],
        ),
      );
      for (const row of rows) yield row.data;
      const last = rows.at(-1);
      if (last === undefined || rows.length < REPLAY_BATCH) return;
      after = last.seq;
    }
  }

  async markRecordingTruncated(id: SessionId, at: Date): Promise<void> {
    if (!(at instanceof Date) || Number.isNaN(at.getTime())) {
      throw new AuditStoreError('invalid', 'invalid recording truncation: at is not a date');
    }
    await this.run('record that the recording was cut short', async (db) => {
      const result = await db.query(
        'UPDATE sessions SET recording_truncated_at = COALESCE(recording_truncated_at, $2) WHERE id = $1',
        [id, at],
      );
      if (result.rowCount === 0) throw notFound(id);
    });
  }

  async listSessions(filter: SessionFilter = {}): Promise<SessionPage> {
    const { sql, params, limit } = sessionListQuery(filter);
    const { rows } = await this.run('list sessions', (db) => db.query<SessionRow>(sql, params));
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      sessions: page.map(toRecord),
      nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last) : null,
    };
  }

  async getSession(id: SessionId): Promise<SessionWithCommands | undefined> {
    return this.run('read a session', async (db) => {
      const row = await one<SessionRow>(db, 'SELECT * FROM sessions WHERE id = $1', [id]);
      if (row === undefined) return undefined;
      const commands = await db.query<CommandRow>(
        'SELECT at_ms, line, flags FROM session_commands WHERE session_seq = $1 ORDER BY at_ms, seq',
        [row.seq],
      );
      return {
        ...toRecord(row),
        commands: commands.rows.map((c) => ({ line: c.line, at: c.at_ms, flags: c.flags })),
      };
    });
  }

  async deleteEndedSessionsStartedBefore(cutoff: Date): Promise<number> {
    validateCutoff(cutoff);
    let deleted = 0;
    for (;;) {
      // Commands, recordings and their chunks go with their session (ON DELETE CASCADE).
      const result = await this.run('delete sessions past retention', (db) =>
        db.query(
          `DELETE FROM sessions WHERE seq IN (
             SELECT seq FROM sessions WHERE started_at < $1 AND ended_at IS NOT NULL
             ORDER BY started_at LIMIT $2)`,
          [cutoff, RETENTION_BATCH],
        ),
      );
      const count = result.rowCount ?? 0;
      deleted += count;
      if (count < RETENTION_BATCH) return deleted;
    }
  }

  async heartbeat(replica: ReplicaId): Promise<void> {
    validateReplicaId(replica);
    await this.run('record the heartbeat', (db) =>
      db.query(
        `INSERT INTO replicas (id, started_at, heartbeat_at) VALUES ($1, now(), now())
         ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()`,
        [replica],
      ),
    );
  }

  // Login sessions (src/server/auth/login-session-store.ts): shared by every replica.

  async createLoginSession(row: LoginSessionRow): Promise<void> {
    validateLoginSessionRow(row);
    await this.run('record the login session', (db) =>
      db.query(
        `INSERT INTO login_sessions (id_hash, subject, username, email, uid, groups, extra, cluster,
           credential_kind, sealed_credential, client_address, created_at, last_seen_at, idle_expires_at,
           expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
        [
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
          row.createdAt,
          row.lastSeenAt,
          row.idleExpiresAt,
          row.expiresAt,
        ],
      ),
    );
  }

  async sessionsOfSilentReplicas(silentForMs: number, limit?: number): Promise<SessionRecord[]> {
    const n = validateSilentQuery(silentForMs, limit);
    const { rows } = await this.run('list the sessions of silent replicas', (db) =>
      db.query<SessionRow>(
        `SELECT s.* FROM sessions s LEFT JOIN replicas r ON r.id = s.replica
         WHERE s.ended_at IS NULL AND s.replica IS NOT NULL
           AND COALESCE(r.heartbeat_at, s.started_at) < now() - make_interval(secs => $1::double precision / 1000)
         ORDER BY s.started_at, s.seq LIMIT $2`,
        [silentForMs, n],
      ),
    );
    return rows.map(toRecord);
  }

  async openSessions(query: OpenSessionsQuery): Promise<SessionRecord[]> {
    const n = validateOpenSessionsQuery(query);
    const { rows } = await this.run('list open sessions', (db) =>
      db.query<SessionRow>(
        `SELECT * FROM sessions
         WHERE ended_at IS NULL AND kind = ANY($1::text[]) AND cluster = $2 AND started_at < $3
         ORDER BY started_at, seq LIMIT $4`,
        [[...query.kinds], query.cluster, query.startedBefore, n],
      ),
    );
    return rows.map(toRecord);
  }

  async getLoginSession(idHash: string): Promise<LoginSessionRow | undefined> {
    validateIdHash(idHash);
    const { rows } = await this.run('read the login session', (db) =>
      db.query<LoginSessionDbRow>('SELECT * FROM login_sessions WHERE id_hash = $1', [idHash]),
    );
    return rows[0] === undefined ? undefined : toLoginSession(rows[0]);
  }

  async touchLoginSession(idHash: string, seenAt: Date, idleExpiresAt: Date): Promise<boolean> {
    validateIdHash(idHash);
    const result = await this.run('record the use of the login session', (db) =>
      db.query(
        `UPDATE login_sessions SET last_seen_at = $2, idle_expires_at = LEAST($3, expires_at)
         WHERE id_hash = $1 AND idle_expires_at > $2 AND expires_at > $2`,
        [idHash, seenAt, idleExpiresAt],
      ),
    );
    return (result.rowCount ?? 0) > 0;
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
    // One UPDATE: PostgreSQL re-checks the WHERE on the row it locked, so of concurrent claims exactly
    // one changes it; the others see the lease (or the new credential) and change nothing.
    const result = await this.run('take the refresh lease of the login session', (db) =>
      db.query(
        `UPDATE login_sessions SET refresh_holder = $3, refresh_lease_until = $5
         WHERE id_hash = $1 AND sealed_credential = $2 AND expires_at > $4 AND idle_expires_at > $4
           AND (refresh_lease_until IS NULL OR refresh_lease_until <= $4)`,
        [idHash, expectedCredential, holder, now, leaseUntil],
      ),
    );
    return (result.rowCount ?? 0) > 0;
  }

  async finishLoginSessionRefresh(
    idHash: string,
    holder: string,
    update: LoginSessionRefresh,
  ): Promise<boolean> {
    validateIdHash(idHash);
    validateLoginSessionRefresh(holder, update);
    const result = await this.run('store the refreshed login session', (db) =>
      db.query(
        `UPDATE login_sessions SET sealed_credential = $3, username = $4, email = $5, groups = $6,
           expires_at = LEAST(expires_at, $7), idle_expires_at = LEAST(idle_expires_at, $7),
           refresh_holder = NULL, refresh_lease_until = NULL
         WHERE id_hash = $1 AND refresh_holder = $2`,
        [
          idHash,
          holder,
          update.sealedCredential,
          update.username,
          update.email,
          JSON.stringify(update.groups),
          update.expiresAt,
        ],
      ),
    );
    return (result.rowCount ?? 0) > 0;
  }

  async releaseLoginSessionRefresh(idHash: string, holder: string): Promise<void> {
    validateIdHash(idHash);
    await this.run('free the refresh lease of the login session', (db) =>
      db.query(
        `UPDATE login_sessions SET refresh_holder = NULL, refresh_lease_until = NULL
         WHERE id_hash = $1 AND refresh_holder = $2`,
        [idHash, holder],
      ),
    );
  }

  async deleteLoginSession(idHash: string): Promise<boolean> {
    validateIdHash(idHash);
    const result = await this.run('delete the login session', (db) =>
      db.query('DELETE FROM login_sessions WHERE id_hash = $1', [idHash]),
    );
    return (result.rowCount ?? 0) > 0;
  }

  async deleteExpiredLoginSessions(now: Date, attemptsBefore: Date): Promise<number> {
    return this.run('delete expired login sessions', async (db) => {
      await db.query('DELETE FROM login_attempts WHERE window_start < $1', [attemptsBefore]);
      const result = await db.query(
        'DELETE FROM login_sessions WHERE expires_at <= $1 OR idle_expires_at <= $1',
        [now],
      );
      return result.rowCount ?? 0;
    });
  }

  async countLoginAttempt(clientKey: string, windowStart: Date): Promise<number> {
    validateClientKey(clientKey);
    const { rows } = await this.run('count the login attempt', (db) =>
      db.query<{ count: number }>(
        `INSERT INTO login_attempts (client_key, window_start, count) VALUES ($1, $2, 1)
         ON CONFLICT (client_key, window_start) DO UPDATE SET count = login_attempts.count + 1
         RETURNING count`,
        [clientKey, windowStart],
      ),
    );
    return rows[0]!.count;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /**
   * Runs `work` on a pooled connection, connecting and migrating first if that has not worked yet. Every
   * failure that is not already an AuditStoreError becomes 'unavailable', naming what could not be done.
   */
  private async run<T>(what: string, work: (db: PoolClient) => Promise<T>): Promise<T> {
    if (this.closed) throw new AuditStoreError('unavailable', 'the audit store is closed');
    let db: PoolClient;
    try {
      db = await this.pool.connect();
    } catch (cause) {
      throw new AuditStoreError(
        'unavailable',
        `cannot reach the audit database ${this.where}: ${message(cause)}`,
        { cause },
      );
    }
    let broken: Error | undefined;
    // A checked-out connection's own error event (the server went away mid-query) has no listener in
    // the pool; unheard, it would end the process. The query fails too, and the connection is dropped.
    const onError = (error: Error) => (broken = error);
    db.on('error', onError);
    try {
      if (!this.migrated) {
        try {
          await applyPostgresMigrations(db, this.options.migrations ?? POSTGRES_MIGRATIONS);
        } catch (cause) {
          throw new AuditStoreError(
            'unavailable',
            `cannot open the audit database ${this.where}: ${message(cause)}`,
            { cause },
          );
        }
        this.migrated = true;
      }
      return await work(db);
    } catch (cause) {
      // A connection that failed below SQL (reset, server shut down) is not given back to the pool.
      if (!(cause instanceof pg.DatabaseError) && !(cause instanceof AuditStoreError)) {
        broken = cause as Error;
      }
      if (cause instanceof AuditStoreError) throw cause;
      throw new AuditStoreError('unavailable', `could not ${what} in ${this.where}: ${message(cause)}`, {
        cause,
      });
    } finally {
      db.off('error', onError);
      db.release(broken);
    }
  }
}

/**
 * One recording's appends. Each `write` is a chunk committed without waiting for the disk (see the
 * store); `sync` commits synchronously, which flushes the WAL — every earlier chunk included.
 */
type Run = <T>(what: string, work: (db: PoolClient) => Promise<T>) => Promise<T>;

class PostgresRecordingSink implements RecordingSink {
  private nextChunk = 1;
  private closed = false;

  constructor(
    private readonly run: Run,
    private readonly sessionSeq: number,
  ) {}

  async write(data: Uint8Array): Promise<void> {
    if (this.closed) throw new AuditStoreError('unavailable', 'the recording is closed');
    if (data.length === 0) return;
    const chunk = this.nextChunk;
    await this.run('append to the recording', (db) =>
      transaction(db, async () => {
        await db.query('SET LOCAL synchronous_commit = off');
        await db.query('INSERT INTO recording_chunks (session_seq, seq, data) VALUES ($1, $2, $3)', [
          this.sessionSeq,
          chunk,
          Buffer.from(data.buffer, data.byteOffset, data.byteLength),
        ]);
        await db.query('UPDATE recordings SET bytes = bytes + $2 WHERE session_seq = $1', [
          this.sessionSeq,
          data.length,
        ]);
      }),
    );
    this.nextChunk = chunk + 1;
  }

  async sync(): Promise<void> {
    if (this.closed) throw new AuditStoreError('unavailable', 'the recording is closed');
    await this.run('sync the recording', (db) =>
      db.query('UPDATE recordings SET synced_bytes = bytes WHERE session_seq = $1', [this.sessionSeq]),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

const UNIQUE_VIOLATION = '23505';

async function one<T extends QueryResultRow>(
  db: PoolClient,
  sql: string,
  params: unknown[],
): Promise<T | undefined> {
  const { rows } = await db.query<T>(sql, params);
  return rows[0];
}

async function transaction<T>(db: PoolClient, work: () => Promise<T>): Promise<T> {
  await db.query('BEGIN');
  try {
    const result = await work();
    await db.query('COMMIT');
    return result;
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

function toRecord(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    identity: identityFromColumns(row),
    startedAt: row.started_at,
    cluster: row.cluster,
    namespace: row.namespace,
    pod: row.pod,
    container: row.container,
    kind: row.kind,
    command: row.command,
    policy: row.policy,
    clientAddress: row.client_address,
    details: row.details,
    endedAt: row.ended_at,
    exitCode: row.exit_code,
    bytesIn: row.bytes_in,
    bytesOut: row.bytes_out,
    error: row.error,
    outcome: row.outcome,
    recordingPath: row.recording_path,
    recordingTruncatedAt: row.recording_truncated_at,
    // Absent in a database opened with fewer migrations, as the migration tests do.
    replica: row.replica ?? null,
  };
}

/**
 * The audit page's query: the filter's conditions, newest first, one row more than the page to tell
 * whether another follows. Validates the filter (AuditStoreError 'invalid'). Exported for the test that
 * checks every filter is served by an index.
 */
export function sessionListQuery(filter: SessionFilter): {
  sql: string;
  params: (string | number | Date)[];
  limit: number;
} {
  const limit = validateFilter(filter);
  const where: string[] = [];
  const params: (string | number | Date)[] = [];
  const param = (value: string | number | Date) => {
    params.push(value);
    return `$${params.length}`;
  };
  const equal = (column: string, value: string | undefined) => {
    if (value !== undefined) where.push(`${column} = ${param(value)}`);
  };
  equal('user_name', filter.user);
  equal('user_subject', filter.subject);
  equal('cluster', filter.cluster);
  equal('namespace', filter.namespace);
  equal('pod', filter.pod);
  equal('kind', filter.kind);
  if (filter.from !== undefined) where.push(`started_at >= ${param(filter.from)}`);
  if (filter.to !== undefined) where.push(`started_at < ${param(filter.to)}`);
  if (filter.before !== undefined) {
    const cursor = decodeCursor(filter.before);
    // A row comparison: the page's own order, so the index continues where the last page stopped.
    where.push(`(started_at, seq) < (${param(new Date(cursor.startedAt))}, ${param(cursor.seq)})`);
  }
  const sql = `SELECT * FROM sessions ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
               ORDER BY started_at DESC, seq DESC LIMIT ${param(limit + 1)}`;
  return { sql, params, limit };
}

/** The same cursor as the SQLite store's: the last row's start (ms) and insertion sequence. */
function encodeCursor(row: SessionRow): string {
  return `${row.started_at.getTime()}.${row.seq}`;
}

function decodeCursor(cursor: string): { startedAt: number; seq: number } {
  const match = /^(-?\d+)\.(\d+)$/.exec(cursor);
  const startedAt = Number(match?.[1]);
  const seq = Number(match?.[2]);
  // A Date holds ±8.64e15 ms.
  if (match === null || !(Math.abs(startedAt) <= 8.64e15) || !Number.isSafeInteger(seq)) {
    throw new AuditStoreError('invalid', `invalid audit page cursor "${cursor}"`);
  }
  return { startedAt, seq };
}

function notFound(id: SessionId): AuditStoreError {
  return new AuditStoreError('not-found', `no audit session ${id}`);
}

function hasRecording(id: SessionId): AuditStoreError {
  return new AuditStoreError('invalid', `audit session ${id} has a recording already`);
}

function message(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map((e: unknown) => message(e)).join('; ');
  }
  return error instanceof Error ? error.message || error.constructor.name : String(error);
}
