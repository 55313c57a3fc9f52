// The copy of a pod made to debug a container that will not stay up (CrashLoopBackOff, failing probes):
// like `kubectl debug --copy-to`, but with everything that gets such copies killed or mistaken for the
// real thing removed, and marked so it is always cleaned up.

import { chooseUser, type Result } from './debug-container.js';
import { markAnnotations, markLabels, type DebugPodMarks } from './debug-pod-marks.js';
import { applyProfile, type DebugProfile } from './profiles.js';
import { cloneJson, type ContainerSpec, type Pod } from './types.js';

/** Longer than any expiry; the copy is deleted by its session or the reaper long before. */
export const SLEEP_COMMAND = ['sleep', '2147483647'];

/**
 * Labels a controller uses to adopt or identify its pods. Even when the user keeps the labels (for
 * NetworkPolicy selectors), these go: otherwise a ReplicaSet or Job would adopt the copy and delete a pod
 * to get back to its replica count.
 */
export const CONTROLLER_LABELS = [
  'pod-template-hash',
  'controller-revision-hash',
  'controller-uid',
  'batch.kubernetes.io/controller-uid',
  'batch.kubernetes.io/job-name',
  'job-name',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'pod-template-generation',
];

export interface PodCopyOptions {
  name: string;
  container: string;
  /** Keep the source's labels (minus controller labels) so NetworkPolicies still select the copy. */
  keepLabels: boolean;
  /** Run this image instead of the container's own (the tools image when the app image has no sleep). */
  replaceImage?: string;
  /** Schedule on the source's node (same hostPath data, same local volumes). */
  sameNode: boolean;
  profile: DebugProfile;
  marks: DebugPodMarks;
}

/**
 * The pod to create. kubectl's copy keeps probes under the legacy profile and always keeps lifecycle
 * hooks; a preStop/postStart hook or a probe is exactly what kills a copy that only sleeps, so every
 * container loses them here.
 */
export function buildPodCopy(source: Pod, opts: PodCopyOptions): Result<Pod> {
  const srcSpec = source.spec;
  if (!srcSpec) return { ok: false, error: 'The pod has no spec.' };
  const spec = cloneJson(srcSpec);
  const target = spec.containers.find((c) => c.name === opts.container);
  if (!target) {
    return {
      ok: false,
      error: `Pod "${source.metadata?.name ?? ''}" has no app container "${opts.container}"; its containers are: ${spec.containers.map((c) => c.name).join(', ')}.`,
    };
  }
  delete spec.ephemeralContainers;
  delete spec.initContainers;
  if (opts.sameNode) {
    if (!srcSpec.nodeName) {
      return {
        ok: false,
        error: `Pod "${source.metadata?.name ?? ''}" is not on a node yet; cannot copy it to the same node.`,
      };
    }
    spec.nodeName = srcSpec.nodeName;
  } else delete spec.nodeName;
  for (const c of spec.containers) stripLifecycle(c);

  target.command = [...SLEEP_COMMAND];
  delete target.args;
  applyProfile(opts.profile, 'copy', spec, target);
  spec.shareProcessNamespace = true;
  if (opts.replaceImage) {
    target.image = opts.replaceImage;
    target.imagePullPolicy = 'IfNotPresent';
    // The tools image runs as root: a non-root pod needs a user for it, chosen like for debug containers
    // (from the source container's settings: the profile may have cleared the copy's).
    const original = srcSpec.containers.find((c) => c.name === opts.container) ?? target;
    const user = chooseUser(source, original, {
      target: target.name,
      image: opts.replaceImage,
      profile: opts.profile,
    });
    if (!user.ok) return user;
    const { reason: _reason, ...fields } = user.value;
    if (Object.keys(fields).length > 0) target.securityContext = { ...target.securityContext, ...fields };
  }

  const labels: Record<string, string> = {};
  if (opts.keepLabels) {
    for (const [k, v] of Object.entries(source.metadata?.labels ?? {})) {
      if (!CONTROLLER_LABELS.includes(k)) labels[k] = v;
    }
  }
  return {
    ok: true,
    value: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: opts.name,
        namespace: source.metadata?.namespace,
        labels: { ...labels, ...markLabels(opts.marks) },
        annotations: markAnnotations(opts.marks),
      },
      spec,
    },
  };
}

function stripLifecycle(c: ContainerSpec): void {
  delete c.livenessProbe;
  delete c.readinessProbe;
  delete c.startupProbe;
  delete c.lifecycle;
}

/** `<pod>-debug-<suffix>`, shortened to a valid pod name (≤ 63 so it is also a valid hostname). */
export function copyName(source: string, suffix: string): string {
  const tail = `-debug-${suffix}`;
  return `${source.slice(0, 63 - tail.length).replace(/[-.]+$/, '')}${tail}`;
}
