// What the diagnosis rules read and what they conclude. Pure types, shared by the server (which gathers the
// inputs), the web app (which shows the findings) and the CLI (which prints them).

import type { EventView, LogLine } from '../api.js';

/** Where a piece of input came from, so a finding can say which evidence it could not read. */
export type EvidenceSource = 'events' | 'logs' | 'owners' | 'claims' | 'rollout';

/** Evidence Podscope tried to read and could not (RBAC, a gone container, an unreachable server…). */
export interface EvidenceGap {
  source: EvidenceSource;
  /** For logs: which container and instance. */
  container?: string;
  previous?: boolean;
  /** Why, in words: "Kubernetes RBAC does not allow this: … cannot list resource \"events\" …". */
  reason: string;
}

/** Log lines of one container instance (the last 100 or so), with kubelet's timestamps. */
export interface LogExcerpt {
  container: string;
  /** true: the instance before the current one (`kubectl logs --previous`). */
  previous: boolean;
  lines: readonly LogLine[];
}

/** An object in the pod's owner chain (ReplicaSet, Deployment, Job, StatefulSet…), as raw JSON. */
export interface OwnerObject {
  kind: string;
  name: string;
  object: unknown;
}

/** Everything the rules look at. Only `pod` and `now` are required; the rest makes findings exact. */
export interface DiagnosisInput {
  /** The core/v1 Pod as the API server returned it. */
  pod: unknown;
  /** The pod's events (and its containers'), as `toEventView` makes them. */
  events?: readonly EventView[];
  /** Nearest owner first: ReplicaSet, then its Deployment; or the Job. */
  owners?: readonly OwnerObject[];
  /** The PersistentVolumeClaims the pod mounts (raw JSON), to name the unbound ones. */
  claims?: readonly unknown[];
  /** Pods of the Deployment's newest ReplicaSet (raw JSON), for a stuck rollout. */
  rolloutPods?: readonly unknown[];
  /** Excerpts of current and previous container output (see `logPlan`). */
  logs?: readonly LogExcerpt[];
  /** Inputs that could not be read, and why. */
  gaps?: readonly EvidenceGap[];
  /** The clock: "restarted in the last hour", "terminating for too long" are measured against it. */
  now: Date;
}

export type Severity = 'error' | 'warning' | 'info';

/** Which kind of container a finding is about. `sidecar`: an init container with restartPolicy Always. */
export type ContainerRole = 'init' | 'sidecar' | 'app';

/** One fact a finding rests on; the UI links each to where it is shown. */
export type Evidence =
  | {
      kind: 'field';
      /** What it is, in words: "exit code of the last instance". */
      label: string;
      /** Where it is in the pod (or owner) object: `status.containerStatuses[name="app"].lastState.terminated.exitCode`. */
      path: string;
      value: string;
      /** When the fact became true, if the object says (finishedAt, lastTransitionTime…). */
      time: string | null;
      /** The object the path is in when it is not the pod: `Deployment/checkout`, `PersistentVolumeClaim/uploads`. */
      object: string | null;
      container: string | null;
    }
  | {
      kind: 'event';
      label: string;
      type: string;
      reason: string;
      message: string;
      count: number;
      firstSeen: string | null;
      lastSeen: string | null;
      /** `Pod/crashloop`, with the container's field path when the event is about one. */
      object: string;
      fieldPath: string | null;
    }
  | {
      kind: 'log';
      label: string;
      container: string;
      previous: boolean;
      text: string;
      /** kubelet's timestamp of the line. */
      time: string | null;
    };

/** An action the UI can perform (and the CLI can name). */
export type NextStep =
  | {
      action: 'logs';
      label: string;
      container: string;
      previous: boolean;
      /** Search for this text in the view, so the line the finding quotes is highlighted. */
      search: string | null;
    }
  | { action: 'events'; label: string }
  | { action: 'containers'; label: string; container: string | null }
  | { action: 'debug-copy'; label: string; container: string }
  | { action: 'debug-container'; label: string; container: string }
  | { action: 'terminal'; label: string; container: string }
  | { action: 'pod'; label: string; pod: string };

/** Stable identifiers of what Podscope recognises. Scripts may rely on them. */
export const FINDING_IDS = [
  'crash-loop',
  'crash-loop.exits-zero',
  'container-failed',
  'init-crash-loop',
  'init-failed',
  'oom-killed',
  'killed-by-liveness-probe',
  'killed-by-startup-probe',
  'evicted',
  'readiness-failing',
  'start-error.command-not-found',
  'start-error.permission-denied',
  'start-error.exec-format',
  'start-error',
  'image-pull.not-found',
  'image-pull.tag-not-found',
  'image-pull.unauthorized',
  'image-pull.denied',
  'image-pull.registry-unreachable',
  'image-pull.invalid-name',
  'image-pull.not-present',
  'image-pull.failed',
  'config.missing-configmap',
  'config.missing-secret',
  'config.missing-key',
  'config.run-as-non-root',
  'config.error',
  'unschedulable',
  'scheduling-gated',
  'volume-mount-failed',
  'sandbox-failed',
  'job-failed',
  'rollout-stuck',
  'terminating-stuck',
  'admission-rejected',
  'deadline-exceeded',
  'recent-restarts',
  'earlier-restarts',
  'unknown',
] as const;
export type FindingId = (typeof FINDING_IDS)[number];

export interface Finding {
  id: FindingId;
  severity: Severity;
  /** The container it is about, if one. */
  container: { name: string; role: ContainerRole } | null;
  /** One plain sentence: what is wrong. */
  summary: string;
  /** What to change, when Podscope can tell: "Add the key … to Secret …". */
  hint: string | null;
  evidence: Evidence[];
  nextSteps: NextStep[];
  /** Evidence this finding would have used but could not read, in sentences. */
  gaps: string[];
  /**
   * The cause in a few words, shared by pods with the same problem so a namespace view can group them:
   * "cannot pull podscope.local/x:1 — registry unreachable".
   */
  cause: string;
}

export interface PodDiagnosis {
  namespace: string;
  pod: string;
  /** STATUS as `kubectl get pods` prints it. */
  status: string;
  /** No finding of severity error or warning. */
  healthy: boolean;
  /** The first thing to read: the most important finding's sentence, or why the pod looks fine. */
  headline: string;
  /** Most important first. */
  findings: Finding[];
  /** Every input that could not be read. */
  gaps: EvidenceGap[];
  diagnosedAt: string;
}

/** Problem pods of a namespace that share a cause. */
export interface CauseGroup {
  id: FindingId;
  severity: Severity;
  cause: string;
  /** "3 pods cannot pull reg/x:1.2 — tag not found". */
  sentence: string;
  pods: string[];
}

export interface NamespaceDiagnosis {
  namespace: string;
  /** Pods looked at. */
  pods: number;
  /** Pods with an error or warning finding. */
  problemPods: number;
  groups: CauseGroup[];
  diagnoses: PodDiagnosis[];
  gaps: EvidenceGap[];
  diagnosedAt: string;
}
