// `podscope diagnose` output for a terminal: the sentence first, then the evidence, the fix and the next
// steps — with the kubectl command for each step, so a runbook can follow it without Podscope's UI.
// Pure: colour is a parameter.

import type {
  Evidence,
  Finding,
  NamespaceDiagnosis,
  NextStep,
  PodDiagnosis,
} from '../../shared/diagnosis/types.js';

export interface ReportStyle {
  color: boolean;
}

const CODES = { red: 31, yellow: 33, green: 32, dim: 2, bold: 1, cyan: 36 } as const;
type Paint = (code: keyof typeof CODES, text: string) => string;

function painter(style: ReportStyle): Paint {
  return (code, text) => (style.color ? `\u001b[${CODES[code]}m${text}\u001b[0m` : text);
}

const MARK = { error: '✖', warning: '!', info: 'i' } as const;
const MARK_COLOR = { error: 'red', warning: 'yellow', info: 'dim' } as const;

/** Control characters in cluster-provided text are shown, never interpreted by the terminal. */
export function safe(text: string): string {
  return text.replace(
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

function one(text: string): string {
  return safe(text.replace(/\s*\n\s*/g, ' ⏎ ').trim());
}

function evidenceLine(e: Evidence): string {
  switch (e.kind) {
    case 'field':
      return `${e.label}: ${e.object ? `${e.object} ` : ''}${e.path} = ${one(e.value)}${e.time ? `  (${e.time})` : ''}`;
    case 'event':
      return `event ${e.type} ${e.reason}${e.count > 1 ? ` ×${e.count}` : ''}${e.lastSeen ? ` (last ${e.lastSeen})` : ''} on ${e.object}${e.fieldPath ? ` ${e.fieldPath}` : ''}: ${one(e.message)}`;
    case 'log':
      return `log ${e.container}${e.previous ? ' (previous)' : ''}${e.time ? ` ${e.time}` : ''}: ${one(e.text)}`;
  }
}

/** The kubectl command that does what a next step does in the UI. */
export function kubectlFor(step: NextStep, namespace: string, pod: string): string {
  const ns = `-n ${namespace}`;
  switch (step.action) {
    case 'logs':
      return `kubectl logs ${ns} ${pod} -c ${step.container}${step.previous ? ' --previous' : ''}`;
    case 'events':
      return `kubectl events ${ns} --for pod/${pod}`;
    case 'containers':
      return `kubectl describe pod ${ns} ${pod}`;
    case 'debug-copy':
      return `kubectl debug ${ns} ${pod} -it --copy-to=${pod}-debug --container=${step.container} -- sh`;
    case 'debug-container':
      return `kubectl debug ${ns} ${pod} -it --target=${step.container} --image=busybox`;
    case 'terminal':
      return `kubectl exec ${ns} -it ${pod} -c ${step.container} -- sh`;
    case 'pod':
      return `podscope diagnose ${ns} ${step.pod}`;
  }
}

function findingLines(f: Finding, d: PodDiagnosis, paint: Paint): string[] {
  const out = [
    `${paint(MARK_COLOR[f.severity], MARK[f.severity])} ${paint('bold', one(f.summary))}  ${paint('dim', `[${f.id}]`)}`,
  ];
  if (f.hint) out.push(`  ${paint('cyan', 'Fix:')} ${one(f.hint)}`);
  if (f.evidence.length) {
    out.push(`  ${paint('dim', 'Evidence:')}`);
    for (const e of f.evidence) out.push(`    ${evidenceLine(e)}`);
  }
  if (f.nextSteps.length) {
    out.push(`  ${paint('dim', 'Next:')}`);
    for (const s of f.nextSteps)
      out.push(`    ${s.label}: ${paint('dim', kubectlFor(s, d.namespace, d.pod))}`);
  }
  for (const g of f.gaps) out.push(`  ${paint('yellow', 'Could not read:')} ${one(g)}`);
  return out;
}

export function podReport(d: PodDiagnosis, style: ReportStyle): string {
  const paint = painter(style);
  const lines = [`${paint('bold', `${d.namespace}/${d.pod}`)} — ${safe(d.status)}`];
  if (d.healthy) lines.push(`${paint('green', '✔')} ${one(d.headline)}`);
  for (const f of d.findings) lines.push('', ...findingLines(f, d, paint));
  if (d.findings.length === 0) {
    for (const g of d.gaps) lines.push(`${paint('yellow', 'Could not read:')} ${one(g.reason)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function namespaceReport(n: NamespaceDiagnosis, style: ReportStyle): string {
  const paint = painter(style);
  const lines = [
    `${paint('bold', n.namespace)}: ${n.pods} pod${n.pods === 1 ? '' : 's'}, ${n.problemPods} with problems`,
  ];
  if (n.groups.length === 0) lines.push(`${paint('green', '✔')} No problems found.`);
  for (const g of n.groups) {
    lines.push(
      `${paint(MARK_COLOR[g.severity], MARK[g.severity])} ${one(g.sentence)}: ${g.pods.join(', ')}  ${paint('dim', `[${g.id}]`)}`,
    );
  }
  for (const d of n.diagnoses.filter((x) => !x.healthy)) {
    lines.push('', `${paint('bold', d.pod)} — ${safe(d.status)}`, `  ${one(d.headline)}`);
    const first = d.findings[0];
    if (first?.hint) lines.push(`  ${paint('cyan', 'Fix:')} ${one(first.hint)}`);
  }
  const reasons = [...new Set(n.gaps.map((g) => `${g.source}: ${g.reason}`))];
  for (const r of reasons) lines.push(`${paint('yellow', 'Could not read')} ${one(r)}`);
  return `${lines.join('\n')}\n`;
}
