// Which audit store a server uses: PostgreSQL when a database URL is given (platform mode: every replica
// shares records and recordings), else SQLite with recording files in the data directory (local mode).
import path from 'node:path';
import type { AuditStore } from './audit-store.js';
import { RECORDINGS_DIR } from './data-dir.js';
import { PostgresAuditStore } from './postgres-audit-store.js';
import { SqliteAuditStore } from './sqlite-audit-store.js';

export interface AuditStoreChoice {
  /** `--database-url` / PODSCOPE_DATABASE_URL / config `database.url`, checked; null: SQLite. */
  databaseUrl: string | null;
  dataDir: string;
  log: { warn(obj: unknown, msg?: string): void };
}

export function openAuditStore(choice: AuditStoreChoice): AuditStore {
  if (choice.databaseUrl !== null) {
    return new PostgresAuditStore(choice.databaseUrl, {
      onConnectionError: (err) => choice.log.warn({ err }, 'a connection to the audit database was lost'),
    });
  }
  return new SqliteAuditStore(path.join(choice.dataDir, 'audit.db'), {
    recordingsDir: path.join(choice.dataDir, RECORDINGS_DIR),
  });
}

/** For the start-up line: where audit records go, without a password. */
export function describeAuditStore(store: AuditStore): string {
  if (store instanceof PostgresAuditStore) return `PostgreSQL at ${store.where}`;
  if (store instanceof SqliteAuditStore) return `SQLite at ${store.file}`;
  return 'a custom store';
}
