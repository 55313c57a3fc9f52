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
  /** Someone opened (played or downloaded) the recording of another person's session. */
  'audit-view',
] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

/**
 * How Podscope authenticated towards Kubernetes for an action: with the kubeconfig's user (local mode),
 * as its own ServiceAccount (in a pod, nobody signed in), with the person's own token (token login,
 * token pass-through), or by impersonating the person (Podscope's credentials plus Impersonate-*).
 */
export const KUBE_AUTH_METHODS = ['kubeconfig', 'service-account', 'token', 'impersonation'] as const;
export type KubeAuthMethod = (typeof KUBE_AUTH_METHODS)[number];

/** The identity an action used towards Kubernetes: how, and as whom (user and groups RBAC saw). */
export interface KubeIdentity {
  method: KubeAuthMethod;
  /** The kubeconfig user entry, the ServiceAccount, the token's subject or the impersonated user. */
  user: string;
  /** The groups sent (impersonation) or asserted (token); empty where Podscope does not know them. */
  groups: string[];
}

export interface AuditSessionView {
  id: string;
  /** The person: their username (as Kubernetes RBAC names them) and groups. */
  user: string;
  groups: string[];
  /** Single sign-on: the person's stable id at the provider, `<issuer>#<sub>`; null otherwise. */
  subject: string | null;
  email: string | null;
  /** How and as whom Podscope acted towards Kubernetes; null for records from before it was kept. */
  kube: KubeIdentity | null;
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

export type AuditScope = 'all' | 'own';

export interface AuditCommandView {
  line: string;
  /** Milliseconds since the session started. */
  at: number;
  /** Wall-clock time (RFC 3339). */
  time: string;
  flags: CommandFlag[];
}

export interface AuditSessionPage {
  /** `all`: the viewer sees everyone's sessions (an auditor, or local mode); `own`: only their own. */
  scope: AuditScope;
  sessions: AuditSessionView[];
  nextCursor: string | null;
}

export type AuditSessionDetail = AuditSessionView & { commands: AuditCommandView[] };
