// How audit values read in the table and the session page. Pure.

import type { CommandFlag, KubeIdentity, SessionKind } from '../../shared/audit/api.js';

/** "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min", "3 d 4 h"; "running" when there is no end yet. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return 'running';
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.floor(s)} s`;
  const total = Math.floor(s);
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (total < 3600) return `${Math.floor(total / 60)} min ${pad(total % 60)} s`;
  if (total < 86400) return `${Math.floor(total / 3600)} h ${pad(Math.floor((total % 3600) / 60))} min`;
  return `${Math.floor(total / 86400)} d ${Math.floor((total % 86400) / 3600)} h`;
}

/** Binary units, as file sizes are usually shown: "0 B", "512 B", "1.5 KiB", "20 MiB". */
export function formatBytes(n: number | null): string {
  if (n === null) return '—';
  if (!Number.isFinite(n) || n < 0) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${value} B`;
  return `${value < 10 ? value.toFixed(1).replace(/\.0$/, '') : Math.round(value)} ${units[unit]}`;
}

/** A command line's time within the session: "+0:03.2", "+12:40.0", "+1:02:03.0". */
export function formatOffset(ms: number): string {
  const tenths = Math.max(0, Math.floor(ms / 100));
  const t = tenths % 10;
  const totalSeconds = Math.floor(tenths / 10);
  const s = totalSeconds % 60;
  const m = Math.floor(totalSeconds / 60) % 60;
  const h = Math.floor(totalSeconds / 3600);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `+${h}:${pad(m)}:${pad(s)}.${t}` : `+${m}:${pad(s)}.${t}`;
}

export const KIND_LABELS: Record<SessionKind, string> = {
  exec: 'Terminal',
  debug: 'Debug container',
  copy: 'Pod copy',
  'node-debug': 'Node debug',
  'file-list': 'File listing',
  'file-download': 'File download',
  'file-upload': 'File upload',
  'audit-view': 'Recording viewed',
};

/**
 * How and as whom Podscope called Kubernetes for a session, in a phrase: "impersonating dana@…",
 * "with their own token, as system:serviceaccount:…", "kubeconfig user admin", "ServiceAccount …".
 */
export function kubeIdentityText(kube: KubeIdentity | null, kind?: SessionKind): string {
  if (kube === null) return kind === 'audit-view' ? 'none (no Kubernetes call)' : 'not recorded';
  switch (kube.method) {
    case 'impersonation':
      return `impersonating ${kube.user}`;
    case 'token':
      return `with their own token, as ${kube.user}`;
    case 'service-account':
      return `Podscope's ServiceAccount ${kube.user}`;
    case 'kubeconfig':
      return `kubeconfig user ${kube.user}`;
  }
}

/** The person's email when it says more than the username. */
export function personEmail(s: { user: string; email: string | null }): string | null {
  return s.email !== null && s.email !== s.user ? s.email : null;
}

export const FLAG_LABELS: Record<CommandFlag, { label: string; title: string }> = {
  'tab-completion': {
    label: 'tab',
    title: 'Tab completion was used: the shell may have run more than what was typed.',
  },
  'history-recall': {
    label: 'history',
    title: 'The line came (partly) from shell history; what ran may differ from what is shown.',
  },
  cancelled: { label: 'cancelled', title: 'Ctrl-C discarded the line, or the session ended before Enter.' },
  paste: { label: 'pasted', title: 'The text was pasted.' },
  eof: { label: 'Ctrl-D', title: 'Ctrl-D on an empty line: the shell exits.' },
  'full-screen': {
    label: 'full-screen',
    title:
      'Keys typed while a full-screen program had the screen, shown as typed; special keys are in <angle brackets>.',
  },
};

/**
 * Sentences under the command list for flags that need more than a badge to be read right: what a
 * full-screen entry is and why it matters. Only for flags present in `commands`.
 */
export function commandFlagNotes(commands: readonly { flags: readonly CommandFlag[] }[]): string[] {
  const notes: string[] = [];
  if (commands.some((c) => c.flags.includes('full-screen'))) {
    notes.push(
      'Lines marked full-screen are the keys typed while a program had taken over the whole screen (an ' +
        'editor, a pager, top — or anything that printed the switch to it), shown exactly as typed with ' +
        'special keys such as <Enter> or <Esc> in angle brackets. They were not read as shell command lines, ' +
        'so they may be shell commands all the same: check the recording.',
    );
  }
  return notes;
}

/** Why a recording ends early, in a sentence, or null when it is complete. */
export function recordingNote(s: {
  startedAt: string;
  recordingTruncatedAt: string | null;
  details: Record<string, unknown>;
}): string | null {
  if (s.recordingTruncatedAt === null) return null;
  const at = formatOffset(Date.parse(s.recordingTruncatedAt) - Date.parse(s.startedAt));
  const max = s.details['recordingMaxBytes'];
  const limit = typeof max === 'number' ? ` of ${formatBytes(max)}` : '';
  return (
    `The recording stopped at ${at} because it reached its size limit${limit}; the session went on ` +
    'without being recorded. The command lines above cover the whole session.'
  );
}

/** The outcome column: exit code, still running, an error, or done (an action with a recorded outcome). */
export function sessionResult(s: {
  endedAt: string | null;
  exitCode: number | null;
  error: string | null;
  outcome?: Record<string, unknown> | null;
}): { text: string; tone: 'ok' | 'error' | 'warn' | 'muted' } {
  if (s.endedAt === null) return { text: 'running', tone: 'warn' };
  if (s.exitCode !== null) return { text: `exit ${s.exitCode}`, tone: s.exitCode === 0 ? 'ok' : 'error' };
  if (s.error) return { text: 'failed', tone: 'error' };
  if (s.outcome) return { text: 'done', tone: 'ok' };
  return { text: 'ended', tone: 'muted' };
}
/**
 * What the user asked to run. The recorded argv also carries Podscope's wrapping (the `env` cleanup tag,
 * the user switch), kept in full on the session page; terminal sessions note the request in `details`.
 */
export function requestedCommand(s: { command: string[]; details: Record<string, unknown> }): string[] {
  const requested = s.details['requestedCommand'];
  if (Array.isArray(requested) && requested.every((w) => typeof w === 'string')) return requested;
  const shell = s.details['shell'];
  if (typeof shell === 'string' && shell !== '') return [shell];
  return s.command;
}
