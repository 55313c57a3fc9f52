// Which labels a pod copy may keep. A copy with the original's labels is adopted by any controller
// whose selector matches them (a DaemonSet deletes it at once; a ReplicaSet deletes its least ready
// pod, which is the crash-looping original). So every controller selector of the namespace is checked
// against the copy's labels, and "keep labels" drops only the labels needed so that none selects it —
// preferring labels no NetworkPolicy depends on, since NetworkPolicies are why users keep labels.
// Pure: the server lists the selectors (copy-facts.ts).

import type { Result } from './debug-container.js';
import {
  describeSelector,
  isEmptySelector,
  requiredKeys,
  selectorFromMap,
  selectorMatches,
  type LabelSelector,
  type Labels,
} from './label-selector.js';

/** Everything that would take over or count a pod its selector matches. */
export type SelectorOwnerKind =
  | 'ReplicaSet'
  | 'ReplicationController'
  | 'DaemonSet'
  | 'StatefulSet'
  | 'Job'
  /** Only Services that publish not-ready addresses: the copy is never Ready, so others ignore it. */
  | 'Service';

export const CONTROLLER_KINDS: readonly SelectorOwnerKind[] = [
  'ReplicaSet',
  'ReplicationController',
  'DaemonSet',
  'StatefulSet',
  'Job',
];

export interface PodSelectorOwner {
  kind: SelectorOwnerKind;
  name: string;
  selector: LabelSelector;
}

export interface NetworkPolicyFacts {
  name: string;
  /** The pods the policy applies to. */
  podSelector: LabelSelector;
  /** Ingress `from` peers in the policy's own namespace (peers without a namespaceSelector). */
  ingressFrom: LabelSelector[];
  /** Egress `to` peers in the policy's own namespace. */
  egressTo: LabelSelector[];
}

export interface LabelFacts {
  /** Controllers and publishNotReadyAddresses Services of the namespace. */
  selectors: PodSelectorOwner[];
  /** Kinds that could not be listed, e.g. `{kind: 'DaemonSet', reason: 'Kubernetes RBAC …'}`. */
  unreadable: { kind: SelectorOwnerKind; reason: string }[];
  /** null when NetworkPolicies could not be listed (then `networkPolicyError` says why). */
  networkPolicies: NetworkPolicyFacts[] | null;
  networkPolicyError?: string;
}

export interface DroppedLabel {
  key: string;
  value: string;
  /** What selects the copy unless this label goes, e.g. `DaemonSet node-agent (app=node-agent)`. */
  selectedBy: string[];
}

export interface CopyLabels {
  /** The copy's labels, Podscope's marks included. */
  labels: Record<string, string>;
  /** Source labels the copy keeps. */
  kept: string[];
  /** Source labels dropped so that nothing adopts the copy (only with keep labels). */
  dropped: DroppedLabel[];
  /** Source labels replaced by Podscope's marks (e.g. app.kubernetes.io/managed-by). */
  replaced: string[];
  /** What follows for NetworkPolicies and Services, in sentences. */
  notes: string[];
}

/**
 * Labels dropped first when several would do: they only tie a pod to its controller, and nothing
 * else (a NetworkPolicy, a Service) selects by them.
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

/** A listed object: only what the selectors are read from. */
export interface ListedObject {
  metadata?: { name?: string };
  spec?: Record<string, unknown>;
}

/**
 * The selectors of listed objects of one kind. Services count only when they publish not-ready
 * addresses (the copy is never Ready, so other Services ignore it) and have a selector at all.
 */
export function selectorOwners(kind: SelectorOwnerKind, items: readonly ListedObject[]): PodSelectorOwner[] {
  const owners: PodSelectorOwner[] = [];
  for (const o of items) {
    const spec = o.spec ?? {};
    let selector: LabelSelector | null;
    if (kind === 'ReplicationController') {
      selector = selectorFromMap(spec['selector'] as Record<string, string> | undefined);
    } else if (kind === 'Service') {
      const map = spec['selector'] as Record<string, string> | undefined;
      selector = spec['publishNotReadyAddresses'] === true && map ? selectorFromMap(map) : null;
      if (selector && isEmptySelector(selector)) selector = null;
    } else {
      selector = (spec['selector'] as LabelSelector | undefined) ?? null;
    }
    if (selector) owners.push({ kind, name: o.metadata?.name ?? '', selector });
  }
  return owners;
}

type Peer = { podSelector?: LabelSelector; namespaceSelector?: unknown };

/** A NetworkPolicy object as listed, for the plan: whom it applies to and which local peers it names. */
export interface NetworkPolicyObject {
  metadata?: { name?: string };
  spec?: {
    podSelector?: LabelSelector;
    ingress?: { from?: Peer[] }[];
    egress?: { to?: Peer[] }[];
  };
}

/** Peers that name pods of the policy's own namespace (with a namespaceSelector they are elsewhere). */
const localPeers = (peers: Peer[] | undefined): LabelSelector[] =>
  (peers ?? []).filter((p) => p.podSelector && p.namespaceSelector === undefined).map((p) => p.podSelector!);

export function networkPolicyFacts(np: NetworkPolicyObject): NetworkPolicyFacts {
  return {
    name: np.metadata?.name ?? '',
    podSelector: np.spec?.podSelector ?? {},
    ingressFrom: (np.spec?.ingress ?? []).flatMap((r) => localPeers(r.from)),
    egressTo: (np.spec?.egress ?? []).flatMap((r) => localPeers(r.to)),
  };
}

function ownerText(o: PodSelectorOwner): string {
  return `${o.kind} ${o.name} (${describeSelector(o.selector)})`;
}

function whatItWouldDo(o: PodSelectorOwner): string {
  return o.kind === 'Service'
    ? 'would send it traffic (it publishes not-ready addresses)'
    : 'would adopt it, and delete a pod to get back to its count';
}

export function planCopyLabels(
  sourceLabels: Labels,
  keepLabels: boolean,
  marks: Labels,
  facts: LabelFacts,
): Result<CopyLabels> {
  const kept: Record<string, string> = {};
  const replaced: string[] = [];
  if (keepLabels) {
    for (const [k, v] of Object.entries(sourceLabels)) {
      if (Object.prototype.hasOwnProperty.call(marks, k)) {
        if (marks[k] !== v) replaced.push(k);
      } else kept[k] = v;
    }
    const missing = facts.unreadable.filter((u) => CONTROLLER_KINDS.includes(u.kind));
    if (missing.length > 0) {
      return {
        ok: false,
        error: `Keep labels needs to check that no controller would adopt the copy, but Podscope cannot list ${missing.map((m) => pluralKind(m.kind)).join(', ')}: ${missing[0]!.reason} Create the copy without keeping labels.`,
      };
    }
  }
  const candidate = { ...kept, ...marks };
  const matching = facts.selectors.filter((o) => selectorMatches(o.selector, candidate));
  const needs = matching.map((o) => ({
    owner: o,
    keys: requiredKeys(o.selector).filter((k) => Object.prototype.hasOwnProperty.call(kept, k)),
  }));
  const stuck = needs.find((n) => n.keys.length === 0);
  if (stuck) {
    return {
      ok: false,
      error: `${ownerText(stuck.owner)} selects the copy whatever labels it keeps, so it ${whatItWouldDo(stuck.owner)}. Podscope does not create a copy that would disturb the workload.`,
    };
  }

  const original = { ...sourceLabels };
  const policies = facts.networkPolicies ?? [];
  // Keys a NetworkPolicy selects the original by: dropping one changes what the copy may connect to.
  const policyKeys = new Set<string>();
  for (const np of policies) {
    for (const sel of [np.podSelector, ...np.ingressFrom, ...np.egressTo]) {
      if (selectorMatches(sel, original)) for (const k of requiredKeys(sel)) policyKeys.add(k);
    }
  }
  const drop = cheapestHittingSet(
    needs.map((n) => n.keys),
    (k) => (policyKeys.has(k) ? 100 : CONTROLLER_LABELS.includes(k) ? 1 : 2),
  );
  const dropped: DroppedLabel[] = [...drop].sort().map((key) => ({
    key,
    value: kept[key]!,
    selectedBy: needs.filter((n) => n.keys.includes(key)).map((n) => ownerText(n.owner)),
  }));
  for (const k of drop) delete kept[k];
  const labels = { ...kept, ...marks };
  const still = facts.selectors.find((o) => selectorMatches(o.selector, labels));
  if (still) {
    // Cannot happen (every selector lost a required label); kept as a guard against a wrong plan.
    return { ok: false, error: `${ownerText(still)} would still select the copy.` };
  }
  return {
    ok: true,
    value: {
      labels,
      kept: Object.keys(kept).sort(),
      dropped,
      replaced: replaced.sort(),
      notes: policyNotes(facts, original, labels, keepLabels),
    },
  };
}

function policyNotes(facts: LabelFacts, original: Labels, copy: Labels, keepLabels: boolean): string[] {
  const notes: string[] = [];
  const lost = Object.keys(original).filter((k) => copy[k] !== original[k]);
  if (facts.networkPolicies === null) {
    if (lost.length > 0) {
      notes.push(
        `Podscope could not list NetworkPolicies (${facts.networkPolicyError ?? 'unknown reason'}); any that select pods by ${lost.join(', ')} treat the copy differently from the original.`,
      );
    }
  } else {
    let differs = false;
    for (const np of facts.networkPolicies) {
      const lostBy = (sel: LabelSelector) => selectorMatches(sel, original) && !selectorMatches(sel, copy);
      if (lostBy(np.podSelector)) {
        differs = true;
        notes.push(
          `NetworkPolicy ${np.name} applies to the original (${describeSelector(np.podSelector)}) but not to the copy: its rules do not limit the copy's connections.`,
        );
      }
      const from = np.ingressFrom.find(lostBy);
      if (from) {
        differs = true;
        notes.push(
          `NetworkPolicy ${np.name} lets pods matching ${describeSelector(from)} in; the copy does not match, so its connections to the pods that policy protects are refused.`,
        );
      }
      const to = np.egressTo.find(lostBy);
      if (to) {
        differs = true;
        notes.push(
          `NetworkPolicy ${np.name} lets its pods connect to pods matching ${describeSelector(to)}; the copy does not match, so they cannot connect to it.`,
        );
      }
    }
    if (differs && !keepLabels) {
      notes.push('Turn on Keep labels so that NetworkPolicies select the copy as they select the original.');
    }
    if (!differs && keepLabels && lost.length > 0) {
      notes.push(
        `No NetworkPolicy of this namespace selects pods by ${lost.join(', ')}; policies in other namespaces were not checked and may no longer match the copy.`,
      );
    }
  }
  const services = facts.unreadable.find((u) => u.kind === 'Service');
  if (services && keepLabels) {
    notes.push(
      `Podscope could not list Services (${services.reason}); the copy is never Ready, so only a Service that publishes not-ready addresses would send it traffic.`,
    );
  }
  return notes;
}

/**
 * The cheapest set of keys that contains at least one key of every group (branch and bound; groups
 * are the matching selectors, a handful per namespace). Ties go to fewer keys, then to the first found
 * in (cost, name) order, so the answer is stable.
 */
export function cheapestHittingSet(groups: readonly string[][], cost: (key: string) => number): Set<string> {
  const order = (keys: string[]) =>
    [...keys].sort((a, b) => cost(a) - cost(b) || (a < b ? -1 : a > b ? 1 : 0));
  const sorted = groups.map(order);
  let best: { keys: string[]; cost: number } | null = null;
  let budget = 200_000;
  const walk = (chosen: string[], spent: number): void => {
    if (budget-- <= 0) return;
    if (best && (spent > best.cost || (spent === best.cost && chosen.length >= best.keys.length))) return;
    const open = sorted.find((g) => !g.some((k) => chosen.includes(k)));
    if (!open) {
      best = { keys: [...chosen], cost: spent };
      return;
    }
    for (const k of open) walk([...chosen, k], spent + cost(k));
  };
  walk([], 0);
  if (best === null) {
    // Out of budget before any answer: take the cheapest key of each group still open.
    const chosen: string[] = [];
    for (const g of sorted) if (!g.some((k) => chosen.includes(k)) && g[0] !== undefined) chosen.push(g[0]);
    return new Set(chosen);
  }
  return new Set((best as { keys: string[] }).keys);
}

function pluralKind(kind: SelectorOwnerKind): string {
  return kind.endsWith('s') ? `${kind}es` : `${kind}s`;
}
