import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  configNamesGroups,
  DEFAULT_EXEC_POLICY_CONFIG,
  parseExecPolicyConfig,
  policyLabel,
  resolveExecPolicy,
  type ExecPolicyConfig,
} from './exec-policy.js';

const target = (namespace: string, labels: Record<string, string> | null = {}, cluster = 'prod-eu') => ({
  cluster,
  namespace,
  namespaceLabels: labels,
});

const config: ExecPolicyConfig = parseExecPolicyConfig({
  nonRootUser: 'app',
  rules: [
    { cluster: 'prod-*', namespace: 'payments', policy: 'no-exec' },
    { cluster: 'prod-*', policy: 'non-root', user: 1000 },
    { namespace: 'sandbox-*', policy: 'root-allowed' },
  ],
});

describe('resolveExecPolicy', () => {
  it('uses the built-in default when nothing matches: root-allowed', () => {
    const p = resolveExecPolicy(DEFAULT_EXEC_POLICY_CONFIG, target('shop'));
    assert.equal(p.policy, 'root-allowed');
    assert.equal(p.source, 'default');
    assert.equal(p.user, undefined);
  });

  it('takes the first matching config rule, with its user', () => {
    assert.deepEqual(resolveExecPolicy(config, target('payments')).policy, 'no-exec');
    const p = resolveExecPolicy(config, target('shop'));
    assert.equal(p.policy, 'non-root');
    assert.equal(p.user, 1000);
    assert.equal(p.source, 'config');
    assert.match(p.reason, /config rule 2 \(cluster prod-\*, namespace \*\)/);
  });

  it('matches * patterns on the whole name only', () => {
    assert.equal(resolveExecPolicy(config, target('sandbox-1', {}, 'dev')).policy, 'root-allowed');
    assert.equal(resolveExecPolicy(config, target('shop', {}, 'preprod-eu')).source, 'default');
    assert.equal(resolveExecPolicy(config, target('my-sandbox-1', {}, 'dev')).source, 'default');
  });

  it('treats regex characters in patterns literally', () => {
    const c = parseExecPolicyConfig({ rules: [{ cluster: 'a.b*', policy: 'no-exec' }] });
    assert.equal(resolveExecPolicy(c, target('x', {}, 'a.b-1')).policy, 'no-exec');
    assert.equal(resolveExecPolicy(c, target('x', {}, 'axb-1')).policy, 'root-allowed');
  });

  it('maps podscope.io/environment=production to non-root with the default user', () => {
    const p = resolveExecPolicy(config, target('shop', { 'podscope.io/environment': 'production' }, 'dev'));
    assert.equal(p.policy, 'non-root');
    assert.equal(p.user, 'app');
    assert.equal(p.source, 'namespace-label');
    assert.match(p.reason, /podscope\.io\/environment=production/);
  });

  it('ignores environments the config does not map', () => {
    const p = resolveExecPolicy(config, target('shop', { 'podscope.io/environment': 'staging' }, 'dev'));
    assert.equal(p.source, 'default');
  });

  it('honours podscope.io/exec-policy', () => {
    const p = resolveExecPolicy(config, target('shop', { 'podscope.io/exec-policy': 'no-exec' }, 'dev'));
    assert.equal(p.policy, 'no-exec');
    assert.equal(p.source, 'namespace-label');
  });

  it('lets a label tighten a config rule but never loosen it', () => {
    const tightened = resolveExecPolicy(
      config,
      target('sandbox-1', { 'podscope.io/environment': 'production' }, 'dev'),
    );
    assert.equal(tightened.policy, 'non-root');
    const notLoosened = resolveExecPolicy(
      config,
      target('payments', { 'podscope.io/exec-policy': 'root-allowed' }),
    );
    assert.equal(notLoosened.policy, 'no-exec');
    assert.equal(notLoosened.source, 'config');
  });

  it('keeps the config rule (and its user) when a label asks for the same policy', () => {
    const p = resolveExecPolicy(config, target('shop', { 'podscope.io/environment': 'production' }));
    assert.equal(p.source, 'config');
    assert.equal(p.user, 1000);
  });

  it('fails closed on an unknown label value', () => {
    const p = resolveExecPolicy(config, target('shop', { 'podscope.io/exec-policy': 'sometimes' }, 'dev'));
    assert.equal(p.policy, 'no-exec');
    assert.match(p.reason, /unknown value "sometimes"/);
  });

  it('fails closed (no-exec) when the labels cannot be read: a label could have said no-exec', () => {
    const p = resolveExecPolicy(config, target('shop', null, 'dev'));
    assert.equal(p.policy, 'no-exec');
    assert.match(p.reason, /could not be read/);
    const noEnvs = parseExecPolicyConfig({ environments: {} });
    assert.equal(resolveExecPolicy(noEnvs, target('shop', null, 'dev')).policy, 'no-exec');
  });

  it('describes the policy for the audit record', () => {
    const p = resolveExecPolicy(config, target('shop'));
    assert.match(policyLabel(p), /^non-root as 1000 \(config: /);
  });
});

describe('rules that name groups', () => {
  // The example: platform-admins may get root in production, everyone else non-root.
  const byGroup = parseExecPolicyConfig({
    rules: [
      {
        name: 'admins get root in production',
        namespace: 'production',
        groups: ['platform-admins', 'sre'],
        policy: 'root-allowed',
      },
      { name: 'production is non-root', namespace: 'production', policy: 'non-root', user: 1000 },
    ],
  });
  const as = (groups: string[] | undefined, labels: Record<string, string> | null = {}) =>
    resolveExecPolicy(byGroup, {
      cluster: 'prod-eu',
      namespace: 'production',
      namespaceLabels: labels,
      groups,
    });

  it('applies a group rule to a member, naming the rule and the group that matched', () => {
    const p = as(['system:authenticated', 'platform-admins']);
    assert.equal(p.policy, 'root-allowed');
    assert.equal(p.rule, 'admins get root in production');
    assert.equal(
      p.reason,
      'Exec as the container\'s own user is allowed: config rule "admins get root in production" (cluster *, namespace production, groups platform-admins, sre; you are in platform-admins).',
    );
  });

  it('passes over it for everyone else, to the next matching rule', () => {
    const p = as(['system:authenticated', 'dev-team']);
    assert.equal(p.policy, 'non-root');
    assert.equal(p.user, 1000);
    assert.equal(p.rule, 'production is non-root');
    assert.match(p.reason, /config rule "production is non-root" \(cluster \*, namespace production\)/);
    assert.equal(as([]).rule, 'production is non-root');
  });

  it('matches group names exactly (no patterns, no case folding)', () => {
    assert.equal(as(['Platform-Admins']).rule, 'production is non-root');
    assert.equal(as(['platform-admins-2']).rule, 'production is non-root');
  });

  it('a group rule never loosens a namespace label', () => {
    const p = as(['platform-admins'], { 'podscope.io/exec-policy': 'no-exec' });
    assert.equal(p.policy, 'no-exec');
    assert.equal(p.source, 'namespace-label');
    assert.equal(p.rule, null);
  });

  it('a group rule can be the stricter one, e.g. contractors get no terminal anywhere', () => {
    const c = parseExecPolicyConfig({ rules: [{ groups: ['contractors'], policy: 'no-exec' }] });
    const t = (groups: string[]) =>
      resolveExecPolicy(c, { cluster: 'x', namespace: 'y', namespaceLabels: {}, groups });
    assert.equal(t(['contractors']).policy, 'no-exec');
    assert.equal(t(['contractors']).rule, 'rule 1');
    assert.equal(t(['staff']).policy, 'root-allowed');
    assert.equal(t(['staff']).rule, null);
  });

  it('refuses to guess when the groups are not known (the caller must ask for them)', () => {
    assert.throws(() => as(undefined), /names groups, but the person’s groups were not given/);
    // Rules without groups need none.
    assert.equal(
      resolveExecPolicy(config, { cluster: 'prod-eu', namespace: 'shop', namespaceLabels: {} }).rule,
      'rule 2',
    );
  });

  it('says whether resolving needs the groups', () => {
    assert.equal(configNamesGroups(byGroup), true);
    assert.equal(configNamesGroups(config), false);
  });
});

describe('parseExecPolicyConfig', () => {
  it('gives the defaults for an absent section', () => {
    assert.deepEqual(parseExecPolicyConfig(undefined), DEFAULT_EXEC_POLICY_CONFIG);
  });

  const bad: [unknown, RegExp][] = [
    [[], /execPolicy must be an object/],
    [{ defualt: {} }, /unknown field "defualt"/],
    [
      { default: { policy: 'yes' } },
      /execPolicy\.default\.policy must be one of root-allowed, non-root, no-exec/,
    ],
    [{ nonRootUser: 0 }, /uid from 1.*0 is root/],
    [{ nonRootUser: 'root' }, /must not be root/],
    [{ nonRootUser: 'a b' }, /uid or a user name/],
    [{ nonRootUser: 1.5 }, /uid from 1/],
    [{ rules: {} }, /rules must be a list/],
    [{ rules: [{ policy: 'no-exec', namespace: '' }] }, /rules\[0\]\.namespace must be a non-empty/],
    [
      { rules: [{ policy: 'root-allowed', user: 5 }] },
      /rules\[0\]\.user only makes sense with policy non-root/,
    ],
    [{ rules: [{ policy: 'no-exec', pod: 'x' }] }, /rules\[0\] has an unknown field "pod"/],
    [{ environments: { production: 'non-root' } }, /environments\.production must be an object/],
    [{ rules: [{ policy: 'no-exec', groups: [] }] }, /rules\[0\]\.groups must be a non-empty list/],
    [{ rules: [{ policy: 'no-exec', groups: 'admins' }] }, /rules\[0\]\.groups must be a non-empty list/],
    [{ rules: [{ policy: 'no-exec', groups: ['ok', ''] }] }, /rules\[0\]\.groups\[1\] must be a group name/],
    [{ rules: [{ policy: 'no-exec', groups: [' admins'] }] }, /groups\[0\] must be a group name/],
    [{ rules: [{ policy: 'no-exec', groups: [7] }] }, /groups\[0\] must be a group name/],
    [{ rules: [{ policy: 'no-exec', name: '' }] }, /rules\[0\]\.name must be 1 to 64 visible/],
    [{ rules: [{ policy: 'no-exec', name: 'x'.repeat(65) }] }, /rules\[0\]\.name must be 1 to 64/],
    [{ rules: [{ policy: 'no-exec', name: 'tab\there' }] }, /rules\[0\]\.name must be 1 to 64/],
    [
      {
        rules: [
          { policy: 'no-exec', name: 'same' },
          { policy: 'non-root', name: 'same' },
        ],
      },
      /rules\[1\]\.name "same" is already the name of execPolicy\.rules\[0\]; names must be unique/,
    ],
  ];
  for (const [raw, message] of bad) {
    it(`rejects ${JSON.stringify(raw)}`, () => {
      assert.throws(() => parseExecPolicyConfig(raw), message);
    });
  }

  it('replaces the built-in environments when given', () => {
    const c = parseExecPolicyConfig({ environments: { prod: { policy: 'no-exec' } } });
    assert.deepEqual(c.environments, { prod: { policy: 'no-exec' } });
  });
});
