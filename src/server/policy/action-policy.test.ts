import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideAction, decisionLabel, POLICY_ACTIONS, type PolicyAction } from './action-policy.js';
import type { ResolvedExecPolicy } from './exec-policy.js';

const rootAllowed: ResolvedExecPolicy = {
  policy: 'root-allowed',
  source: 'default',
  rule: null,
  reason: "Exec as the container's own user is allowed: no rule or namespace label applies.",
};
const nonRoot = (user: number | string = 1000): ResolvedExecPolicy => ({
  policy: 'non-root',
  user,
  source: 'namespace-label',
  rule: null,
  reason: 'Exec only as an ordinary (non-root) user: namespace label podscope.io/environment=production.',
});
const noExec: ResolvedExecPolicy = {
  policy: 'no-exec',
  source: 'config',
  rule: 'rule 1',
  reason: 'Exec is not allowed: config rule 1 (cluster *, namespace payments).',
};

const CONTAINER_ACTIONS = POLICY_ACTIONS.filter((a) => a !== 'node-debug');

describe('decideAction: one decision for every door', () => {
  it('no-exec refuses every action with a sentence naming the action and the rule', () => {
    for (const action of POLICY_ACTIONS) {
      const d = decideAction(noExec, { action, nodeDebugEnabled: true });
      assert.equal(d.verdict, 'refuse', action);
      assert.ok(d.verdict === 'refuse');
      assert.match(d.reason, /not allowed here: Exec is not allowed: config rule 1/);
    }
  });

  it('root-allowed allows every container action as the container’s own user', () => {
    for (const action of CONTAINER_ACTIONS) {
      assert.equal(decideAction(rootAllowed, { action, profile: 'sysadmin' }).verdict, 'allow', action);
    }
  });

  it('non-root runs terminals and file operations as the policy’s user', () => {
    for (const action of ['terminal', 'file-list', 'file-download', 'file-upload'] as PolicyAction[]) {
      const d = decideAction(nonRoot('app'), { action });
      assert.deepEqual([d.verdict, d.verdict === 'allow-as-user' && d.user], ['allow-as-user', 'app']);
    }
  });

  it('non-root refuses root-level debug profiles and uid 0 for debug containers and copies', () => {
    for (const action of ['debug-container', 'pod-copy'] as PolicyAction[]) {
      for (const profile of ['netadmin', 'sysadmin'] as const) {
        const d = decideAction(nonRoot(), { action, profile });
        assert.equal(d.verdict, 'refuse');
        assert.ok(d.verdict === 'refuse' && d.reason.includes(`the ${profile} profile`));
      }
      const root = decideAction(nonRoot(), { action, profile: 'general', runAsUser: 0 });
      assert.ok(root.verdict === 'refuse' && /uid 0 is root/.test(root.reason));
    }
  });

  it('non-root gives debug containers the asked non-zero uid, else the policy’s numeric uid', () => {
    const asked = decideAction(nonRoot(), { action: 'debug-container', profile: 'general', runAsUser: 4242 });
    assert.ok(asked.verdict === 'allow-as-user' && asked.user === 4242);
    const dflt = decideAction(nonRoot(), { action: 'pod-copy', profile: 'restricted' });
    assert.ok(dflt.verdict === 'allow-as-user' && dflt.user === 1000);
    const named = decideAction(nonRoot('app'), { action: 'debug-container', profile: 'baseline' });
    assert.ok(named.verdict === 'refuse' && /numeric uid/.test(named.reason));
  });

  it('node debugging needs a config rule for the cluster, and is refused under non-root', () => {
    assert.equal(
      decideAction(rootAllowed, { action: 'node-debug', nodeDebugEnabled: true }).verdict,
      'allow',
    );
    const off = decideAction(rootAllowed, { action: 'node-debug', nodeDebugEnabled: false });
    assert.ok(off.verdict === 'refuse' && /nodeDebug\.clusters/.test(off.reason));
    const nr = decideAction(nonRoot(), { action: 'node-debug', nodeDebugEnabled: true });
    assert.ok(nr.verdict === 'refuse' && /runs as root in the host/.test(nr.reason));
  });

  it('labels the decision for the audit record', () => {
    assert.match(decisionLabel(decideAction(nonRoot(), { action: 'terminal' })), /^non-root .*runs as 1000$/);
    assert.match(
      decisionLabel(decideAction(noExec, { action: 'file-list' })),
      /^no-exec \(config: .*refused$/,
    );
  });
});
