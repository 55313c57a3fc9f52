// The parts of core/v1 objects the debug transforms read or write. Structural and JSON-only (no client
// library types here: this folder runs in the browser too); unknown fields pass through untouched.

export interface Capabilities {
  add?: string[];
  drop?: string[];
}

export interface SecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: Capabilities;
  seccompProfile?: { type: string; localhostProfile?: string };
  [field: string]: unknown;
}

export interface ContainerPort {
  containerPort: number;
  hostPort?: number;
  hostIP?: string;
  protocol?: string;
  name?: string;
  [field: string]: unknown;
}

export interface ContainerSpec {
  name: string;
  image?: string;
  imagePullPolicy?: string;
  command?: string[];
  args?: string[];
  stdin?: boolean;
  tty?: boolean;
  securityContext?: SecurityContext;
  livenessProbe?: unknown;
  readinessProbe?: unknown;
  startupProbe?: unknown;
  lifecycle?: unknown;
  volumeMounts?: { name: string; mountPath: string; [field: string]: unknown }[];
  volumeDevices?: { name: string; devicePath: string; [field: string]: unknown }[];
  ports?: ContainerPort[];
  /** Init containers only: `Always` makes it a sidecar that keeps running beside the app containers. */
  restartPolicy?: string;
  env?: { name: string; value?: string; [field: string]: unknown }[];
  [field: string]: unknown;
}

export interface EphemeralContainerSpec extends ContainerSpec {
  targetContainerName?: string;
}

export interface PodSpec {
  containers: ContainerSpec[];
  initContainers?: ContainerSpec[];
  ephemeralContainers?: EphemeralContainerSpec[];
  nodeName?: string;
  shareProcessNamespace?: boolean;
  hostPID?: boolean;
  hostNetwork?: boolean;
  hostIPC?: boolean;
  restartPolicy?: string;
  securityContext?: SecurityContext;
  volumes?: Volume[];
  tolerations?: Record<string, unknown>[];
  affinity?: Affinity;
  readinessGates?: { conditionType: string }[];
  activeDeadlineSeconds?: number;
  [field: string]: unknown;
}

export interface Volume {
  name: string;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  emptyDir?: unknown;
  projected?: unknown;
  configMap?: unknown;
  secret?: unknown;
  downwardAPI?: unknown;
  ephemeral?: unknown;
  hostPath?: { path: string; type?: string };
  [field: string]: unknown;
}

export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface Affinity {
  nodeAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] };
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

export interface ContainerState {
  running?: { startedAt?: string };
  waiting?: { reason?: string; message?: string };
  terminated?: { reason?: string; message?: string; exitCode?: number; finishedAt?: string };
}

export interface ContainerStatus {
  name: string;
  containerID?: string;
  state?: ContainerState;
  [field: string]: unknown;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  ownerReferences?: { apiVersion?: string; kind: string; name: string; uid?: string; controller?: boolean }[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

export interface Pod {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: PodSpec;
  status?: {
    phase?: string;
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
    ephemeralContainerStatuses?: ContainerStatus[];
    [field: string]: unknown;
  };
}

/** A deep copy of a JSON value (Kubernetes objects are plain JSON). */
export function cloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
