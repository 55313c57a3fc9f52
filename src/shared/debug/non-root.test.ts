import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { enforceNonRoot, enforceNonRootPod } from './non-root.js';
import type { ContainerSpec, Pod } from './types.js';

describe('enforceNonRoot', () => {
  it('turns root or no user into the policy uid, forbids escalation and privileged', () => {
    const c: ContainerSpec = {
      name: 'd',
      securityContext: { runAsUser: 0, runAsGroup: 0, privileged: true },
    };
    enforceNonRoot(c, 1000);
    assert.deepEqual(c.securityContext, {
      runAsUser: 1000,
      runAsGroup: 1000,
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
    });
    const none: ContainerSpec = { name: 'e' };
    enforceNonRoot(none, 65534);
    assert.equal(none.securityContext?.runAsUser, 65534);
  });

  it('keeps an ordinary uid the container already runs as', () => {
    const c: ContainerSpec = {
      name: 'd',
      securityContext: { runAsUser: 2000, capabilities: { add: ['SYS_PTRACE'] } },
    };
    enforceNonRoot(c, 1000);
    assert.equal(c.securityContext?.runAsUser, 2000);
    assert.deepEqual(c.securityContext?.capabilities, { add: ['SYS_PTRACE'] });
  });

  it('refuses uid 0 as the policy user', () => {
    assert.throws(() => enforceNonRoot({ name: 'x' }, 0), /positive integer/);
  });
});

describe('enforceNonRootPod', () => {
  it('sets runAsNonRoot on the pod and every container of a copy', () => {
    const pod: Pod = {
      metadata: { name: 'p' },
      spec: {
        securityContext: { runAsUser: 0 },
        containers: [{ name: 'a' }, { name: 'b', securityContext: { privileged: true } }],
      },
    };
    enforceNonRootPod(pod, 1000);
    assert.deepEqual(pod.spec?.securityContext, { runAsUser: 1000, runAsNonRoot: true });
    for (const c of pod.spec!.containers) {
      assert.equal(c.securityContext?.runAsNonRoot, true);
      assert.equal(c.securityContext?.runAsUser, 1000);
      assert.equal(c.securityContext?.privileged, undefined);
    }
  });
});
