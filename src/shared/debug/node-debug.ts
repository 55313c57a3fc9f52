// The pod `kubectl debug node/N` makes: pinned to the node, tolerating every taint, never restarted,
// with the profile's host namespaces and the host's / at /host. Marked like pod copies, so the same
// lease and reaper clean it up.

import { markAnnotations, markLabels, type DebugPodMarks } from './debug-pod-marks.js';
import { applyProfile, type DebugProfile } from './profiles.js';
import type { ContainerSpec, Pod, PodSpec } from './types.js';

export const NODE_DEBUG_CONTAINER = 'debugger';

export interface NodeDebugOptions {
  name: string;
  namespace: string;
  node: string;
  image: string;
  profile: DebugProfile;
  marks: DebugPodMarks;
}

export function buildNodeDebugPod(opts: NodeDebugOptions): Pod {
  const container: ContainerSpec = {
    name: NODE_DEBUG_CONTAINER,
    image: opts.image,
    imagePullPolicy: 'IfNotPresent',
    // A shell waiting on a TTY, as with `kubectl debug node/… -it`; the terminal execs into it.
    stdin: true,
    tty: true,
    terminationMessagePolicy: 'File',
  };
  const spec: PodSpec = {
    nodeName: opts.node,
    restartPolicy: 'Never',
    terminationGracePeriodSeconds: 1,
    tolerations: [{ operator: 'Exists' }],
    containers: [container],
  };
  applyProfile(opts.profile, 'node', spec, container);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: opts.name,
      namespace: opts.namespace,
      labels: markLabels(opts.marks),
      annotations: markAnnotations(opts.marks),
    },
    spec,
  };
}

/** `node-debugger-<node>-<suffix>`, shortened to a valid pod name. */
export function nodeDebugPodName(node: string, suffix: string): string {
  const tail = `-${suffix}`;
  return `${`node-debugger-${node}`.slice(0, 63 - tail.length).replace(/[-.]+$/, '')}${tail}`;
}
