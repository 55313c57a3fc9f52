// The copy of a pod made to debug a container that will not stay up (CrashLoopBackOff, a failing init
// container, failing probes): like `kubectl debug --copy-to`, but with everything that gets such
// copies killed, adopted or in the original's way removed, marked so it is always cleaned up — and
// every change said in a sentence, shown before creating and kept in the audit record.
//
// Pure: the server gathers the facts (controller selectors, NetworkPolicies, volume claims; see
// server/debug/copy-facts.ts) and this decides the copy's spec, or refuses with the reason.

import type { DroppedLabel, LabelFacts } from './copy-labels.js';
import { planCopyLabels } from './copy-labels.js';
import { chooseUser } from './debug-container.js';
import { markAnnotations, markLabels, type DebugPodMarks } from './debug-pod-marks.js';
import { applyProfile, PROFILE_DESCRIPTIONS, type DebugProfile } from './profiles.js';
import { cloneJson, type ContainerSpec, type Pod, type PodSpec, type Volume } from './types.js';

/** Longer than any expiry; the copy is deleted by its session or the reaper long before. */
export const SLEEP_COMMAND = ['sleep', '2147483647'];

/**
 * A readiness gate nobody sets: a copy that keeps the original's labels (for NetworkPolicies) is then
 * never Ready, so Services do not send it traffic and PodDisruptionBudgets do not count it as healthy.
 */
export const COPY_READINESS_GATE = 'podscope.io/debug-copy';

export interface PodCopyOptions {
  name: string;
  /** An app container, or an init container (the copy then runs it as its app container). */
  container: string;
  /** Keep the source's labels (minus those a controller would adopt it by) for NetworkPolicies. */
  keepLabels: boolean;
  /** Run this image instead of the container's own (the tools image when the app image has no sleep). */
  replaceImage?: string;
  /** Run on the source's node (same hostPath data, same local volumes). */
  sameNode: boolean;
  /** Run the (run-to-completion) init containers that come before the target. Sidecars always run. */
  runInitContainers: boolean;
  profile: DebugProfile;
  marks: DebugPodMarks;
}

/** What the server knows about a PersistentVolumeClaim the pod mounts. */
export interface ClaimFacts {
  /** null when it could not be read; `error` says why. */
  phase: string | null;
  accessModes: string[];
  /** Nodes the volume is attached to, or where a running pod uses it. */
  nodes: string[];
  /** The claim does not exist. */
  missing?: boolean;
  error?: string;
}

export interface CopyFacts {
  labels: LabelFacts;
  /** By claim name, for every persistentVolumeClaim volume of the pod. */
  claims: Record<string, ClaimFacts>;
}

export type CopyChangeKind =
  | 'command'
  | 'image'
  | 'security'
  | 'containers'
  | 'init-containers'
  | 'labels'
  | 'readiness'
  | 'probes'
  | 'lifecycle'
  | 'ports'
  | 'node'
  | 'volumes';

export interface CopyChange {
  kind: CopyChangeKind;
  text: string;
}

export interface PodCopyPlan {
  pod: Pod;
  target: { name: string; kind: 'app' | 'init' };
  /** The node the copy is pinned to, or null when the scheduler chooses. */
  node: string | null;
  /** What differs from the original, in sentences (the "diff" shown before creating). */
  changes: CopyChange[];
  /** What the user should know: NetworkPolicies that no longer match, ports that will clash… */
  warnings: string[];
  droppedLabels: DroppedLabel[];
}

/** 400: the request names something the pod does not have. 422: this pod cannot be copied so. */
export type PlanResult = { ok: true; value: PodCopyPlan } | { ok: false; status: 400 | 422; error: string };

const isSidecar = (c: ContainerSpec) => c.restartPolicy === 'Always';
const names = (cs: readonly { name: string }[]) => cs.map((c) => c.name).join(', ');

export function planPodCopy(source: Pod, opts: PodCopyOptions, facts: CopyFacts): PlanResult {
  const podName = source.metadata?.name ?? '';
  const srcSpec = source.spec;
  if (!srcSpec) return { ok: false, status: 422, error: 'The pod has no spec.' };
  const spec = cloneJson(srcSpec);
  const changes: CopyChange[] = [];
  const warnings: string[] = [];
  const change = (kind: CopyChangeKind, text: string) => changes.push({ kind, text });

  // Which container, and which of the others run.
  const inits = spec.initContainers ?? [];
  const initIndex = inits.findIndex((c) => c.name === opts.container);
  let target = spec.containers.find((c) => c.name === opts.container);
  if (!target && initIndex < 0) {
    const all = [...spec.containers.map((c) => c.name), ...inits.map((c) => `${c.name} (init)`)];
    return {
      ok: false,
      status: 400,
      error: `Pod "${podName}" has no container "${opts.container}"; its containers are: ${all.join(', ')}.`,
    };
  }
  const before = initIndex < 0 ? inits : inits.slice(0, initIndex);
  const keptInits = before.filter((c) => isSidecar(c) || opts.runInitContainers);
  const skipped = before.filter((c) => !isSidecar(c) && !opts.runInitContainers);
  const ranBefore = keptInits.filter((c) => !isSidecar(c));
  const sidecars = keptInits.filter(isSidecar);
  if (initIndex >= 0) {
    const after = inits.slice(initIndex + 1);
    target = { ...inits[initIndex]! };
    // An app container has no restartPolicy of its own (a sidecar chosen as target becomes one too).
    delete target.restartPolicy;
    change(
      'containers',
      `Init container ${target.name} runs as the copy's app container, with its image, env and mounts; the app containers (${names(spec.containers)}) are left out: they would start only after it.`,
    );
    if (after.length > 0)
      change('init-containers', `Init containers after it are left out: ${names(after)}.`);
    spec.containers = [target];
  } else {
    const others = spec.containers.filter((c) => c !== target);
    if (others.length > 0) change('containers', `Other containers run as in the original: ${names(others)}.`);
  }
  const beforeWord = initIndex >= 0 ? 'before it ' : '';
  if (ranBefore.length > 0) {
    change(
      'init-containers',
      `Init containers ${beforeWord}run first, as in the original: ${names(ranBefore)}.`,
    );
  }
  if (skipped.length > 0)
    change('init-containers', `Init containers ${beforeWord}are skipped: ${names(skipped)}.`);
  if (sidecars.length > 0) change('init-containers', `Sidecars keep running: ${names(sidecars)}.`);
  if (keptInits.length > 0) spec.initContainers = keptInits;
  else delete spec.initContainers;
  delete spec.ephemeralContainers;
  const kept = [...(spec.initContainers ?? []), ...spec.containers];

  // The command: sleep instead of what crashes.
  const original = [...(target!.command ?? []), ...(target!.args ?? [])];
  target!.command = [...SLEEP_COMMAND];
  delete target!.args;
  change(
    'command',
    `${target!.name} runs ${SLEEP_COMMAND.join(' ')} instead of ${original.length > 0 ? shorten(argvText(original), 160) : "its image's command"}.`,
  );

  // What kills or times out a container that only sleeps.
  const probes: string[] = [];
  const hooks: string[] = [];
  for (const c of kept) {
    const removed = (['liveness', 'readiness', 'startup'] as const).filter(
      (p) => c[`${p}Probe`] !== undefined,
    );
    if (removed.length > 0) probes.push(`${c.name} (${removed.join(', ')})`);
    if (c.lifecycle !== undefined) hooks.push(c.name);
    delete c.livenessProbe;
    delete c.readinessProbe;
    delete c.startupProbe;
    delete c.lifecycle;
  }
  if (probes.length > 0) change('probes', `Probes removed: ${probes.join(', ')}.`);
  if (hooks.length > 0)
    change('lifecycle', `Lifecycle hooks (postStart, preStop) removed: ${hooks.join(', ')}.`);
  if (spec.activeDeadlineSeconds !== undefined) {
    change(
      'lifecycle',
      `activeDeadlineSeconds (${spec.activeDeadlineSeconds}) removed: it would end the copy.`,
    );
    delete spec.activeDeadlineSeconds;
  }

  // Security: the profile, and the tools image's user.
  applyProfile(opts.profile, 'copy', spec, target!);
  spec.shareProcessNamespace = true;
  change(
    'security',
    `Profile ${opts.profile} for ${target!.name}: ${PROFILE_DESCRIPTIONS[opts.profile].replace(/ \(node: [^)]*\)/, '')}`,
  );
  if (opts.replaceImage) {
    target!.image = opts.replaceImage;
    target!.imagePullPolicy = 'IfNotPresent';
    // The tools image runs as root: a non-root pod needs a user for it, chosen like for debug containers
    // (from the source container's settings: the profile may have cleared the copy's).
    const src =
      [...srcSpec.containers, ...(srcSpec.initContainers ?? [])].find((c) => c.name === opts.container) ??
      target!;
    const user = chooseUser(source, src, {
      target: target!.name,
      image: opts.replaceImage,
      profile: opts.profile,
    });
    if (!user.ok) return { ok: false, status: 400, error: user.error };
    const { reason, ...fields } = user.value;
    if (Object.keys(fields).length > 0) target!.securityContext = { ...target!.securityContext, ...fields };
    change('image', `${target!.name} runs the image ${opts.replaceImage} (as ${reason}).`);
  }

  // Host resources: the original holds its host ports on its node.
  const ports = hostResources(spec, kept);
  for (const text of ports) change('ports', text);

  // Volumes, and the node the copy must run on.
  const volumes = planVolumes(spec, kept, facts);
  if (!volumes.ok) return volumes;
  for (const text of volumes.changes) change('volumes', text);
  warnings.push(...volumes.warnings);
  const placed = placeCopy(spec, srcSpec, opts, volumes.needsNode);
  if (!placed.ok) return placed;
  change('node', placed.text);
  if (spec.hostNetwork) warnings.push(hostNetworkWarning(srcSpec, placed.node));

  // Labels: nothing may adopt or count the copy.
  const marks = markLabels(opts.marks);
  const labels = planCopyLabels(source.metadata?.labels ?? {}, opts.keepLabels, marks, facts.labels);
  if (!labels.ok) return { ok: false, status: 422, error: labels.error };
  const l = labels.value;
  const sourceLabels = Object.entries(source.metadata?.labels ?? {});
  if (!opts.keepLabels) {
    if (sourceLabels.length > 0) {
      change(
        'labels',
        `Labels removed: ${sourceLabels.map(([k, v]) => `${k}=${v}`).join(', ')} (only Podscope's marks are set).`,
      );
    }
  } else {
    if (l.kept.length > 0) change('labels', `Labels kept: ${l.kept.join(', ')}.`);
    for (const d of l.dropped) {
      change(
        'labels',
        `Label ${d.key}=${d.value} dropped: ${d.selectedBy.join(' and ')} would otherwise adopt or count the copy.`,
      );
    }
    for (const k of l.replaced) change('labels', `Label ${k} set to Podscope's mark ${marks[k]}.`);
    spec.readinessGates = [...(spec.readinessGates ?? []), { conditionType: COPY_READINESS_GATE }];
    change(
      'readiness',
      `Never Ready (readiness gate ${COPY_READINESS_GATE}): no Service sends it traffic and no PodDisruptionBudget counts it, although it keeps labels.`,
    );
  }
  warnings.push(...l.notes);

  return {
    ok: true,
    value: {
      pod: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: opts.name,
          namespace: source.metadata?.namespace,
          labels: l.labels,
          annotations: markAnnotations(opts.marks),
        },
        spec,
      },
      target: { name: target!.name, kind: initIndex >= 0 ? 'init' : 'app' },
      node: placed.node,
      changes,
      warnings,
      droppedLabels: l.dropped,
    },
  };
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `sh -c 'exit 3'`: an argv as a user would type it. */
export function argvText(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * Host ports are removed (the original holds them on its node: a copy there would fail, or never be
 * scheduled). On the host network every declared port is a host port (the API server sets hostPort
 * to containerPort), so the ports go altogether.
 */
function hostResources(spec: PodSpec, kept: ContainerSpec[]): string[] {
  const texts: string[] = [];
  for (const c of kept) {
    const list = c.ports ?? [];
    if (spec.hostNetwork && list.length > 0) {
      texts.push(
        `Ports of ${c.name} removed (${list.map(portText).join(', ')}): on the host network each one is reserved on the node, where the original holds it.`,
      );
      delete c.ports;
      continue;
    }
    const held = list.filter((p) => p.hostPort !== undefined && p.hostPort !== 0);
    if (held.length === 0) continue;
    texts.push(
      `hostPort ${held.map((p) => `${p.hostPort}/${p.protocol ?? 'TCP'}`).join(', ')} of ${c.name} removed: the original holds it on its node.`,
    );
    for (const p of held) {
      delete p.hostPort;
      delete p.hostIP;
    }
  }
  return texts;
}

function portText(p: { containerPort: number; protocol?: string }): string {
  return `${p.containerPort}/${p.protocol ?? 'TCP'}`;
}

function hostNetworkWarning(src: PodSpec, node: string | null): string {
  const ports = [...src.containers, ...(src.initContainers ?? [])].flatMap((c) => c.ports ?? []);
  const which = ports.length > 0 ? `ports (${[...new Set(ports.map(portText))].join(', ')})` : 'ports';
  const original = src.nodeName;
  if (original && node === original) {
    return `The pod uses the node's network (hostNetwork) and the copy runs on ${original}, the original's node: the app's ${which} are taken by the original there, so start the app by hand on other ports.`;
  }
  return `The pod uses the node's network (hostNetwork): if the copy lands on the original's node${original ? ` (${original})` : ''}, the app's ${which} clash with the original's, so start the app by hand on other ports.`;
}

type VolumePlan =
  | { ok: true; changes: string[]; warnings: string[]; needsNode: { node: string; why: string } | null }
  | { ok: false; status: 422; error: string };

function planVolumes(spec: PodSpec, kept: ContainerSpec[], facts: CopyFacts): VolumePlan {
  const used = new Set(
    kept.flatMap((c) => [...(c.volumeMounts ?? []), ...(c.volumeDevices ?? [])]).map((m) => m.name),
  );
  const all = spec.volumes ?? [];
  const unused = all.filter((v) => !used.has(v.name));
  const volumes = all.filter((v) => used.has(v.name));
  const changes: string[] = [];
  const warnings: string[] = [];
  if (unused.length > 0) {
    changes.push(`Volumes no container of the copy mounts are left out: ${names(unused)}.`);
    if (volumes.length > 0) spec.volumes = volumes;
    else delete spec.volumes;
  }
  let needsNode: { node: string; why: string } | null = null;
  for (const v of volumes) {
    const claimName = v.persistentVolumeClaim?.claimName;
    if (claimName === undefined) continue;
    const claim = facts.claims[claimName];
    const pvc = `PersistentVolumeClaim ${claimName}`;
    if (!claim || claim.phase === null) {
      warnings.push(
        `Podscope could not read ${pvc}${claim?.error ? ` (${claim.error})` : ''}; if it is ReadWriteOnce, the copy can only run on the node it is attached to.`,
      );
      continue;
    }
    if (claim.missing) {
      return {
        ok: false,
        status: 422,
        error: `${pvc} (volume ${v.name}) does not exist, so the copy could not start either.`,
      };
    }
    if (claim.accessModes.includes('ReadWriteOncePod')) {
      return {
        ok: false,
        status: 422,
        error: `${pvc} (volume ${v.name}) is ReadWriteOncePod: only one pod may use it, and that is the original. Podscope cannot copy a pod with this volume.`,
      };
    }
    if (claim.phase !== 'Bound') {
      return {
        ok: false,
        status: 422,
        error: `${pvc} (volume ${v.name}) is not bound (${claim.phase}): the copy would wait for it as the original does.`,
      };
    }
    const shared = claim.accessModes.includes('ReadWriteMany') || claim.accessModes.includes('ReadOnlyMany');
    if (shared || !claim.accessModes.includes('ReadWriteOnce')) continue;
    if (claim.nodes.length > 1) {
      return {
        ok: false,
        status: 422,
        error: `${pvc} is ReadWriteOnce but in use on several nodes (${claim.nodes.join(', ')}); Podscope cannot tell which node the copy must run on.`,
      };
    }
    const node = claim.nodes[0];
    if (node === undefined) continue;
    if (needsNode && needsNode.node !== node) {
      return {
        ok: false,
        status: 422,
        error: `The pod's ReadWriteOnce volumes are attached to different nodes (${needsNode.node}, ${node}); no node can mount them all.`,
      };
    }
    needsNode = { node, why: `${pvc} is ReadWriteOnce and attached there` };
  }
  const kinds: [string, (v: Volume) => boolean, string][] = [
    ['emptyDir', (v) => v.emptyDir !== undefined, "start empty (the original's files are not copied)"],
    [
      'Projected, ConfigMap, Secret and downward API',
      (v) =>
        v.projected !== undefined ||
        v.configMap !== undefined ||
        v.secret !== undefined ||
        v.downwardAPI !== undefined,
      'are built anew (current contents, a new service account token)',
    ],
    ['Generic ephemeral', (v) => v.ephemeral !== undefined, 'get a new, empty claim of their own'],
    ['hostPath', (v) => v.hostPath !== undefined, 'show the files of the node the copy runs on'],
  ];
  for (const [label, test, what] of kinds) {
    const list = volumes.filter(test);
    if (list.length > 0) changes.push(`${label} volumes ${what}: ${names(list)}.`);
  }
  return { ok: true, changes, warnings, needsNode };
}

type Placement =
  { ok: true; node: string | null; text: string } | { ok: false; status: 400 | 422; error: string };

/**
 * The node: the original's when asked, the one a ReadWriteOnce volume is attached to, or the
 * scheduler's choice. Pinned by node affinity rather than `nodeName`, so the scheduler still checks
 * that the copy fits (ports, resources, volumes) and says why when it does not, instead of the kubelet
 * failing the pod.
 */
function placeCopy(
  spec: PodSpec,
  src: PodSpec,
  opts: PodCopyOptions,
  needs: { node: string; why: string } | null,
): Placement {
  delete spec.nodeName;
  const original = src.nodeName;
  let pin: { node: string; why: string } | null = null;
  if (opts.sameNode) {
    if (!original) {
      return {
        ok: false,
        status: 400,
        error: 'The pod is not on a node yet; cannot copy it to the same node.',
      };
    }
    pin = { node: original, why: "the original's node, as asked" };
  }
  if (needs) {
    if (pin && pin.node !== needs.node) {
      return {
        ok: false,
        status: 422,
        error: `The copy cannot run on ${pin.node}: ${needs.why.replace(/ there$/, '')} to ${needs.node}.`,
      };
    }
    pin = needs;
  }
  if (pin) {
    pinToNode(spec, pin.node);
    return { ok: true, node: pin.node, text: `Runs on node ${pin.node}: ${pin.why}.` };
  }
  const byAffinity = affinityNode(spec);
  if (byAffinity) {
    return {
      ok: true,
      node: byAffinity,
      text: `Runs on node ${byAffinity}: the pod's node affinity names it (as a DaemonSet's pods do).`,
    };
  }
  return {
    ok: true,
    node: null,
    text: `Runs on the node the scheduler picks${original ? ` (the original is on ${original})` : ''}.`,
  };
}

const NODE_NAME_FIELD = 'metadata.name';

/** Adds `metadata.name In [node]` to every required node-affinity term (terms are ORed). */
export function pinToNode(spec: PodSpec, node: string): void {
  const field = { key: NODE_NAME_FIELD, operator: 'In', values: [node] };
  spec.affinity ??= {};
  spec.affinity.nodeAffinity ??= {};
  const na = spec.affinity.nodeAffinity;
  const terms = na.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  if (terms.length === 0) {
    na.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: [{ matchFields: [field] }] };
    return;
  }
  for (const t of terms) {
    t.matchFields = [
      ...(t.matchFields ?? []).filter((f) => f.key !== NODE_NAME_FIELD),
      { ...field, values: [node] },
    ];
  }
}

/** The one node every required node-affinity term names by `metadata.name`, if so. */
export function affinityNode(spec: PodSpec): string | null {
  const terms =
    spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const nodes = new Set<string>();
  for (const t of terms) {
    const f = (t.matchFields ?? []).find((x) => x.key === NODE_NAME_FIELD && x.operator === 'In');
    if (!f || f.values?.length !== 1) return null;
    nodes.add(f.values[0]!);
  }
  return nodes.size === 1 ? [...nodes][0]! : null;
}

/** `<pod>-debug-<suffix>`, shortened to a valid pod name (≤ 63 so it is also a valid hostname). */
export function copyName(source: string, suffix: string): string {
  const tail = `-debug-${suffix}`;
  return `${source.slice(0, 63 - tail.length).replace(/[-.]+$/, '')}${tail}`;
}
