// The HTTP/WebSocket contract between the Podscope server and its web app.
// Pure types: no DOM, no Node. Both sides import from here so they cannot drift apart.

import type { VersionSupport } from './kube-version/version-support.js';

/** One kubeconfig context (local mode) or one configured cluster (platform mode). */
export interface ClusterInfo {
  name: string;
  server: string;
  /** The namespace the context names, if any; the UI opens it first. */
  defaultNamespace: string | null;
  current: boolean;
  /** The API server's version and whether Podscope supports it; null until read (or unreachable). */
  version: VersionSupport | null;
}

export interface NamespaceInfo {
  name: string;
  phase: string;
}

export type ContainerKind = 'init' | 'app' | 'ephemeral';

/** A container's state as the UI shows it (derived from status.*ContainerStatuses). */
export interface ContainerView {
  name: string;
  kind: ContainerKind;
  image: string;
  /** 'running' | 'waiting' | 'terminated' | 'unknown' */
  state: 'running' | 'waiting' | 'terminated' | 'unknown';
  /** Waiting/terminated reason (CrashLoopBackOff, OOMKilled, Completed, ImagePullBackOff…). */
  reason: string | null;
  message: string | null;
  exitCode: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  ready: boolean;
  restartCount: number;
  /** The instance before this one, if it terminated (what `--previous` shows). */
  lastTermination: {
    reason: string | null;
    exitCode: number;
    finishedAt: string | null;
    message: string | null;
  } | null;
  /** For ephemeral containers: the app container whose namespaces it joined. */
  targetContainerName: string | null;
}

/** One row of the pod list: the columns of `kubectl get pods -o wide`. */
export interface PodSummary {
  name: string;
  namespace: string;
  uid: string;
  /** The STATUS column as kubectl prints it: Running, CrashLoopBackOff, OOMKilled, Pending, Completed… */
  status: string;
  /** true when status is a failure a user should look at (waiting with an error reason, OOMKilled, Failed…). */
  problem: boolean;
  ready: number;
  total: number;
  restarts: number;
  /** ISO time of the last restart, if any (kubectl shows "(5m ago)"). */
  lastRestartAt: string | null;
  createdAt: string;
  node: string | null;
  podIP: string | null;
  /** The controller that owns it, e.g. { kind: 'ReplicaSet', name: 'web-5d8c…' }. */
  owner: { kind: string; name: string } | null;
  labels: Record<string, string>;
}

export interface PodDetail extends PodSummary {
  phase: string;
  qosClass: string | null;
  conditions: { type: string; status: string; reason: string | null; message: string | null }[];
  containers: ContainerView[];
  serviceAccount: string | null;
}

/** Messages on the pod-list WebSocket (`/api/clusters/:c/namespaces/:ns/pods/watch`). */
export type PodWatchMessage =
  | { type: 'snapshot'; pods: PodSummary[] }
  | { type: 'upsert'; pod: PodSummary }
  | { type: 'delete'; name: string }
  | { type: 'error'; message: string; status: number };

/** Messages on the pod-page WebSocket (`/api/clusters/:c/namespaces/:ns/pods/:pod/watch`). */
export type PodDetailWatchMessage =
  { type: 'pod'; pod: PodDetail } | { type: 'deleted' } | { type: 'error'; message: string; status: number };

/** A log line as streamed to the browser. `ts` is the RFC3339Nano timestamp kubelet recorded. */
export interface LogLine {
  ts: string;
  text: string;
  /** Which pod/container it came from (set on merged workload streams). */
  source?: { pod: string; container: string };
}

/** Messages on a log stream WebSocket. */
export type LogStreamMessage =
  | { type: 'lines'; lines: LogLine[] }
  | {
      type: 'marker';
      /** `source-omitted`: a new source appeared while the merged stream follows its limit of sources. */
      kind: 'exited' | 'restarted' | 'reconnected' | 'source-added' | 'source-ended' | 'source-omitted';
      /** Human sentence, e.g. "container restarted — exit code 1 (Error)". */
      message: string;
      ts: string;
      source?: { pod: string; container: string };
    }
  | { type: 'truncated'; message: string }
  | {
      /**
       * Merged streams: sent when more sources match than the stream follows (`shown < total`), whenever
       * that changes, and once more with `shown === total` when every source is shown again.
       */
      type: 'sources';
      /** e.g. "Showing 50 of 64 sources (pod/container): … Not shown: web-x/app, …". */
      message: string;
      shown: number;
      total: number;
      limit: number;
      /** Sources not shown (the first 100; `omittedMore` counts the rest). */
      omitted: { pod: string; container: string }[];
      omittedMore: number;
    }
  | { type: 'end'; message: string }
  | { type: 'error'; message: string; status: number };

/** Query parameters accepted by the log endpoints (same meaning as `kubectl logs`). */
export interface LogQuery {
  container?: string;
  tailLines?: number;
  sinceSeconds?: number;
  previous?: boolean;
  timestamps?: boolean;
  follow?: boolean;
}

export interface EventView {
  uid: string;
  type: 'Normal' | 'Warning' | string;
  reason: string;
  message: string;
  count: number;
  firstSeen: string | null;
  lastSeen: string | null;
  source: string;
  involvedObject: { kind: string; name: string; namespace: string | null; fieldPath: string | null };
}

export type EventWatchMessage =
  | { type: 'snapshot'; events: EventView[] }
  | { type: 'upsert'; event: EventView }
  | { type: 'delete'; uid: string }
  | { type: 'error'; message: string; status: number };

/** Every error response body has this shape. */
export interface ApiError {
  error: string;
  status: number;
  /** For the app to act on (not to show): e.g. `login-required` sends it to the sign-in page. */
  code?: ApiErrorCode;
}

export type ApiErrorCode = 'login-required' | 'bad-token' | 'rate-limited';

/**
 * The close code of a WebSocket whose login session ended (signed out here or on another replica, timed
 * out, its token no longer accepted): an application code (4000–4999, RFC 6455 §7.4.2) echoing HTTP 401.
 * The app answers it with the sign-in page and does not reconnect.
 */
export const SIGNED_OUT_CLOSE_CODE = 4401;

/** How people get in: the per-start (or shared) access token, or signing in with a Kubernetes token. */
/** `oidc`: single sign-on with an OpenID provider (the sign-in page sends people to it). */
export type AuthMode = 'access-token' | 'token-login' | 'oidc';

/** GET /api/auth/session */
export interface AuthSessionView {
  mode: AuthMode;
  /** token-login and oidc: the signed-in person, or null (the app shows the sign-in page). */
  user: SignedInUser | null;
  /** oidc: the provider's name for the sign-in button ("Sign in with …"). */
  provider?: string;
  /**
   * POST /api/auth/logout in oidc mode: the provider's logout page, to end the sign-in there too (when
   * the provider has one).
   */
  logoutUrl?: string;
}

export interface SignedInUser {
  /**
   * As Kubernetes names them: from a SelfSubjectReview (token login), e.g.
   * system:serviceaccount:team-a:alice, or the provider's username claim (oidc), e.g. an email address.
   */
  username: string;
  /** oidc: the email address the provider asserts; null otherwise. */
  email: string | null;
  uid: string | null;
  groups: string[];
  /** The cluster the token is for; Podscope sends it nowhere else. */
  cluster: string;
  /** When the session ends at the latest (sign-in time + the absolute timeout, or the token's expiry). */
  expiresAt: string;
}
