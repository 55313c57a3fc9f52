/**
 * The browser ⇄ Podscope terminal contract (see src/server/terminal/routes.ts), shared by server and web
 * app. Pure types and constants.
 */

export const EXEC_POLICIES = ['root-allowed', 'non-root', 'no-exec'] as const;
export type ExecPolicyName = (typeof EXEC_POLICIES)[number];

/** An ordinary user: a uid or a user name from the container's /etc/passwd. */
export type ExecUser = number | string;

export type ExecPolicySource = 'config' | 'namespace-label' | 'default';

/** GET …/pods/:pod/terminal/policy */
export interface ExecPolicyView {
  policy: ExecPolicyName;
  /** Set for non-root only. */
  user?: ExecUser;
  source: ExecPolicySource;
  /** The config rule that applied (its name, or `rule N`); null when a namespace label or the default did. */
  rule: string | null;
  /** A sentence: why this policy applies (which rule, and for a group rule which of the person's groups). */
  reason: string;
}

/** Binary (stdin) frames larger than this make the server close the socket (1009). */
export const MAX_FRAME_BYTES = 64 * 1024;
export const MAX_COMMAND_ARGS = 64;

/** Browser → server, as a text frame. */
export type TerminalClientMessage = { type: 'resize'; cols: number; rows: number };

/** Server → browser, as text frames. Terminal output travels in binary frames. */
export type TerminalServerMessage =
  | {
      type: 'ready';
      sessionId: string;
      policy: ExecPolicyName;
      /** The uid the shell runs as under non-root; null: the image's own user. */
      user: ExecUser | null;
      /** The shell chosen automatically, or null when the user gave a command. */
      shell: string | null;
      /** The argv that runs in the container (including any user switch). */
      command: string[];
      protocol: string;
    }
  | { type: 'exit'; code: number | null; message: string }
  | { type: 'error'; status: number; message: string; fatal: boolean }
  /** Something the user should know while the session goes on; sent once per event. */
  | { type: 'notice'; code: TerminalNoticeCode; message: string };

/** 'recording-stopped': the session recording reached its size cap and stopped; the terminal goes on. */
export type TerminalNoticeCode = 'recording-stopped';

/** Narrows a parsed text frame to a server message, or null when it is not one we know. */
export function asServerMessage(value: unknown): TerminalServerMessage | null {
  if (typeof value !== 'object' || value === null) return null;
  const m = value as Record<string, unknown>;
  switch (m['type']) {
    case 'ready':
      return typeof m['sessionId'] === 'string' && Array.isArray(m['command'])
        ? (m as unknown as TerminalServerMessage)
        : null;
    case 'exit':
      return (typeof m['code'] === 'number' || m['code'] === null) && typeof m['message'] === 'string'
        ? (m as unknown as TerminalServerMessage)
        : null;
    case 'error':
      return typeof m['status'] === 'number' && typeof m['message'] === 'string'
        ? { type: 'error', status: m['status'], message: m['message'], fatal: m['fatal'] !== false }
        : null;
    case 'notice':
      return m['code'] === 'recording-stopped' && typeof m['message'] === 'string'
        ? { type: 'notice', code: m['code'], message: m['message'] }
        : null;
    default:
      return null;
  }
}
