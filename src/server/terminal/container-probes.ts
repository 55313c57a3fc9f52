// Short non-TTY execs that prepare a terminal: which shell the image has, and how to become the
// ordinary user the non-root policy asks for. Each runs before the session (and its audit record)
// exists, so a failing probe never kills a session (a complaint about other tools).
import type { ExecStatus } from '../../shared/exec/channel.js';
import { execCollect } from '../exec/exec-connection.js';
import { PodscopeError } from '../http/errors.js';
import type { KubeClient } from '../kube/kube-client.js';
import type { ExecUser } from '../policy/exec-policy.js';
import { parsePasswd, planUserSwitch, type SwitchCandidate } from './user-switch.js';

export interface ContainerRef {
  namespace: string;
  pod: string;
  container: string;
}

/** Shells tried in order when the user gives no command. */
export const SHELLS = ['bash', 'sh'] as const;
const PROBE_TIMEOUT_MS = 15_000;

/** The runtime reports a missing program this way (runc: "executable file not found in $PATH"). */
export function isMissingExecutable(status: ExecStatus): boolean {
  return (
    status.kind === 'failure' && /executable file not found|no such file or directory/i.test(status.message)
  );
}

/**
 * The first shell the image has; 422 pointing to a debug container when it has none. All shells are
 * tried at once (one round trip to the container, not one per shell), the first present one wins.
 */
export async function findShell(client: KubeClient, ref: ContainerRef): Promise<string> {
  const runs = await Promise.all(
    SHELLS.map((shell) => execCollect(client, { ...ref, command: [shell, '-c', 'exit 0'] }, probeOpts)),
  );
  for (const [i, shell] of SHELLS.entries()) {
    const r = runs[i]!;
    if (!isMissingExecutable(r.status)) {
      if (r.status.kind === 'failure') throw probeFailed(ref, r.status.message);
      return shell;
    }
  }
  throw new PodscopeError(
    422,
    `Container "${ref.container}" has no shell (tried ${SHELLS.join(', ')}): its image is minimal. ` +
      'Start a debug container with a tools image to get a shell next to it.',
  );
}

export interface UserSwitch {
  uid: number;
  /** How the user is switched; 'none' when the container already runs as that uid. */
  tool: SwitchCandidate['tool'] | 'none';
  wrap(argv: readonly string[]): string[];
}

/**
 * Finds a way to run as `user` that provably works: each candidate runs `id -u` as that user and must
 * print the expected uid. Refuses (422) rather than ever running the session as root.
 */
export async function resolveUserSwitch(
  client: KubeClient,
  ref: ContainerRef,
  user: ExecUser,
): Promise<UserSwitch> {
  const passwdRun = await execCollect(
    client,
    { ...ref, command: ['cat', '/etc/passwd'] },
    { ...probeOpts, maxBytes: 1024 * 1024 },
  );
  const passwd = passwdRun.status.kind === 'success' ? parsePasswd(passwdRun.stdout.toString('utf8')) : null;
  const plan = planUserSwitch(user, passwd);
  const refuse = (why: string) =>
    new PodscopeError(
      422,
      `The exec policy here is non-root, but Podscope cannot enter container "${ref.container}" as user ` +
        `${String(user)}: ${why}. The terminal was not opened (it never falls back to root). ` +
        'Use an image with util-linux setpriv or su, or a debug container.',
    );
  if (!plan.ok) throw refuse(plan.message);
  const failures: string[] = [];
  for (const candidate of plan.candidates) {
    const r = await execCollect(client, { ...ref, command: candidate.wrap(['id', '-u']) }, probeOpts);
    const out = r.stdout.toString('utf8').trim();
    if (r.status.kind === 'success' && out === String(plan.uid)) {
      return { uid: plan.uid, tool: candidate.tool, wrap: candidate.wrap };
    }
    failures.push(`${candidate.tool}: ${describeFailure(r.status, r.stderr.toString('utf8'), out)}`);
  }
  // The image may already run as that user (runAsUser), in which case no switch is needed.
  const self = await execCollect(client, { ...ref, command: ['id', '-u'] }, probeOpts);
  if (self.status.kind === 'success' && self.stdout.toString('utf8').trim() === String(plan.uid)) {
    return { uid: plan.uid, tool: 'none', wrap: (argv) => [...argv] };
  }
  throw refuse(failures.join('; '));
}

const probeOpts = { timeoutMs: PROBE_TIMEOUT_MS, maxBytes: 64 * 1024 };

function describeFailure(status: ExecStatus, stderr: string, stdout: string): string {
  if (isMissingExecutable(status)) return 'not in the image';
  const firstLine = stderr.trim().split('\n')[0]?.slice(0, 200);
  if (firstLine) return firstLine;
  if (status.kind === 'failure') return status.message.slice(0, 200);
  if (status.kind === 'exit') return `exited with code ${status.code}`;
  return `ran as uid ${stdout.slice(0, 20) || '(nothing printed)'}`;
}

function probeFailed(ref: ContainerRef, message: string): PodscopeError {
  return new PodscopeError(502, `Could not run a command in container "${ref.container}": ${message}`);
}

/**
 * Kubernetes does not end a TTY exec when its stream closes (pinned by a test): the shell and whatever
 * it runs stay alive in the container. So each session's process is started through
 * `env PODSCOPE_SESSION=<token> argv…`, which every descendant inherits, and at the end Podscope runs
 * this constant script (token as $1, never interpolated) to hang up, then kill, what still carries it.
 * `$(cat environ)` drops the NUL separators, which does not matter for a substring match of a UUID.
 */
export const END_SESSION_SCRIPT = [
  'tag="$1"',
  'scan() { for d in /proc/[0-9]*; do case "$(cat "$d/environ" 2>/dev/null)" in *"$tag"*) kill "-$1" "${d#/proc/}" 2>/dev/null && echo "${d#/proc/}";; esac; done; }',
  'found=$(scan HUP)',
  '[ -n "$found" ] && sleep 1 && scan KILL',
  'exit 0',
].join('\n');

export const SESSION_TAG_VARIABLE = 'PODSCOPE_SESSION';

/** Whether the image has `env`, which tags the session's processes for cleanup. */
export async function hasEnv(client: KubeClient, ref: ContainerRef): Promise<boolean> {
  const r = await execCollect(client, { ...ref, command: ['env'] }, probeOpts);
  return !isMissingExecutable(r.status);
}

/** Ends every process of the container that carries `tag` in its environment. Resolves to an error text or null. */
export async function endTaggedProcesses(
  client: KubeClient,
  ref: ContainerRef,
  tag: string,
): Promise<string | null> {
  try {
    const r = await execCollect(
      client,
      { ...ref, command: ['sh', '-c', END_SESSION_SCRIPT, 'podscope-cleanup', tag] },
      probeOpts,
    );
    if (r.status.kind === 'success') return null;
    return r.status.kind === 'exit' ? `cleanup exited with code ${r.status.code}` : r.status.message;
  } catch (err) {
    return (err as Error).message;
  }
}
