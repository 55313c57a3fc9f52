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
 * A rule may name `groups`: it then applies only to people in at least one of them (the groups of the
 * person's identity — their token's, the impersonated ones, or in local mode the kubeconfig user's as a
 * SelfSubjectReview tells). So `platform-admins` may get root where everyone else gets non-root: put the
 * group rule first. A rule may have a `name`, which the terminal shows before connecting and the audit
 * record keeps ("which rule applied").
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
  /** A name people see ("which rule applied"); unique among the rules. */
  name?: string;
  /** The rule applies only to members of at least one of these groups. Absent: to everyone. */
  groups?: string[];
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
  /** The config rule that applied (its name, or `rule N`); null when a label or the default decided. */
  rule: string | null;
  /** A sentence for the UI and the audit record: why this policy applies. */
  reason: string;
}

export interface PolicyTarget {
  cluster: string;
  namespace: string;
  /** The namespace's labels; null when they could not be read (e.g. RBAC forbids reading namespaces). */
  namespaceLabels: Record<string, string> | null;
  /**
   * The person's groups. Needed (an Error otherwise: a caller bug) when a rule names groups; see
   * configNamesGroups.
   */
  groups?: readonly string[];
}

/** Whether any rule names groups, so resolving needs the person's groups. */
export function configNamesGroups(config: ExecPolicyConfig): boolean {
  return config.rules.some((r) => r.groups !== undefined);
}

const STRICTNESS: Record<ExecPolicyName, number> = { 'root-allowed': 0, 'non-root': 1, 'no-exec': 2 };

interface Candidate extends PolicyChoice {
  source: PolicySource;
  rule: string | null;
  reason: string;
}

/** The groups of `groups` the rule names (all of them matter for "why"); null: the rule names none. */
function groupsMatched(rule: ExecPolicyRule, groups: readonly string[] | undefined): string[] | null {
  if (rule.groups === undefined) return null;
  if (groups === undefined) {
    throw new Error('an exec policy rule names groups, but the person’s groups were not given');
  }
  return rule.groups.filter((g) => groups.includes(g));
}

export function resolveExecPolicy(config: ExecPolicyConfig, target: PolicyTarget): ResolvedExecPolicy {
  const candidates: Candidate[] = [];
  const ruleIndex = config.rules.findIndex(
    (r) =>
      matches(r.cluster, target.cluster) &&
      matches(r.namespace, target.namespace) &&
      (groupsMatched(r, target.groups)?.length ?? 1) > 0,
  );
  const rule = config.rules[ruleIndex];
  if (rule !== undefined) {
    const inGroups = groupsMatched(rule, target.groups);
    const member = inGroups === null ? '' : `; you are in ${inGroups.join(', ')}`;
    candidates.push({
      policy: rule.policy,
      ...(rule.user === undefined ? {} : { user: rule.user }),
      source: 'config',
      rule: ruleName(rule, ruleIndex),
      reason: `config rule ${rule.name === undefined ? ruleIndex + 1 : `"${rule.name}"`} (${describeRule(rule)}${member})`,
    });
  }
  candidates.push(...labelCandidates(config, target.namespaceLabels));
  if (candidates.length === 0) {
    candidates.push({
      ...config.default,
      source: 'default',
      rule: null,
      reason: 'no rule or namespace label applies',
    });
  }
  // Strictest wins; on a tie the earlier (config before label) keeps its place.
  let chosen = candidates[0] as Candidate;
  for (const c of candidates) if (STRICTNESS[c.policy] > STRICTNESS[chosen.policy]) chosen = c;
  const resolved: ResolvedExecPolicy = {
    policy: chosen.policy,
    source: chosen.source,
    rule: chosen.rule,
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
        rule: null,
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
      rule: null,
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
      rule: null,
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
  const groups = rule.groups === undefined ? '' : `, groups ${rule.groups.join(', ')}`;
  return `cluster ${rule.cluster ?? '*'}, namespace ${rule.namespace ?? '*'}${groups}`;
}

/** How a rule is named to people: its name, or its place in the list. */
function ruleName(rule: ExecPolicyRule, index: number): string {
  return rule.name ?? `rule ${index + 1}`;
}

/** Exact match, or a pattern where `*` stands for any characters. Absent pattern: matches everything. */
export function matches(pattern: string | undefined, value: string): boolean {
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
      onlyKeys(r, ['name', 'groups', 'cluster', 'namespace', 'policy', 'user'], at);
      const rule: ExecPolicyRule = choice({ policy: r['policy'], user: r['user'] }, at);
      if (r['name'] !== undefined) rule.name = ruleNameParam(r['name'], `${at}.name`);
      if (r['groups'] !== undefined) rule.groups = groupsParam(r['groups'], `${at}.groups`);
      for (const key of ['cluster', 'namespace'] as const) {
        const v = r[key];
        if (v === undefined) continue;
        if (typeof v !== 'string' || v === '')
          throw new Error(`${at}.${key} must be a non-empty name or pattern`);
        rule[key] = v;
      }
      return rule;
    });
    const seen = new Map<string, number>();
    config.rules.forEach((rule, i) => {
      if (rule.name === undefined) return;
      const first = seen.get(rule.name);
      if (first !== undefined) {
        throw new Error(
          `${where}.rules[${i}].name "${rule.name}" is already the name of ${where}.rules[${first}]; names must be unique`,
        );
      }
      seen.set(rule.name, i);
    });
  }
  return config;
}

/** A rule's name: what people read in the terminal and the audit, so short visible text. */
function ruleNameParam(raw: unknown, where: string): string {
  if (typeof raw !== 'string' || !/^[\x21-\x7e](?:[\x20-\x7e]{0,62}[\x21-\x7e])?$/.test(raw)) {
    throw new Error(`${where} must be 1 to 64 visible ASCII characters (spaces only inside)`);
  }
  return raw;
}

/** Group names as Kubernetes spells them (any non-empty string, e.g. system:serviceaccounts:team-a). */
function groupsParam(raw: unknown, where: string): string[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new Error(`${where} must be a non-empty list of group names (leave it out to match everyone)`);
  }
  return raw.map((g: unknown, i) => {
    if (typeof g !== 'string' || g.trim() === '' || g !== g.trim() || g.length > 256) {
      throw new Error(
        `${where}[${i}] must be a group name as Kubernetes gives it (1 to 256 characters, no surrounding spaces)`,
      );
    }
    return g;
  });
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
