import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultFileContainer, fileContainers, viaChoices } from './file-targets.js';

const c = (
  name: string,
  kind: 'app' | 'init' | 'ephemeral',
  state: 'running' | 'waiting' | 'terminated',
  targetContainerName: string | null = null,
  reason: string | null = null,
) => ({ name, kind, state, reason, targetContainerName });

const pod = [
  c('dbg-old', 'ephemeral', 'terminated', 'app', 'Completed'),
  c('setup', 'init', 'terminated', null, 'Completed'),
  c('app', 'app', 'running'),
  c('sidecar', 'app', 'waiting', null, 'CrashLoopBackOff'),
  c('podscope-debug-app-1', 'ephemeral', 'running', 'app'),
  c('podscope-debug-sidecar-1', 'ephemeral', 'running', 'sidecar'),
];

test('containers are offered app first, with their state when not running', () => {
  assert.deepEqual(
    fileContainers(pod).map((x) => [x.label, x.running]),
    [
      ['app', true],
      ['sidecar (waiting: CrashLoopBackOff)', false],
      ['dbg-old (debug, terminated: Completed)', false],
      ['podscope-debug-app-1 (debug)', true],
      ['podscope-debug-sidecar-1 (debug)', true],
      ['setup (init, terminated: Completed)', false],
    ],
  );
});

test('only running debug containers that target the container can read its files', () => {
  assert.deepEqual(viaChoices(pod, 'app'), ['podscope-debug-app-1']);
  assert.deepEqual(viaChoices(pod, 'sidecar'), ['podscope-debug-sidecar-1']);
  assert.deepEqual(viaChoices(pod, 'setup'), []);
});

test('the requested container wins when the pod has it', () => {
  const choices = fileContainers(pod);
  assert.equal(defaultFileContainer(choices, 'sidecar'), 'sidecar');
  assert.equal(defaultFileContainer(choices, 'nope'), 'app');
  assert.equal(defaultFileContainer(choices, null), 'app');
  assert.equal(defaultFileContainer([], null), null);
});
