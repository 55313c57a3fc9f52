import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BearerTokenCredential } from '../kube/identity.js';
import { accessReviewBody, identityKey, parseAccessReview } from './access-reviews.js';

describe('accessReviewBody', () => {
  it('asks about a subresource of a named pod in a namespace', () => {
    assert.deepEqual(
      accessReviewBody({
        verb: 'create',
        group: '',
        resource: 'pods',
        subresource: 'exec',
        namespace: 'demo',
        name: 'web-1',
      }),
      {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: {
          resourceAttributes: {
            verb: 'create',
            group: '',
            resource: 'pods',
            subresource: 'exec',
            namespace: 'demo',
            name: 'web-1',
          },
        },
      },
    );
  });

  it('leaves out the namespace of a cluster-scoped resource and an unknown name', () => {
    assert.deepEqual(accessReviewBody({ verb: 'get', group: '', resource: 'nodes', namespace: null }), {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { verb: 'get', group: '', resource: 'nodes' } },
    });
  });
});

describe('parseAccessReview', () => {
  it('reads allowed, and treats denied or a missing allowed as no', () => {
    assert.deepEqual(parseAccessReview({ status: { allowed: true } }), { allowed: true });
    assert.deepEqual(parseAccessReview({ status: { allowed: false } }), { allowed: false });
    assert.deepEqual(parseAccessReview({ status: {} }), { allowed: false });
    assert.deepEqual(parseAccessReview({ status: { allowed: true, denied: true } }), { allowed: false });
  });

  it('keeps a "no" with an evaluation error a "no" (the real request is refused the same way)', () => {
    const a = parseAccessReview({
      status: { allowed: false, evaluationError: 'clusterrole.rbac.authorization.k8s.io "gone" not found' },
    });
    assert.deepEqual(a, { allowed: false });
  });

  it('refuses an answer without a status', () => {
    assert.throws(() => parseAccessReview({ kind: 'Status' }), /without a status/);
    assert.throws(() => parseAccessReview(null), /without a status/);
  });
});

describe('identityKey: answers are never shared between identities', () => {
  const as = (identity: Parameters<typeof identityKey>[0]['identity']) => identityKey({ identity });

  it('keys a token by its hash, never the token itself', () => {
    const a = as({ user: 'alice', groups: [], credential: new BearerTokenCredential('c', 'secret-token-a') });
    const b = as({ user: 'alice', groups: [], credential: new BearerTokenCredential('c', 'secret-token-b') });
    assert.notEqual(a, b);
    assert.match(a, /^token:[A-Za-z0-9_-]{43}$/);
    assert.ok(!a.includes('secret-token-a'));
  });

  it('keys impersonation by user, groups (in any order), uid and extra', () => {
    const base = { user: 'dana@podscope.test', groups: ['dev-team', 'system:authenticated'] };
    assert.equal(as(base), as({ ...base, groups: ['system:authenticated', 'dev-team'] }));
    assert.notEqual(as(base), as({ ...base, groups: ['dev-team'] }));
    assert.notEqual(as(base), as({ ...base, user: 'victor@podscope.test' }));
    assert.notEqual(as(base), as({ ...base, uid: '42' }));
    assert.notEqual(as(base), as({ ...base, extra: { scopes: ['a'] } }));
    // A user named like a group list cannot collide with another identity.
    assert.notEqual(as({ user: 'a","b', groups: [] }), as({ user: 'a', groups: ['b'] }));
  });

  it('keys the kubeconfig identity (local mode) apart from every person', () => {
    assert.equal(as(null), 'kubeconfig');
    assert.notEqual(as({ user: 'kubeconfig', groups: [] }), 'kubeconfig');
  });
});
