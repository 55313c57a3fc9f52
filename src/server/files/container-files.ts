// Files inside a container, reached over exec with argv commands (never a shell built from input): stat,
// find+stat to list, a one-entry tar to download (stat+cat without tar), tee to upload. An app image
// without these tools is reached through a debug container that targets it: its busybox runs chrooted into /proc/<pid>/root of the app's main
// process, so every path resolves inside the app container.
import type { V1Pod } from '@kubernetes/client-node';
import {
  parseStatLine,
  parseStatListing,
  STAT_FORMAT,
  underRoot,
  type DirectoryEntry,
} from '../../shared/debug/container-paths.js';
import type { ExecStatus } from '../../shared/exec/channel.js';
import { execCollect } from '../exec/exec-connection.js';
import { badRequest, notFound, PodscopeError } from '../http/errors.js';
import { containerParam } from '../http/params.js';
import type { KubeClient } from '../kube/kube-client.js';
import { containerStatus, getPod } from '../kube/pods.js';

/** Where file commands run, and under which prefix the app container's files appear there. */
export interface FileTarget {
  namespace: string;
  pod: string;
  /** The container whose files these are. */
  container: string;
  /** The container the commands run in: `container` itself, or the debug container (`via`). */
  execContainer: string;
  via: string | null;
  /** A prefix under which the files appear where commands run; null when paths are used as they are
   *  (in the container itself, or chrooted into it from its debug container). */
  root: string | null;
  /** Wraps every file command: the policy's user switch under non-root, else unchanged. */
  wrap(argv: readonly string[]): string[];
  /** The ordinary user the commands run as (non-root policy), or null for the container's own user. */
  runAs: { uid: number; tool: string } | null;
}

const asIs = (argv: readonly string[]) => [...argv];

export function execPath(t: FileTarget, path: string): string {
  return underRoot(t.root, path);
}

function requireRunning(pod: V1Pod, name: string): void {
  const state = containerStatus(pod, name)?.state;
  if (!state?.running) {
    throw new PodscopeError(
      409,
      `Container "${name}" is not running, so its files cannot be reached` +
        (state?.waiting?.reason === 'CrashLoopBackOff' ? '; debug a copy of the pod instead.' : '.'),
    );
  }
}

/**
 * Resolves `container` (and `via`, a debug container targeting it) to where commands run. Through a
 * debug container, commands run chrooted into /proc/<pid>/root where <pid> is the app's main process in
 * the PID namespace the debug container shares: PID 1 when the pod does not share its process
 * namespace (verified on the cluster), otherwise the process whose cgroup names the container's ID.
 */
export async function resolveFileTarget(
  client: KubeClient,
  namespace: string,
  podName: string,
  rawContainer: string | undefined,
  rawVia: string | undefined,
  signal?: AbortSignal,
  /** The pod, when the caller has read it already. */
  read?: V1Pod,
): Promise<FileTarget> {
  if (rawContainer === undefined) throw badRequest('Choose a container with ?container=.');
  const container = containerParam(rawContainer);
  const pod = read ?? (await getPod(client, namespace, podName, signal));
  const all = [
    ...(pod.spec?.initContainers ?? []),
    ...(pod.spec?.containers ?? []),
    ...(pod.spec?.ephemeralContainers ?? []),
  ].map((c) => c.name);
  if (!all.includes(container)) {
    throw badRequest(
      `Pod "${podName}" has no container "${container}"; its containers are: ${all.join(', ')}.`,
    );
  }
  if (rawVia === undefined) {
    requireRunning(pod, container);
    return {
      namespace,
      pod: podName,
      container,
      execContainer: container,
      via: null,
      root: null,
      wrap: asIs,
      runAs: null,
    };
  }
  const via = containerParam(rawVia);
  const debug = (pod.spec?.ephemeralContainers ?? []).find((c) => c.name === via);
  if (!debug) throw badRequest(`Pod "${podName}" has no debug container "${via}".`);
  if (debug.targetContainerName !== container) {
    throw badRequest(
      `Debug container "${via}" does not target "${container}" (it targets ${debug.targetContainerName ? `"${debug.targetContainerName}"` : 'no container'}); it cannot see that container's files.`,
    );
  }
  requireRunning(pod, via);
  requireRunning(pod, container);
  let pid = '1';
  if (pod.spec?.shareProcessNamespace) {
    const id = containerStatus(pod, container)?.containerID?.replace(/^[a-z]+:\/\//, '');
    if (!id || !/^[0-9a-f]{12,}$/.test(id)) {
      throw new PodscopeError(409, `The runtime has not reported an ID for container "${container}" yet.`);
    }
    pid = await findPidOfContainer(client, namespace, podName, via, id);
  }
  const t: FileTarget = {
    namespace,
    pod: podName,
    container,
    execContainer: via,
    via,
    root: null,
    wrap: (argv) => ['sh', '-c', CHROOT_SCRIPT, 'podscope-files', pid, ...argv],
    runAs: null,
  };
  // Every command runs chrooted into the app's root, so its paths (symlinks included, however they
  // change meanwhile) resolve inside the app container and can never lead into the debug container.
  const probe = await runIn(client, t, ['true']);
  if (probe.status.kind !== 'success') {
    const why = probe.stderr.trim().split('\n').pop() || describeStatus(probe.status);
    throw new PodscopeError(
      422,
      `Files cannot be reached safely through debug container "${via}": it needs \`sh\`, \`chroot\` (running as root) and a static busybox at /bin/busybox, as the tools image has (${why}).`,
    );
  }
  return t;
}

/** Stands for the debug container's busybox in an argv run through CHROOT_SCRIPT (e.g. find's -exec). */
export const BUSYBOX = '@podscope-busybox@';

/**
 * Runs busybox from the debug container with its root changed to the app's: `$1` is the app's PID,
 * the rest the busybox argv. The debug container's busybox stays reachable inside the chroot through
 * this shell's own /proc/$$/root (the app's /proc shows the shared PID namespace); it must be static.
 * A constant script: the argv travels only as positional parameters, never parsed by a shell.
 */
export const CHROOT_SCRIPT = [
  'pid="$1"; shift',
  'bb="/proc/$$/root/bin/busybox"',
  'n=$#',
  `while [ "$n" -gt 0 ]; do a="$1"; shift; [ "$a" = '${BUSYBOX}' ] && a="$bb"; set -- "$@" "$a"; n=$((n - 1)); done`,
  // Not the script's last command: bash would exec it in place of this shell, and once chrooted,
  // /proc/$$/root would be the app's root, where there is no busybox.
  'chroot "/proc/$pid/root" "$bb" "$@"',
  'exit $?',
].join('\n');

function describeStatus(status: ExecStatus): string {
  if (status.kind === 'failure') return status.message;
  return status.kind === 'exit' ? `exit code ${status.code}` : 'no error';
}

async function findPidOfContainer(
  client: KubeClient,
  namespace: string,
  pod: string,
  via: string,
  containerId: string,
): Promise<string> {
  // find expands the pattern itself: no shell is involved.
  const r = await run(client, { namespace, pod, container: via }, [
    'find',
    '/proc',
    '-maxdepth',
    '2',
    '-path',
    '/proc/[0-9]*/cgroup',
    '-exec',
    'grep',
    '-l',
    '-F',
    '--',
    containerId,
    '{}',
    '+',
  ]);
  const pids = r.stdout
    .split('\n')
    .map((l) => /^\/proc\/(\d+)\/cgroup$/.exec(l)?.[1])
    .filter((p): p is string => p !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  if (pids.length === 0) {
    throw new PodscopeError(
      409,
      `Debug container "${via}" cannot see the processes of the container it targets (no process with its cgroup).`,
    );
  }
  return String(pids[0]);
}

interface RunResult {
  stdout: string;
  stderr: string;
  status: ExecStatus;
}

/** Runs a file command where `t` says, as the user `t` says. */
function runIn(client: KubeClient, t: FileTarget, command: string[]): Promise<RunResult> {
  return run(client, { namespace: t.namespace, pod: t.pod, container: t.execContainer }, t.wrap(command));
}

async function run(
  client: KubeClient,
  where: { namespace: string; pod: string; container: string },
  command: string[],
  maxBytes = 16 * 1024 * 1024,
): Promise<RunResult> {
  const r = await execCollect(client, { ...where, command }, { maxBytes, timeoutMs: 60_000 });
  return { stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8'), status: r.status };
}

/** Turns a failed file command into an error a user understands. */
export function fileCommandError(
  t: FileTarget,
  path: string,
  tool: string,
  r: { stderr: string; status: ExecStatus },
) {
  // tar ends with a summary line (busybox: "error exit delayed from previous errors", GNU: "Exiting
  // with failure status due to previous errors"): the reason is the line before it.
  const err =
    r.stderr
      .trim()
      .split('\n')
      .filter(
        (l) =>
          !/error exit delayed from previous errors|Exiting with failure status due to previous errors/.test(
            l,
          ),
      )
      .pop() ?? '';
  if (
    r.status.kind === 'failure' &&
    /executable file not found|no such file or directory: unknown/i.test(r.status.message)
  ) {
    return badRequest(
      `Container "${t.execContainer}" has no \`${tool}\` (its image has no tools)` +
        (t.via ? '.' : '; start a debug container on it and read its files through that.'),
    );
  }
  if (/No such file or directory/i.test(err))
    return notFound(`${path} does not exist in container "${t.container}".`);
  if (/Not a directory/i.test(err))
    return notFound(`A part of ${path} is not a directory in container "${t.container}".`);
  if (/Permission denied|Operation not permitted/i.test(err)) {
    return new PodscopeError(403, `The container's user may not access ${path}: ${err}`);
  }
  if (/No space left/i.test(err))
    return new PodscopeError(507, `No space left in container "${t.container}" for ${path}.`);
  if (/Read-only file system/i.test(err))
    return new PodscopeError(409, `${path} is on a read-only file system.`);
  const detail =
    r.status.kind === 'failure'
      ? r.status.message
      : err || `exit code ${r.status.kind === 'exit' ? r.status.code : 0}`;
  return new PodscopeError(502, `\`${tool}\` failed in container "${t.execContainer}": ${detail}`);
}

const ok = (s: ExecStatus) => s.kind === 'success';

/** The entry for a path, or null when it does not exist. */
export async function statPath(
  client: KubeClient,
  t: FileTarget,
  path: string,
): Promise<DirectoryEntry | null> {
  const full = execPath(t, path);
  const r = await runIn(client, t, ['stat', '-c', STAT_FORMAT, '--', full]);
  if (!ok(r.status)) {
    if (/No such file or directory/.test(r.stderr)) return null;
    throw fileCommandError(t, path, 'stat', r);
  }
  const entry = parseStatLine(r.stdout, full);
  if (!entry)
    throw new PodscopeError(
      502,
      `Unexpected output of stat for ${path}: ${JSON.stringify(r.stdout.slice(0, 200))}`,
    );
  return path === '/' ? { ...entry, name: '/' } : entry;
}

/** The argv that lists a directory (one stat line per entry), before the user switch. */
export function listCommand(t: FileTarget, path: string): string[] {
  const full = execPath(t, path);
  // Through a debug container, find runs chrooted: its -exec must name the debug container's busybox.
  const stat = t.via === null ? ['stat'] : [BUSYBOX, 'stat'];
  return ['find', full, '-mindepth', '1', '-maxdepth', '1', '-exec', ...stat, '-c', STAT_FORMAT, '{}', '+'];
}

export async function listDirectory(
  client: KubeClient,
  t: FileTarget,
  path: string,
): Promise<DirectoryEntry[]> {
  const self = await statPath(client, t, path);
  if (!self) throw notFound(`${path} does not exist in container "${t.container}".`);
  if (self.type === 'symlink') {
    throw badRequest(`${path} is a symbolic link; open the directory it points to.`);
  }
  if (self.type !== 'directory') throw badRequest(`${path} is not a directory.`);
  const full = execPath(t, path);
  const r = await runIn(client, t, listCommand(t, path));
  // find exits 1 when some entries were unreadable; what it did print is still right.
  if (r.status.kind === 'failure') throw fileCommandError(t, path, 'find', r);
  return parseStatListing(r.stdout, full);
}

export async function removeQuietly(client: KubeClient, t: FileTarget, path: string): Promise<void> {
  await runIn(client, t, ['rm', '-f', '--', execPath(t, path)]).catch(() => undefined);
}

export async function moveInto(client: KubeClient, t: FileTarget, from: string, to: string): Promise<void> {
  const r = await runIn(client, t, ['mv', '-f', '--', execPath(t, from), execPath(t, to)]);
  if (!ok(r.status)) throw fileCommandError(t, to, 'mv', r);
}

/** sha256 of a file as the container computes it, or null when the image has no sha256sum. */
export async function containerSha256(
  client: KubeClient,
  t: FileTarget,
  path: string,
): Promise<string | null> {
  const r = await runIn(client, t, ['sha256sum', '--', execPath(t, path)]);
  if (r.status.kind === 'failure') return null;
  if (!ok(r.status)) throw fileCommandError(t, path, 'sha256sum', r);
  return /^([0-9a-f]{64})\s/.exec(r.stdout)?.[1] ?? null;
}
