// The HTTP/WebSocket contract of debug containers, pod copies, node debugging and files, shared by the
// server and the web app.

import type { DroppedLabel } from './copy-labels.js';
import type { DebugContainerView } from './debug-container.js';
import type { DebugPodKind } from './debug-pod-marks.js';
import type { DirectoryEntry } from './container-paths.js';
import type { CopyChange, CopyChangeKind } from './pod-copy.js';
import type { DebugProfile } from './profiles.js';

export type {
  CopyChange,
  CopyChangeKind,
  DebugContainerView,
  DirectoryEntry,
  DebugProfile,
  DebugPodKind,
  DroppedLabel,
};

/** `GET /api/clusters/:c/debug/options` — what the forms offer. */
export interface DebugOptions {
  images: string[];
  defaultImage: string;
  profiles: { name: DebugProfile; description: string }[];
  defaultProfile: DebugProfile;
  nodeDebugNamespace: string;
  maxFileBytes: number;
}

/** Body of `POST …/pods/:pod/debug-containers`. */
export interface DebugContainerCreate {
  target: string;
  image?: string;
  profile?: DebugProfile;
  runAsUser?: number;
  runAsGroup?: number;
}

/** Answer of `POST …/pods/:pod/debug-containers` (once the container runs). */
export interface DebugContainerCreated {
  namespace: string;
  pod: string;
  container: string;
  reused: boolean;
  state: 'running';
  /** Why it runs as this user, e.g. "user 1000, the app's user, because the pod requires non-root". */
  user: string;
  auditSession: string | null;
}

/** Body of `POST …/pods/:pod/copies` and of `POST …/pods/:pod/copies/plan`. */
export interface PodCopyCreate {
  /** An app container, or an init container (the copy runs it as its app container). */
  container: string;
  /** Run the init containers that come before the container (default true); sidecars always run. */
  runInitContainers?: boolean;
  keepLabels?: boolean;
  /** Run the debug image instead of the container's own (for images without `sleep`). */
  replaceImage?: boolean;
  image?: string;
  sameNode?: boolean;
  profile?: DebugProfile;
}

/** Body of `POST /api/clusters/:c/nodes/:node/debug`. */
export interface NodeDebugCreate {
  image?: string;
  profile?: DebugProfile;
}

/**
 * What a copy changes from the original: the answer of `POST …/pods/:pod/copies/plan` (before
 * creating), and part of the created copy's answer and audit record.
 */
export interface PodCopyPlanView {
  /** The pod copied. */
  source: string;
  target: { name: string; kind: 'app' | 'init' };
  /** The node it is pinned to (the plan), or where it runs (once created); null: the scheduler's choice. */
  node: string | null;
  changes: CopyChange[];
  warnings: string[];
  droppedLabels: DroppedLabel[];
}

/** Answer for a created pod copy or node debug pod (once its container runs). */
export interface DebugPodCreated {
  kind: DebugPodKind;
  namespace: string;
  pod: string;
  container: string;
  expiresAt: string;
  auditSession: string;
  /** Copies: what the copy changes from the original. */
  plan?: PodCopyPlanView;
}

export interface DebugPodView {
  kind: DebugPodKind;
  namespace: string;
  pod: string;
  owner: string | null;
  source: string | null;
  expiresAt: string | null;
  phase: string | null;
  leased: boolean;
}

/** Messages on `WS …/namespaces/:ns/debug-pods/:pod/lease`. */
export type LeaseMessage =
  | { type: 'leased'; pod: string; expiresAt: string; graceSeconds: number }
  | { type: 'renewed'; expiresAt: string }
  | { type: 'gone'; message: string }
  | { type: 'error'; message: string; status: number };

/** `GET …/pods/:pod/files?container=&path=[&via=]`. */
export interface DirectoryListing {
  path: string;
  container: string;
  via: string | null;
  entries: DirectoryEntry[];
}

/** Answer of `PUT …/pods/:pod/files/upload`. */
export interface UploadResult {
  path: string;
  size: number;
  sha256: string;
  auditSession: string;
}
