/**
 * How to run a command inside a container as an ordinary user (the non-root exec policy) when the
 * image runs as root. Kubernetes exec has no "user" field, so the switch happens inside the container
 * with a tool the image has:
 *
 * - util-linux `setpriv --reuid --regid --init-groups|--clear-groups -- argv…`: no shell involved at all.
 * - `su -s /bin/sh -c 'exec "$0" "$@"' -- NAME argv…` (busybox or util-linux su): the shell string is a
 *   constant; the user's argv only ever travels as positional parameters, never parsed by a shell.
 *
 * Each plan is a *candidate*: the caller runs it with `id -u` first and keeps the first whose output is
 * the expected uid, so a tool that exists but cannot do it (busybox setpriv has no --reuid) is skipped,
 * and nothing ever silently runs as root.
 *
 * Pure: the /etc/passwd text is read by the caller.
 */

import type { ExecUser } from '../policy/exec-policy.js';

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}

/** Parses /etc/passwd (name:pw:uid:gid:gecos:home:shell); malformed lines are skipped. */
export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 4 || line.startsWith('#')) continue;
    const [name, , uid, gid] = f as [string, string, string, string];
    if (name === '' || !/^\d+$/.test(uid) || !/^\d+$/.test(gid)) continue;
    out.push({ name, uid: Number(uid), gid: Number(gid) });
  }
  return out;
}

export interface SwitchCandidate {
  tool: 'setpriv' | 'su';
  /** The argv that runs `argv` as the target user. */
  wrap(argv: readonly string[]): string[];
}

export type SwitchPlan =
  | { ok: true; uid: number; name: string | null; candidates: SwitchCandidate[] }
  | { ok: false; message: string };

/**
 * With setpriv the session also can never become root again: no_new_privs makes the kernel ignore
 * setuid bits and file capabilities (a setuid-root binary in the image runs as the user), and the
 * capability bounding and inheritable sets are emptied. (su cannot do this; it is tried only after
 * setpriv, for images that have no capable setpriv.)
 */
export const SETPRIV_LOCKDOWN = ['--no-new-privs', '--bounding-set=-all', '--inh-caps=-all'] as const;

/** The constant script su runs: exec the argv given as positional parameters. */
export const SU_EXEC_SCRIPT = 'exec "$0" "$@"';

/**
 * Plans the switch to `user`. `passwd` is the container's /etc/passwd, or null if it could not be read
 * (then only a numeric uid can be used, through setpriv).
 */
export function planUserSwitch(user: ExecUser, passwd: PasswdEntry[] | null): SwitchPlan {
  const entry =
    passwd === null
      ? undefined
      : typeof user === 'number'
        ? passwd.find((e) => e.uid === user)
        : passwd.find((e) => e.name === user);
  if (entry === undefined && typeof user === 'string') {
    return {
      ok: false,
      message:
        passwd === null
          ? `the container's /etc/passwd cannot be read, so the user "${user}" cannot be looked up (configure a numeric uid instead)`
          : `the container has no user "${user}" in /etc/passwd`,
    };
  }
  if (entry !== undefined && entry.uid === 0) {
    return { ok: false, message: `the user "${entry.name}" has uid 0, which is root` };
  }
  const uid = entry?.uid ?? (user as number);
  const candidates: SwitchCandidate[] = [];
  if (entry !== undefined) {
    candidates.push({
      tool: 'setpriv',
      wrap: (argv) => [
        'setpriv',
        `--reuid=${uid}`,
        `--regid=${entry.gid}`,
        '--init-groups',
        ...SETPRIV_LOCKDOWN,
        '--',
        ...argv,
      ],
    });
    candidates.push({
      tool: 'su',
      wrap: (argv) => ['su', '-s', '/bin/sh', '-c', SU_EXEC_SCRIPT, '--', entry.name, ...argv],
    });
  } else {
    // A uid without a passwd entry: no name for su, no groups to initialise; group = uid by convention.
    candidates.push({
      tool: 'setpriv',
      wrap: (argv) => [
        'setpriv',
        `--reuid=${uid}`,
        `--regid=${uid}`,
        '--clear-groups',
        ...SETPRIV_LOCKDOWN,
        '--',
        ...argv,
      ],
    });
  }
  return { ok: true, uid, name: entry?.name ?? null, candidates };
}
