import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodSummary } from '../../shared/api.js';
import { statusTone } from './pod-status.js';
import { moveSelection, parsePodSort, visiblePods } from './pod-table.js';
import { applyPodWatch, INITIAL_POD_LIST } from './pod-list-state.js';

function pod(name: string, extra: Partial<PodSummary> = {}): PodSummary {
  return {
    name,
    namespace: 'ns',
    uid: name,
    status: 'Running',
    problem: false,
    ready: 1,
    total: 1,
    restarts: 0,
    lastRestartAt: null,
    createdAt: '2026-01-01T00:00:00Z',
    node: 'node-a',
    podIP: null,
    owner: null,
    labels: {},
    ...extra,
  };
}

test('status tones: failures red, transitions amber, finished muted', () => {
  assert.equal(statusTone(pod('a', { status: 'CrashLoopBackOff', problem: true })), 'error');
  assert.equal(statusTone(pod('a', { status: 'Pending' })), 'warn');
  assert.equal(statusTone(pod('a', { status: 'Init:0/2' })), 'warn');
  assert.equal(statusTone(pod('a', { ready: 0 })), 'warn');
  assert.equal(statusTone(pod('a', { status: 'Completed', ready: 0 })), 'done');
  assert.equal(statusTone(pod('a')), 'ok');
});

test('sorting by status puts problem pods first', () => {
  const pods = [pod('b'), pod('c', { status: 'OOMKilled', problem: true }), pod('a', { status: 'Pending' })];
  const sorted = visiblePods(pods, { filter: '', problemsOnly: false, sort: parsePodSort('status') });
  assert.deepEqual(
    sorted.map((p) => p.name),
    ['c', 'a', 'b'],
  );
});

test('the filter matches every term against name, status and node', () => {
  const pods = [
    pod('web-1', { node: 'node-b' }),
    pod('web-2', { status: 'ImagePullBackOff', problem: true }),
    pod('db-0'),
  ];
  const names = (filter: string, problemsOnly = false): string[] =>
    visiblePods(pods, { filter, problemsOnly, sort: parsePodSort(null) }).map((p) => p.name);
  assert.deepEqual(names('web'), ['web-1', 'web-2']);
  assert.deepEqual(names('web imagepull'), ['web-2']);
  assert.deepEqual(names('NODE-B'), ['web-1']);
  assert.deepEqual(names('', true), ['web-2']);
});

test('parsePodSort reads "-key" as descending and falls back to name', () => {
  assert.deepEqual(parsePodSort('-restarts'), { key: 'restarts', descending: true });
  assert.deepEqual(parsePodSort('bogus'), { key: 'name', descending: false });
});

test('keyboard selection is clamped and starts at an end', () => {
  const names = ['a', 'b', 'c'];
  assert.equal(moveSelection(names, null, 1), 'a');
  assert.equal(moveSelection(names, null, -1), 'c');
  assert.equal(moveSelection(names, 'c', 1), 'c');
  assert.equal(moveSelection(names, 'b', -1), 'a');
  assert.equal(moveSelection([], 'a', 1), null);
});

test('the watch applies snapshot, upsert and delete', () => {
  let state = applyPodWatch(INITIAL_POD_LIST, { type: 'snapshot', pods: [pod('a'), pod('b')] });
  assert.equal(state.loaded, true);
  state = applyPodWatch(state, { type: 'upsert', pod: pod('a', { restarts: 2 }) });
  state = applyPodWatch(state, { type: 'delete', name: 'b' });
  assert.deepEqual([...state.pods.keys()], ['a']);
  assert.equal(state.pods.get('a')?.restarts, 2);
});
