import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PodscopeError } from '../http/errors.js';
import { checkLoginToken, MAX_TOKEN_LENGTH, parseSelfSubjectReview } from './self-subject-review.js';
import { needsSignIn } from './routes.js';

// What a 1.37 API server answered for a ServiceAccount token (kubectl create token reader -n demo).
const REVIEW = {
  kind: 'SelfSubjectReview',
  apiVersion: 'authentication.k8s.io/v1',
  metadata: { creationTimestamp: '2026-11-30T19:00:00Z' },
  status: {
    userInfo: {
      username: 'system:serviceaccount:demo:reader',
      uid: '0b5b5f8e-3f43-4b0e-9d2f-3c8a1f6c0e11',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:demo', 'system:authenticated'],
      extra: { 'authentication.kubernetes.io/credential-id': ['JTI=77c1b2a0-6f7b-4c38-a4d7-0f5cbf1b9a10'] },
    },
  },
};

const badRequest = (e: unknown) => e instanceof PodscopeError && e.status === 400;

describe('checkLoginToken', () => {
  it('takes a token as pasted: surrounding whitespace and a "Bearer " prefix are dropped', () => {
    assert.equal(checkLoginToken('  abc.def-ghi_jkl \n'), 'abc.def-ghi_jkl');
    assert.equal(checkLoginToken('Bearer abc'), 'abc');
  });

  it('refuses what cannot be a bearer token, with a sentence', () => {
    for (const raw of [
      undefined,
      42,
      '',
      '   ',
      'two words',
      'line\nbreak',
      'tökén',
      'x'.repeat(MAX_TOKEN_LENGTH + 1),
    ]) {
      assert.throws(() => checkLoginToken(raw), badRequest, JSON.stringify(raw)?.slice(0, 20));
    }
    assert.equal(checkLoginToken('x'.repeat(MAX_TOKEN_LENGTH)).length, MAX_TOKEN_LENGTH);
  });
});

describe('parseSelfSubjectReview', () => {
  it('reads username, uid, groups and extra', () => {
    assert.deepEqual(parseSelfSubjectReview(REVIEW), {
      username: 'system:serviceaccount:demo:reader',
      uid: '0b5b5f8e-3f43-4b0e-9d2f-3c8a1f6c0e11',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:demo', 'system:authenticated'],
      extra: { 'authentication.kubernetes.io/credential-id': ['JTI=77c1b2a0-6f7b-4c38-a4d7-0f5cbf1b9a10'] },
    });
  });

  it('a user without uid, groups or extra (a static token) still signs in', () => {
    assert.deepEqual(parseSelfSubjectReview({ status: { userInfo: { username: 'alice' } } }), {
      username: 'alice',
      uid: null,
      groups: [],
      extra: {},
    });
  });

  it('refuses an answer without a username; drops malformed extra values', () => {
    assert.throws(() => parseSelfSubjectReview({ status: { userInfo: {} } }), /without a username/);
    assert.throws(() => parseSelfSubjectReview(null), /without a username/);
    assert.deepEqual(
      parseSelfSubjectReview({
        status: { userInfo: { username: 'a', groups: 'x', extra: { k: [1], ok: ['v'] } } },
      }),
      { username: 'a', uid: null, groups: [], extra: { ok: ['v'] } },
    );
  });
});

describe('needsSignIn', () => {
  it('every API call and WebSocket needs a session; the pages, files and the sign-in endpoints do not', () => {
    assert.equal(needsSignIn('/api/clusters', false), true);
    assert.equal(needsSignIn('/api/clusters/c/namespaces/demo/pods?watch=1', false), true);
    assert.equal(needsSignIn('/api/auth/login', false), false);
    assert.equal(needsSignIn('/api/auth/logout', false), false);
    assert.equal(needsSignIn('/api/auth/session?x=1', false), false);
    assert.equal(needsSignIn('/api/auth/session/../../clusters', false), true);
    assert.equal(needsSignIn('/api/auth/login', true), true, 'a WebSocket to any path');
    assert.equal(needsSignIn('/c/local/ns/demo', false), false);
    assert.equal(needsSignIn('/assets/index-abc.js', false), false);
    assert.equal(needsSignIn('/healthz', false), false);
    assert.equal(needsSignIn('/anything', true), true);
  });
});
