import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultTerminalContainer, terminalContainers } from './terminal-containers.js';

const pod = [
  { name: 'wait-db', kind: 'init', state: 'terminated', reason: 'Completed' },
  { name: 'app', kind: 'app', state: 'waiting', reason: 'CrashLoopBackOff' },
  { name: 'sidecar', kind: 'app', state: 'running', reason: null },
  { name: 'debugger-x1', kind: 'ephemeral', state: 'running', reason: null },
] as const;

test('app containers come first, then debug, then init; each says why it cannot be entered', () => {
  const choices = terminalContainers(pod);
  assert.deepEqual(
    choices.map((c) => [c.name, c.running, c.label]),
    [
      ['app', false, 'app (waiting: CrashLoopBackOff)'],
      ['sidecar', true, 'sidecar'],
      ['debugger-x1', true, 'debugger-x1 (debug)'],
      ['wait-db', false, 'wait-db (init, terminated: Completed)'],
    ],
  );
});

test('a running init container can be entered', () => {
  const [init] = terminalContainers([{ name: 'migrate', kind: 'init', state: 'running', reason: null }]);
  assert.deepEqual(init, { name: 'migrate', kind: 'init', running: true, label: 'migrate (init)' });
});

test('the default is the requested container, else the first running one', () => {
  const choices = terminalContainers(pod);
  assert.equal(defaultTerminalContainer(choices, null), 'sidecar');
  assert.equal(defaultTerminalContainer(choices, 'app'), 'app', 'what the URL asks for, even if not running');
  assert.equal(defaultTerminalContainer(choices, 'gone'), 'sidecar');
  assert.equal(defaultTerminalContainer(terminalContainers([pod[1]]), null), 'app');
  assert.equal(defaultTerminalContainer([], null), null);
});
