/** The audit REST API's response shapes (src/server/audit/routes.ts), shared by server and web app. */
import type { CommandFlag } from '../exec/command-line.js';

export type { CommandFlag };

export const SESSION_KINDS = [
  'exec',
  'debug',
  'copy',
  'node-debug',
  'file-list',
  'file-download',
  'file-upload',
] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

export interface AuditSessionView {
  id: string;
  user: string;
  groups: string[];
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  cluster: string;
  namespace: string;
  pod: string;
  container: string | null;
  kind: SessionKind;
  command: string[];
  policy: string;
  clientAddress: string | null;
  details: Record<string, unknown>;
  exitCode: number | null;
  bytesIn: number | null;
  bytesOut: number | null;
  error: string | null;
  /** What the action produced, known at its end (e.g. size and sha256 of a transferred file). */
  outcome: Record<string, unknown> | null;
  /** Relative URL of the .cast file, or null when the session has no recording. */
  recordingUrl: string | null;
  /** When the recording stopped at its size cap (RFC 3339); null when it is complete. */
  recordingTruncatedAt: string | null;
  /**
   * The Podscope process (replica) that ran the session; null for pod copies and node pods (they outlive
   * any one process) and for sessions recorded before replicas were.
   */
  replica: string | null;
}

export interface AuditCommandView {
  line: string;
  /** Milliseconds since the session started. */
  at: number;
  /** Wall-clock time (RFC 3339). */
  time: string;
  flags: CommandFlag[];
}

export interface AuditSessionPage {
  sessions: AuditSessionView[];
  nextCursor: string | null;
}

export type AuditSessionDetail = AuditSessionView & { commands: AuditCommandView[] };
