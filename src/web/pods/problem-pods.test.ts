import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PodSummary } from '../../shared/api.js';
import { newProblemPods, problemAnnouncement } from './problem-pods.js';

function pod(name: string, status: string, uid = `${name}-1`): PodSummary {
  return {
    name,
    namespace: 'demo',
    uid,
    status,
    problem: !['Running', 'Completed', 'Pending'].includes(status),
    ready: status === 'Running' ? 1 : 0,
    total: 1,
    restarts: 0,
    lastRestartAt: null,
    createdAt: '2026-01-01T00:00:00Z',
    node: 'node-a',
    podIP: null,
    owner: null,
    labels: {},
  };
}

test('the first list is the baseline: pods already failing are not announced', () => {
  const first = newProblemPods(null, [pod('crashloop', 'CrashLoopBackOff'), pod('web', 'Running')]);
  assert.deepEqual(first.added, []);
  assert.deepEqual([...first.announced], ['crashloop/crashloop-1']);
});

test('a pod that starts failing later is announced once, not at every flip of a crash loop', () => {
  let state = newProblemPods(null, [pod('web', 'Running'), pod('api', 'Running')]).announced;
  const failed = newProblemPods(state, [pod('web', 'Running'), pod('api', 'Error')]);
  assert.deepEqual(
    failed.added.map((p) => p.name),
    ['api'],
  );
  state = failed.announced;
  const running = newProblemPods(state, [pod('web', 'Running'), pod('api', 'Running')]);
  assert.deepEqual(running.added, []);
  const backOff = newProblemPods(running.announced, [pod('web', 'Running'), pod('api', 'CrashLoopBackOff')]);
  assert.deepEqual(backOff.added, [], 'the same instance failing again');
});

test('a pod created again under the same name is a new instance', () => {
  const state = newProblemPods(null, [pod('job', 'Error', 'uid-1')]).announced;
  const again = newProblemPods(state, [pod('job', 'Error', 'uid-2')]);
  assert.deepEqual(
    again.added.map((p) => p.uid),
    ['uid-2'],
  );
});

test('the announcement names the pod and its status, or lists several (at most five named)', () => {
  assert.equal(problemAnnouncement([]), null);
  assert.equal(
    problemAnnouncement([pod('crashloop', 'CrashLoopBackOff')]),
    'Pod crashloop needs attention: CrashLoopBackOff.',
  );
  assert.equal(
    problemAnnouncement([pod('a', 'Error'), pod('b', 'OOMKilled')]),
    '2 pods need attention: a (Error), b (OOMKilled).',
  );
  const seven = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((n) => pod(n, 'Error'));
  assert.equal(
    problemAnnouncement(seven),
    '7 pods need attention: a (Error), b (Error), c (Error), d (Error), e (Error), and 2 more.',
  );
});
