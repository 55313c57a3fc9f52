/**
 * Who may exec into a container, and as whom: the exec policy of a cluster/namespace.
 *
 * Three policies, from the most to the least permissive: `root-allowed` (the container's own user, often
 * root), `non-root` (enter as a configured ordinary user, whatever the image runs as) and `no-exec`.
 *
 * Where a policy comes from:
 * - the config file (`execPolicy.rules`, first matching rule; `execPolicy.default`);
 * - the namespace label `podscope.io/exec-policy` (one of the three names);
 * - the namespace label `podscope.io/environment`, mapped by `execPolicy.environments`
 *   (built in: `production` → non-root).
 * The *strictest* of the config rule and the labels wins: a label can tighten what the config says but
 * never loosen it, so a namespace marked production stays non-root whatever a broad rule allows.
 *
 * Fails closed: an unknown label value means no-exec; unreadable labels mean no-exec too (the strictest
 * policy a label could have selected).
 *
 * Pure: no I/O. Loading the file is config/podscope-config.ts.
 */

import {
  EXEC_POLICIES,
  type ExecPolicyName,
  type ExecUser,
  type ExecPolicySource,
} from '../../shared/terminal/api.js';

export { EXEC_POLICIES, type ExecPolicyName, type ExecUser };

export const EXEC_POLICY_LABEL = 'podscope.io/exec-policy';
export const ENVIRONMENT_LABEL = 'podscope.io/environment';

export interface PolicyChoice {
  policy: ExecPolicyName;
  /** For non-root: the user to enter as (default: `execPolicy.nonRootUser`). */
  user?: ExecUser;
}

export interface ExecPolicyRule extends PolicyChoice {
  /** Cluster name; `*` matches any run of characters. Absent: every cluster. */
  cluster?: string;
  /** Namespace name; `*` matches any run of characters. Absent: every namespace. */
  namespace?: string;
}

export interface ExecPolicyConfig {
  /** When no rule and no label applies. Built-in default: root-allowed (local mode, your own cluster). */
  default: PolicyChoice;
  /** Used by non-root when the rule or environment names no user. Built-in default: 65534 (nobody). */
  nonRootUser: ExecUser;
  /** Value of the `podscope.io/environment` label → policy. */
  environments: Record<string, PolicyChoice>;
  rules: ExecPolicyRule[];
  /**
   * Clusters (names or `*` patterns) where node debugging may be offered. Local mode defaults to every
   * cluster (RBAC still decides, as for `kubectl debug node/…`); a platform config lists them or none.
   */
  nodeDebug: { clusters: string[] };
}

export const DEFAULT_EXEC_POLICY_CONFIG: ExecPolicyConfig = {
  default: { policy: 'root-allowed' },
  nonRootUser: 65534,
  environments: { production: { policy: 'non-root' } },
  rules: [],
  nodeDebug: { clusters: ['*'] },
};

/** Whether a config rule enables node debugging for `cluster`. */
export function nodeDebugEnabled(config: ExecPolicyConfig, cluster: string): boolean {
  return config.nodeDebug.clusters.some((pattern) => matches(pattern, cluster));
}

export type PolicySource = ExecPolicySource;

export interface ResolvedExecPolicy {
  policy: ExecPolicyName;
  /** Set for non-root only. */
  user?: ExecUser;
  source: PolicySource;
  /** A sentence for the UI and the audit record: why this policy applies. */
  reason: string;
}

export interface PolicyTarget {
  cluster: string;
  namespace: string;
  /** The namespace's labels; null when they could not be read (e.g. RBAC forbids reading namespaces). */
  namespaceLabels: Record<string, string> | null;
}

const STRICTNESS: Record<ExecPolicyName, number> = { 'root-allowed': 0, 'non-root': 1, 'no-exec': 2 };

interface Candidate extends PolicyChoice {
  source: PolicySource;
  reason: string;
}

export function resolveExecPolicy(config: ExecPolicyConfig, target: PolicyTarget): ResolvedExecPolicy {
  const candidates: Candidate[] = [];
  const ruleIndex = config.rules.findIndex(
    (r) => matches(r.cluster, target.cluster) && matches(r.namespace, target.namespace),
  );
  const rule = config.rules[ruleIndex];
  if (rule !== undefined) {
    candidates.push({
      ...rule,
      source: 'config',
      reason: `config rule ${ruleIndex + 1} (${describeRule(rule)})`,
    });
  }
  candidates.push(...labelCandidates(config, target.namespaceLabels));
  if (candidates.length === 0) {
    candidates.push({ ...config.default, source: 'default', reason: 'no rule or namespace label applies' });
  }
  // Strictest wins; on a tie the earlier (config before label) keeps its place.
  let chosen = candidates[0] as Candidate;
  for (const c of candidates) if (STRICTNESS[c.policy] > STRICTNESS[chosen.policy]) chosen = c;
  const resolved: ResolvedExecPolicy = {
    policy: chosen.policy,
    source: chosen.source,
    reason: `${describePolicy(chosen.policy)}: ${chosen.reason}.`,
  };
  if (chosen.policy === 'non-root') resolved.user = chosen.user ?? config.nonRootUser;
  return resolved;
}

function labelCandidates(config: ExecPolicyConfig, labels: Record<string, string> | null): Candidate[] {
  if (labels === null) {
    // We cannot see the labels, and a `podscope.io/exec-policy=no-exec` label may be there: fail closed.
    return [
      {
        policy: 'no-exec',
        source: 'namespace-label',
        reason: `the namespace's labels could not be read, so the strictest policy a label could set applies (as if ${EXEC_POLICY_LABEL}=no-exec)`,
      },
    ];
  }
  const out: Candidate[] = [];
  const explicit = labels[EXEC_POLICY_LABEL];
  if (explicit !== undefined) {
    const known = (EXEC_POLICIES as readonly string[]).includes(explicit);
    out.push({
      policy: known ? (explicit as ExecPolicyName) : 'no-exec',
      source: 'namespace-label',
      reason: known
        ? `namespace label ${EXEC_POLICY_LABEL}=${explicit}`
        : `namespace label ${EXEC_POLICY_LABEL} has the unknown value "${explicit}" (expected ${EXEC_POLICIES.join(', ')})`,
    });
  }
  const env = labels[ENVIRONMENT_LABEL];
  const envChoice = env === undefined ? undefined : config.environments[env];
  if (env !== undefined && envChoice !== undefined) {
    out.push({
      ...envChoice,
      source: 'namespace-label',
      reason: `namespace label ${ENVIRONMENT_LABEL}=${env}`,
    });
  }
  return out;
}

function describePolicy(policy: ExecPolicyName): string {
  switch (policy) {
    case 'root-allowed':
      return "Exec as the container's own user is allowed";
    case 'non-root':
      return 'Exec only as an ordinary (non-root) user';
    case 'no-exec':
      return 'Exec is not allowed';
  }
}

function describeRule(rule: ExecPolicyRule): string {
  return `cluster ${rule.cluster ?? '*'}, namespace ${rule.namespace ?? '*'}`;
}

/** Exact match, or a pattern where `*` stands for any characters. Absent pattern: matches everything. */
function matches(pattern: string | undefined, value: string): boolean {
  if (pattern === undefined) return true;
  if (!pattern.includes('*')) return pattern === value;
  const re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
  return re.test(value);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** How the policy is written in the audit record. */
export function policyLabel(p: ResolvedExecPolicy): string {
  const who = p.policy === 'non-root' ? ` as ${String(p.user)}` : '';
  return `${p.policy}${who} (${p.source}: ${p.reason})`;
}

/**
 * Validates the `execPolicy` section of the config file (already JSON-parsed) and fills in defaults.
 * Throws an Error naming the offending field: a typo in a security setting must stop the server.
 */
export function parseExecPolicyConfig(raw: unknown, where = 'execPolicy'): ExecPolicyConfig {
  if (raw === undefined) return DEFAULT_EXEC_POLICY_CONFIG;
  const obj = record(raw, where);
  onlyKeys(obj, ['default', 'nonRootUser', 'environments', 'rules', 'nodeDebug'], where);
  const config: ExecPolicyConfig = {
    default:
      obj['default'] === undefined
        ? DEFAULT_EXEC_POLICY_CONFIG.default
        : choice(obj['default'], `${where}.default`),
    nonRootUser:
      obj['nonRootUser'] === undefined
        ? DEFAULT_EXEC_POLICY_CONFIG.nonRootUser
        : parseExecUser(obj['nonRootUser'], `${where}.nonRootUser`),
    environments: { ...DEFAULT_EXEC_POLICY_CONFIG.environments },
    rules: [],
    nodeDebug: { clusters: [...DEFAULT_EXEC_POLICY_CONFIG.nodeDebug.clusters] },
  };
  if (obj['nodeDebug'] !== undefined) {
    const nd = record(obj['nodeDebug'], `${where}.nodeDebug`);
    onlyKeys(nd, ['clusters'], `${where}.nodeDebug`);
    const clusters = nd['clusters'];
    if (!Array.isArray(clusters) || clusters.some((c) => typeof c !== 'string' || c === '')) {
      throw new Error(`${where}.nodeDebug.clusters must be a list of cluster names or patterns`);
    }
    config.nodeDebug = { clusters: clusters as string[] };
  }
  if (obj['environments'] !== undefined) {
    const envs = record(obj['environments'], `${where}.environments`);
    config.environments = {};
    for (const [name, value] of Object.entries(envs)) {
      config.environments[name] = choice(value, `${where}.environments.${name}`);
    }
  }
  if (obj['rules'] !== undefined) {
    if (!Array.isArray(obj['rules'])) throw new Error(`${where}.rules must be a list`);
    config.rules = obj['rules'].map((value: unknown, i) => {
      const at = `${where}.rules[${i}]`;
      const r = record(value, at);
      onlyKeys(r, ['cluster', 'namespace', 'policy', 'user'], at);
      const rule: ExecPolicyRule = choice({ policy: r['policy'], user: r['user'] }, at);
      for (const key of ['cluster', 'namespace'] as const) {
        const v = r[key];
        if (v === undefined) continue;
        if (typeof v !== 'string' || v === '')
          throw new Error(`${at}.${key} must be a non-empty name or pattern`);
        rule[key] = v;
      }
      return rule;
    });
  }
  return config;
}

function choice(raw: unknown, where: string): PolicyChoice {
  const obj = record(raw, where);
  onlyKeys(obj, ['policy', 'user'], where);
  const policy = obj['policy'];
  if (typeof policy !== 'string' || !(EXEC_POLICIES as readonly string[]).includes(policy)) {
    throw new Error(`${where}.policy must be one of ${EXEC_POLICIES.join(', ')}`);
  }
  const out: PolicyChoice = { policy: policy as ExecPolicyName };
  if (obj['user'] !== undefined) {
    if (policy !== 'non-root') throw new Error(`${where}.user only makes sense with policy non-root`);
    out.user = parseExecUser(obj['user'], `${where}.user`);
  }
  return out;
}

/** A uid (1..2^31-1) or a user name as useradd accepts it; root (0, "root") is refused. */
export function parseExecUser(raw: unknown, where: string): ExecUser {
  if (typeof raw === 'number') {
    if (!Number.isInteger(raw) || raw < 1 || raw > 2 ** 31 - 1) {
      throw new Error(`${where} must be a uid from 1 to 2147483647 (0 is root)`);
    }
    return raw;
  }
  if (typeof raw !== 'string' || !/^[a-z_][a-z0-9_.-]{0,31}\$?$/i.test(raw)) {
    throw new Error(`${where} must be a uid or a user name (letters, digits, _ . -)`);
  }
  if (raw === 'root') throw new Error(`${where} must not be root`);
  return raw;
}

function record(raw: unknown, where: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new Error(`${where} must be an object`);
  return raw as Record<string, unknown>;
}

function onlyKeys(obj: Record<string, unknown>, allowed: string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw new Error(`${where} has an unknown field "${key}" (allowed: ${allowed.join(', ')})`);
    }
  }
}
