// The exec policy in words, shown before connecting. Pure.

import type { ExecPolicySource, ExecPolicyView } from '../../shared/terminal/api.js';

const SOURCE: Record<ExecPolicySource, string> = {
  config: 'Podscope configuration',
  'namespace-label': 'namespace label',
  default: 'built-in default',
};

export function policyTitle(p: ExecPolicyView): string {
  switch (p.policy) {
    case 'root-allowed':
      return "Root allowed: you enter as the container's own user";
    case 'non-root':
      return `Non-root: you enter as ${typeof p.user === 'number' ? `uid ${p.user}` : `user ${p.user ?? 'unknown'}`}`;
    case 'no-exec':
      return 'No exec: terminals are not allowed here';
  }
}

/** Where the policy comes from, with the config rule that applied (by name) when one did. */
export function policySource(p: ExecPolicyView): string {
  const source = SOURCE[p.source] ?? p.source;
  return p.rule ? `${source}, rule: ${p.rule}` : source;
}
