// What the Debug tab's forms send. Pure: the request bodies, the optional user/group numbers, and which
// container a form offers first.

import type { ContainerView } from '../../shared/api.js';
import type {
  DebugContainerCreate,
  DebugProfile,
  NodeDebugCreate,
  PodCopyCreate,
} from '../../shared/debug/debug-api.js';

export type FormResult<T> = { ok: true; value: T } | { ok: false; error: string };

const MAX_ID = 2 ** 31 - 1;

/** An optional user or group id typed by the user: empty = not given. */
export function parseOptionalId(text: string, label: string): FormResult<number | undefined> {
  const t = text.trim();
  if (t === '') return { ok: true, value: undefined };
  if (!/^\d+$/.test(t) || Number(t) > MAX_ID) {
    return { ok: false, error: `${label} must be a whole number from 0 to ${MAX_ID}, or empty.` };
  }
  return { ok: true, value: Number(t) };
}

export interface DebugContainerForm {
  target: string;
  image: string;
  profile: DebugProfile;
  runAsUser: string;
  runAsGroup: string;
}

export function debugContainerBody(form: DebugContainerForm): FormResult<DebugContainerCreate> {
  if (!form.target) return { ok: false, error: 'Choose the container to debug.' };
  const user = parseOptionalId(form.runAsUser, 'Run as user');
  if (!user.ok) return user;
  const group = parseOptionalId(form.runAsGroup, 'Run as group');
  if (!group.ok) return group;
  const body: DebugContainerCreate = { target: form.target, image: form.image, profile: form.profile };
  if (user.value !== undefined) body.runAsUser = user.value;
  if (group.value !== undefined) body.runAsGroup = group.value;
  return { ok: true, value: body };
}

export interface CopyForm {
  container: string;
  /** Run the init containers before the container (sidecars run anyway). */
  runInitContainers: boolean;
  keepLabels: boolean;
  replaceImage: boolean;
  image: string;
  sameNode: boolean;
  profile: DebugProfile;
}

export function copyBody(form: CopyForm): FormResult<PodCopyCreate> {
  if (!form.container) return { ok: false, error: 'Choose the container to debug in the copy.' };
  const body: PodCopyCreate = { container: form.container, profile: form.profile };
  if (!form.runInitContainers) body.runInitContainers = false;
  if (form.keepLabels) body.keepLabels = true;
  if (form.sameNode) body.sameNode = true;
  // The server refuses an image without replaceImage: the copy otherwise keeps the app's own image.
  if (form.replaceImage) {
    body.replaceImage = true;
    body.image = form.image;
  }
  return { ok: true, value: body };
}

/** The node pod's namespace is the server's setting (its policy governs the pod): never sent. */
export function nodeDebugBody(form: { image: string; profile: DebugProfile }): NodeDebugCreate {
  return { image: form.image, profile: form.profile };
}

type ContainerFacts = Pick<ContainerView, 'name' | 'kind' | 'state' | 'reason' | 'restartCount'>;

export function appContainerNames(containers: readonly ContainerFacts[]): string[] {
  return containers.filter((c) => c.kind === 'app').map((c) => c.name);
}

/**
 * The app container a form offers first: the one in trouble (not running, or restarting), since that
 * is usually why the user is here; otherwise the first.
 */
export function defaultDebugTarget(containers: readonly ContainerFacts[]): string {
  const apps = containers.filter((c) => c.kind === 'app');
  const troubled = apps.find((c) => c.state !== 'running' || c.restartCount > 0);
  return (troubled ?? apps[0])?.name ?? '';
}

export interface CopyTarget {
  name: string;
  kind: 'app' | 'init';
}

/** What a copy can debug: every app container, then every init container (in the pod's order). */
export function copyTargets(containers: readonly ContainerFacts[]): CopyTarget[] {
  const of = (kind: 'app' | 'init') =>
    containers.filter((c) => c.kind === kind).map((c) => ({ name: c.name, kind }));
  return [...of('app'), ...of('init')];
}

/** The init container that keeps a pod in Init:Error / Init:CrashLoopBackOff, if any. */
export function failingInitContainer(containers: readonly ContainerFacts[]): string | null {
  const failing = containers.find(
    (c) =>
      c.kind === 'init' &&
      c.state !== 'running' &&
      (c.restartCount > 0 ||
        c.reason === 'CrashLoopBackOff' ||
        (c.state === 'terminated' && c.reason !== 'Completed')),
  );
  return failing?.name ?? null;
}

/** The container a copy form offers first: the failing init container, else as for a debug container. */
export function defaultCopyTarget(containers: readonly ContainerFacts[]): string {
  return failingInitContainer(containers) ?? defaultDebugTarget(containers);
}

/** The init containers that run before `target` in the copy (all of them for an app container). */
export function initContainersBefore(containers: readonly ContainerFacts[], target: string): string[] {
  const inits = containers.filter((c) => c.kind === 'init').map((c) => c.name);
  const at = inits.indexOf(target);
  return at < 0 ? inits : inits.slice(0, at);
}
