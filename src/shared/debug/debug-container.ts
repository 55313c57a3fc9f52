// The ephemeral (debug) container Podscope adds to a pod: its spec (profile + the user it runs as), its
// name, and which existing one to reuse. Ephemeral containers can never be removed from a pod, so
// Podscope reuses a running one with the same settings instead of piling up new ones.

import { applyProfile, isDebugProfile, type DebugProfile } from './profiles.js';
import type {
  ContainerStatus,
  ContainerSpec,
  EphemeralContainerSpec,
  Pod,
  SecurityContext,
} from './types.js';

export const DEBUG_CONTAINER_PREFIX = 'podscope-debug-';
/** Env vars recording how a debug container was made, so a later request can tell if it may reuse it. */
export const PROFILE_ENV = 'PODSCOPE_DEBUG_PROFILE';
/** A non-root user for pods that require one when neither the request nor the pod names a user. */
export const FALLBACK_NON_ROOT_UID = 65534;
const MAX_UID = 2 ** 31 - 1;

export interface DebugContainerRequest {
  target: string;
  image: string;
  profile: DebugProfile;
  runAsUser?: number;
  runAsGroup?: number;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

export interface UserChoice {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  /** Why this user, in a sentence the UI can show. */
  reason: string;
}

/**
 * The user the debug container runs as. kubectl gives no choice (kubectl#1781): a debug image that runs
 * as root is then refused in a `runAsNonRoot` pod. Podscope takes, in order: the requested user; for a
 * pod (or profile) that requires non-root, the target container's or the pod's user, else nobody
 * (65534); otherwise the image's own user, as kubectl does.
 */
export function chooseUser(pod: Pod, target: ContainerSpec, req: DebugContainerRequest): Result<UserChoice> {
  const podSc: SecurityContext = pod.spec?.securityContext ?? {};
  const targetSc: SecurityContext = target.securityContext ?? {};
  const nonRootRequired =
    req.profile === 'restricted' || (targetSc.runAsNonRoot ?? podSc.runAsNonRoot ?? false) === true;
  const appUid = targetSc.runAsUser ?? podSc.runAsUser;
  const appGid = targetSc.runAsGroup ?? podSc.runAsGroup;
  for (const [field, v] of [
    ['runAsUser', req.runAsUser],
    ['runAsGroup', req.runAsGroup],
  ] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > MAX_UID)) {
      return { ok: false, error: `${field} must be a whole number from 0 to ${MAX_UID}.` };
    }
  }
  if (req.runAsUser !== undefined) {
    if (req.runAsUser === 0 && nonRootRequired) {
      return {
        ok: false,
        error:
          req.profile === 'restricted'
            ? 'The restricted profile cannot run as root (user 0); choose a non-root user or another profile.'
            : `Pod "${pod.metadata?.name ?? ''}" requires non-root users (runAsNonRoot); choose a user other than 0.`,
      };
    }
    return {
      ok: true,
      value: withoutUndefined({
        runAsUser: req.runAsUser,
        runAsGroup: req.runAsGroup ?? appGid,
        runAsNonRoot: nonRootRequired ? true : undefined,
        reason: `user ${req.runAsUser}, as requested`,
      }),
    };
  }
  if (nonRootRequired) {
    const uid = appUid !== undefined && appUid !== 0 ? appUid : FALLBACK_NON_ROOT_UID;
    return {
      ok: true,
      value: withoutUndefined({
        runAsUser: uid,
        runAsGroup: req.runAsGroup ?? appGid,
        runAsNonRoot: true,
        reason:
          uid === appUid
            ? `user ${uid}, the app's user, because the ${req.profile === 'restricted' ? 'profile' : 'pod'} requires non-root`
            : `user ${uid} (nobody), because the ${req.profile === 'restricted' ? 'profile' : 'pod'} requires non-root and names no user`,
      }),
    };
  }
  return {
    ok: true,
    value: {
      ...(req.runAsGroup !== undefined ? { runAsGroup: req.runAsGroup } : {}),
      reason: "the image's own user",
    },
  };
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** A free name `podscope-debug-<target>-<n>` (at most 63 characters, unique among all containers). */
export function nextDebugContainerName(pod: Pod, target: string): string {
  const used = new Set(
    [
      ...(pod.spec?.containers ?? []),
      ...(pod.spec?.initContainers ?? []),
      ...(pod.spec?.ephemeralContainers ?? []),
    ].map((c) => c.name),
  );
  for (let n = 1; ; n++) {
    const suffix = `-${n}`;
    const stem = `${DEBUG_CONTAINER_PREFIX}${target}`.slice(0, 63 - suffix.length).replace(/-+$/, '');
    const name = `${stem}${suffix}`;
    if (!used.has(name)) return name;
  }
}

/**
 * The ephemeral container for a request, or why it cannot be made. It runs the image's default command
 * with stdin and a TTY (like `kubectl debug -it`), so a shell waits instead of exiting; Podscope's
 * terminal then execs into it.
 */
export function buildDebugContainer(
  pod: Pod,
  req: DebugContainerRequest,
  name: string,
): Result<{ container: EphemeralContainerSpec; user: UserChoice }> {
  const target = (pod.spec?.containers ?? []).find((c) => c.name === req.target);
  if (!target) {
    const names = (pod.spec?.containers ?? []).map((c) => c.name).join(', ');
    return {
      ok: false,
      error: `Pod "${pod.metadata?.name ?? ''}" has no app container "${req.target}"; its containers are: ${names}.`,
    };
  }
  const container: EphemeralContainerSpec = {
    name,
    image: req.image,
    imagePullPolicy: 'IfNotPresent',
    stdin: true,
    tty: true,
    targetContainerName: req.target,
    terminationMessagePolicy: 'File',
    env: [{ name: PROFILE_ENV, value: req.profile }],
  };
  const scratch = { containers: [], ephemeralContainers: [container] };
  applyProfile(req.profile, 'ephemeral', scratch, container);
  const user = chooseUser(pod, target, req);
  if (!user.ok) return user;
  const { reason: _reason, ...fields } = user.value;
  if (Object.keys(fields).length > 0) container.securityContext = { ...container.securityContext, ...fields };
  return { ok: true, value: { container, user: user.value } };
}

export type DebugContainerState = 'running' | 'waiting' | 'finished';

export interface DebugContainerView {
  name: string;
  target: string | null;
  image: string | null;
  /** The profile Podscope made it with; null for containers made by something else (kubectl debug…). */
  profile: DebugProfile | null;
  runAsUser: number | null;
  state: DebugContainerState;
  reason: string | null;
  message: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  exitCode: number | null;
  /** Whether Podscope made it (and may reuse it). */
  podscope: boolean;
}

function statusOf(pod: Pod, name: string): ContainerStatus | undefined {
  return (pod.status?.ephemeralContainerStatuses ?? []).find((s) => s.name === name);
}

function profileOf(c: EphemeralContainerSpec): DebugProfile | null {
  const v = (c.env ?? []).find((e) => e.name === PROFILE_ENV)?.value;
  return isDebugProfile(v) ? v : null;
}

/**
 * Every ephemeral container of the pod with its state, by name (numbers in natural order: the API keeps
 * them in patch order, which is not creation order). One that has no status yet is 'waiting'.
 */
export function debugContainerViews(pod: Pod): DebugContainerView[] {
  const sorted = [...(pod.spec?.ephemeralContainers ?? [])].sort((a, b) =>
    a.name.localeCompare(b.name, 'en', { numeric: true }),
  );
  return sorted.map((c) => {
    const s = statusOf(pod, c.name)?.state ?? {};
    const state: DebugContainerState = s.running ? 'running' : s.terminated ? 'finished' : 'waiting';
    return {
      name: c.name,
      target: c.targetContainerName ?? null,
      image: c.image ?? null,
      profile: profileOf(c),
      runAsUser: c.securityContext?.runAsUser ?? null,
      state,
      reason: s.terminated?.reason ?? s.waiting?.reason ?? null,
      message: s.terminated?.message ?? s.waiting?.message ?? null,
      startedAt: s.running?.startedAt ?? null,
      finishedAt: s.terminated?.finishedAt ?? null,
      exitCode: s.terminated?.exitCode ?? null,
      podscope: c.name.startsWith(DEBUG_CONTAINER_PREFIX) && profileOf(c) !== null,
    };
  });
}

/**
 * A running Podscope debug container that matches the wanted one (same target, image, profile and
 * security settings), or undefined. Finished ones cannot be restarted, so they are never reused.
 */
export function findReusableDebugContainer(pod: Pod, wanted: EphemeralContainerSpec): string | undefined {
  const key = (c: EphemeralContainerSpec) =>
    JSON.stringify([c.targetContainerName, c.image, profileOf(c), normalizedSecurity(c.securityContext)]);
  const want = key(wanted);
  return (pod.spec?.ephemeralContainers ?? []).find(
    (c) =>
      c.name.startsWith(DEBUG_CONTAINER_PREFIX) &&
      statusOf(pod, c.name)?.state?.running !== undefined &&
      key(c) === want,
  )?.name;
}

function normalizedSecurity(sc: SecurityContext | undefined): unknown {
  if (!sc) return null;
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(sc).sort()) {
    const v = sc[k];
    if (k === 'capabilities' && v && typeof v === 'object') {
      const caps = v as { add?: string[]; drop?: string[] };
      sorted[k] = { add: [...(caps.add ?? [])].sort(), drop: [...(caps.drop ?? [])].sort() };
    } else sorted[k] = v;
  }
  return sorted;
}

/**
 * What waiting for a new container (debug container, copy or node pod) concluded from one pod update;
 * undefined = keep waiting.
 */
export function containerStartOutcome(
  pod: Pod,
  name: string,
): { ok: true } | { ok: false; error: string } | undefined {
  const all = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])];
  const s = all.find((c) => c.name === name)?.state;
  if (s?.running) return { ok: true };
  if (s?.terminated) {
    return {
      ok: false,
      error: `Container "${name}" exited at once (${s.terminated.reason ?? 'terminated'}, exit code ${s.terminated.exitCode ?? '?'})${s.terminated.message ? `: ${s.terminated.message}` : ''}.`,
    };
  }
  const reason = s?.waiting?.reason;
  if (reason && reason !== 'ContainerCreating' && reason !== 'PodInitializing') {
    return {
      ok: false,
      error: `Container "${name}" cannot start (${reason})${s?.waiting?.message ? `: ${s.waiting.message}` : ''}.`,
    };
  }
  const phase = pod.status?.phase;
  if (phase === 'Failed' || phase === 'Succeeded') {
    return { ok: false, error: `The pod ended (${phase}) before container "${name}" ran.` };
  }
  const conditions = (pod.status?.['conditions'] ?? []) as {
    type?: string;
    status?: string;
    reason?: string;
    message?: string;
  }[];
  const unscheduled = conditions.find(
    (c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable',
  );
  if (unscheduled) {
    return { ok: false, error: `The pod cannot be scheduled: ${unscheduled.message ?? 'no node fits'}.` };
  }
  return undefined;
}
