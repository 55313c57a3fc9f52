// The pod-copy fixtures recorded from the real cluster by dump-copy-fixtures.ts: the original of each
// pod shape, the namespace's controllers (as the plan sees them), and copies that failed.
import { readFileSync } from 'node:fs';
import {
  networkPolicyFacts,
  selectorOwners,
  type LabelFacts,
  type ListedObject,
  type NetworkPolicyObject,
  type SelectorOwnerKind,
} from '../../src/shared/debug/copy-labels.js';
import type { CopyEvent } from '../../src/shared/debug/copy-outcome.js';
import type { Pod } from '../../src/shared/debug/types.js';

function read<T>(name: string): T {
  return JSON.parse(
    readFileSync(new URL(`../fixtures/debug/copy-${name}.json`, import.meta.url), 'utf8'),
  ) as T;
}

export type ShapeFixture =
  | 'deployment'
  | 'replicaset'
  | 'replicationcontroller'
  | 'daemonset'
  | 'statefulset'
  | 'job'
  | 'cronjob'
  | 'init-fail'
  | 'sidecar'
  | 'hostport'
  | 'hostnet'
  | 'rwo';

/** The original pod of a shape (a fresh object each call). */
export function shapePod(shape: ShapeFixture): Pod {
  return read<Pod>(`pod-${shape}`);
}

const LISTS: [string, SelectorOwnerKind][] = [
  ['replicasets', 'ReplicaSet'],
  ['replicationcontrollers', 'ReplicationController'],
  ['daemonsets', 'DaemonSet'],
  ['statefulsets', 'StatefulSet'],
  ['jobs', 'Job'],
  ['services', 'Service'],
];

/** What the plan knows about the recorded namespace: its selectors and NetworkPolicies. */
export function shapeNamespaceFacts(): LabelFacts {
  const lists = read<Record<string, unknown[]>>('namespace');
  return {
    selectors: LISTS.flatMap(([list, kind]) => selectorOwners(kind, lists[list] as ListedObject[])),
    unreadable: [],
    networkPolicies: (lists['networkpolicies'] as NetworkPolicyObject[]).map(networkPolicyFacts),
  };
}

export type FailedCopy =
  'hostport-scheduler' | 'hostport-kubelet' | 'image' | 'configmap' | 'init' | 'nosleep' | 'rwop';

export function failedCopy(name: FailedCopy): { pod: Pod; events: CopyEvent[] } {
  return read(`fail-${name}`);
}

export function admissionRefusal(): { status: number; message: string } {
  return read('admission-pss');
}
