import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { POD_ACTIONS, type AccessCheck } from '../../shared/permissions/api.js';
import type { ResolvedExecPolicy } from '../policy/exec-policy.js';
import {
  actionPermission,
  checkKey,
  describeCheck,
  policyVerdict,
  requiredAccess,
  type CheckAnswer,
} from './required-access.js';

const target = { namespace: 'demo', pod: 'web-1', nodeDebugNamespace: 'default' };
const words = (action: (typeof POD_ACTIONS)[number]) =>
  requiredAccess(action, target).map(
    (c) => `${describeCheck(c)} in ${c.namespace}${c.name ? ` (${c.name})` : ''}`,
  );

describe('requiredAccess: what each action needs from Kubernetes', () => {
  it('logs: get pods/log of the pod', () => {
    assert.deepEqual(words('logs'), ['get pods/log in demo (web-1)']);
  });

  it('terminal: the pod, and both verbs of pods/exec (from 1.35 WebSocket exec needs create)', () => {
    assert.deepEqual(words('terminal'), [
      'get pods in demo (web-1)',
      'create pods/exec in demo (web-1)',
      'get pods/exec in demo (web-1)',
    ]);
  });

  it('debug container: patch pods/ephemeralcontainers, watch it start, then exec into it', () => {
    assert.deepEqual(words('debug-container'), [
      'get pods in demo (web-1)',
      'patch pods/ephemeralcontainers in demo (web-1)',
      'list pods in demo',
      'watch pods in demo',
      'create pods/exec in demo (web-1)',
      'get pods/exec in demo (web-1)',
    ]);
  });

  it('copy: read the source, create, watch, read and lease (patch) a pod, then exec into it', () => {
    assert.deepEqual(words('pod-copy'), [
      'get pods in demo (web-1)',
      'create pods in demo',
      'list pods in demo',
      'watch pods in demo',
      'get pods in demo',
      'patch pods in demo',
      'create pods/exec in demo',
      'get pods/exec in demo',
    ]);
  });

  it('node debug: the same debug pod, in the server’s node debug namespace (not the pod’s)', () => {
    assert.deepEqual(words('node-debug'), [
      'create pods in default',
      'list pods in default',
      'watch pods in default',
      'get pods in default',
      'patch pods in default',
      'create pods/exec in default',
      'get pods/exec in default',
    ]);
  });

  it('files: the pod, and exec (every listing and transfer is a command in the container)', () => {
    for (const action of ['file-download', 'file-upload'] as const) {
      assert.deepEqual(words(action), words('terminal'));
    }
  });

  it('has a row for every action, each with at least one check and no duplicate', () => {
    for (const action of POD_ACTIONS) {
      const checks = requiredAccess(action, target);
      assert.ok(checks.length > 0, action);
      assert.equal(new Set(checks.map(checkKey)).size, checks.length, action);
    }
  });

  it('names resources of other API groups with their group', () => {
    assert.equal(
      describeCheck({ verb: 'list', group: 'apps', resource: 'deployments', namespace: 'demo' }),
      'list deployments.apps',
    );
  });
});

const answers = (no: AccessCheck[], errors: [AccessCheck, string][] = []): Map<string, CheckAnswer> => {
  const all = POD_ACTIONS.flatMap((a) => requiredAccess(a, target));
  const m = new Map<string, CheckAnswer>(all.map((c) => [checkKey(c), { allowed: true }]));
  for (const c of no) m.set(checkKey(c), { allowed: false });
  for (const [c, error] of errors) m.set(checkKey(c), { allowed: false, error });
  return m;
};
const check = (verb: string, subresource?: string, namespace = 'demo', name?: string): AccessCheck => ({
  verb,
  group: '',
  resource: 'pods',
  ...(subresource ? { subresource } : {}),
  namespace,
  ...(name ? { name } : {}),
});

describe('actionPermission: the button from the answers', () => {
  const offered = { offered: true, refusal: null };

  it('allowed when every check is', () => {
    assert.deepEqual(actionPermission(requiredAccess('terminal', target), answers([]), offered), {
      offered: true,
      allowed: true,
      deniedBy: null,
      reason: null,
      missing: [],
    });
  });

  it('names the missing verb, resource and namespace (a viewer and the terminal)', () => {
    const p = actionPermission(
      requiredAccess('terminal', target),
      answers([check('create', 'exec', 'demo', 'web-1'), check('get', 'exec', 'demo', 'web-1')]),
      offered,
    );
    assert.equal(p.allowed, false);
    assert.equal(p.deniedBy, 'rbac');
    assert.equal(p.reason, 'You may not create pods/exec or get pods/exec in namespace "demo".');
    assert.deepEqual(p.missing, ['create pods/exec', 'get pods/exec']);
  });

  it('one missing verb: only get pods/exec granted, as before 1.35', () => {
    const p = actionPermission(
      requiredAccess('terminal', target),
      answers([check('create', 'exec', 'demo', 'web-1')]),
      offered,
    );
    assert.equal(p.reason, 'You may not create pods/exec in namespace "demo".');
  });

  it('lists three missing checks with commas', () => {
    const p = actionPermission(
      requiredAccess('pod-copy', target),
      answers([check('create'), check('patch'), check('create', 'exec')]),
      offered,
    );
    assert.equal(p.reason, 'You may not create pods, patch pods or create pods/exec in namespace "demo".');
  });

  it('RBAC comes before the policy: the person learns what they lack first', () => {
    const p = actionPermission(
      requiredAccess('terminal', target),
      answers([check('create', 'exec', 'demo', 'web-1')]),
      {
        offered: true,
        refusal: 'Terminals are not allowed here: …',
      },
    );
    assert.equal(p.deniedBy, 'rbac');
  });

  it('the policy refuses what RBAC allows', () => {
    const p = actionPermission(requiredAccess('terminal', target), answers([]), {
      offered: true,
      refusal: 'Terminals are not allowed here: Exec is not allowed: config rule 1.',
    });
    assert.deepEqual(p, {
      offered: true,
      allowed: false,
      deniedBy: 'policy',
      reason: 'Terminals are not allowed here: Exec is not allowed: config rule 1.',
      missing: [],
    });
  });

  it('a check that could not be asked leaves the button on, saying why nothing is certain', () => {
    const p = actionPermission(
      requiredAccess('logs', target),
      answers([], [[check('get', 'log', 'demo', 'web-1'), 'Cannot reach the Kubernetes API server']]),
      null,
    );
    assert.equal(p.allowed, true);
    assert.equal(p.reason, 'Could not check: Cannot reach the Kubernetes API server');
  });

  it('carries "not offered" through (the UI hides the action)', () => {
    const p = actionPermission(requiredAccess('node-debug', target), answers([]), {
      offered: false,
      refusal: null,
    });
    assert.equal(p.offered, false);
  });
});

describe('policyVerdict', () => {
  const rootAllowed: ResolvedExecPolicy = {
    policy: 'root-allowed',
    source: 'default',
    rule: null,
    reason: 'R.',
  };
  const nonRoot: ResolvedExecPolicy = {
    policy: 'non-root',
    user: 1000,
    source: 'config',
    rule: 'x',
    reason: 'N.',
  };
  const noExec: ResolvedExecPolicy = { policy: 'no-exec', source: 'config', rule: 'payments', reason: 'No.' };
  const node = (enabled: boolean, policy = rootAllowed) => ({ enabled, policy });

  it('leaves logs alone', () => {
    assert.equal(policyVerdict('logs', noExec, node(true)), null);
  });

  it('refuses container actions under no-exec, with the policy’s sentence', () => {
    for (const action of [
      'terminal',
      'debug-container',
      'pod-copy',
      'file-download',
      'file-upload',
    ] as const) {
      const v = policyVerdict(action, noExec, node(true));
      assert.equal(v?.offered, true);
      assert.match(v?.refusal ?? '', /not allowed here: No\.$/);
    }
  });

  it('lets them happen under non-root (as an ordinary user)', () => {
    assert.deepEqual(policyVerdict('terminal', nonRoot, node(true)), { offered: true, refusal: null });
    assert.deepEqual(policyVerdict('debug-container', nonRoot, node(true)), { offered: true, refusal: null });
  });

  it('hides node debugging where no config rule enables it, and refuses it under non-root', () => {
    assert.deepEqual(policyVerdict('node-debug', rootAllowed, node(false)), {
      offered: false,
      refusal: null,
    });
    assert.deepEqual(policyVerdict('node-debug', noExec, node(true, rootAllowed)), {
      offered: true,
      refusal: null,
    });
    assert.match(
      policyVerdict('node-debug', rootAllowed, node(true, nonRoot))?.refusal ?? '',
      /runs as root/,
    );
  });
});
