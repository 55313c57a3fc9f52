import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  appContainerNames,
  copyBody,
  copyTargets,
  debugContainerBody,
  defaultCopyTarget,
  defaultDebugTarget,
  initContainersBefore,
  nodeDebugBody,
  parseOptionalId,
} from './debug-forms.js';

test('an empty user id means "not given"; anything but a whole number is refused', () => {
  assert.deepEqual(parseOptionalId('', 'User'), { ok: true, value: undefined });
  assert.deepEqual(parseOptionalId(' 1000 ', 'User'), { ok: true, value: 1000 });
  assert.deepEqual(parseOptionalId('0', 'User'), { ok: true, value: 0 });
  for (const bad of ['-1', '1.5', 'root', '1e3', '2147483648']) {
    const r = parseOptionalId(bad, 'Run as user');
    assert.equal(r.ok, false, bad);
    if (!r.ok) assert.match(r.error, /^Run as user must be a whole number from 0 to 2147483647/);
  }
});

test('the debug container body names the user and group only when given', () => {
  const base = {
    target: 'app',
    image: 'tools:1',
    profile: 'general' as const,
    runAsUser: '',
    runAsGroup: '',
  };
  assert.deepEqual(debugContainerBody(base), {
    ok: true,
    value: { target: 'app', image: 'tools:1', profile: 'general' },
  });
  assert.deepEqual(debugContainerBody({ ...base, runAsUser: '1000', runAsGroup: '3000' }), {
    ok: true,
    value: { target: 'app', image: 'tools:1', profile: 'general', runAsUser: 1000, runAsGroup: 3000 },
  });
  assert.equal(debugContainerBody({ ...base, runAsGroup: 'x' }).ok, false);
  assert.equal(debugContainerBody({ ...base, target: '' }).ok, false);
});

test('a copy sends an image only when it replaces the container image', () => {
  const form = {
    container: 'app',
    runInitContainers: true,
    keepLabels: false,
    replaceImage: false,
    image: 'tools:1',
    sameNode: false,
    profile: 'general' as const,
  };
  assert.deepEqual(copyBody(form), { ok: true, value: { container: 'app', profile: 'general' } });
  assert.deepEqual(copyBody({ ...form, replaceImage: true, keepLabels: true, sameNode: true }), {
    ok: true,
    value: {
      container: 'app',
      profile: 'general',
      keepLabels: true,
      sameNode: true,
      replaceImage: true,
      image: 'tools:1',
    },
  });
  assert.deepEqual(copyBody({ ...form, runInitContainers: false }), {
    ok: true,
    value: { container: 'app', profile: 'general', runInitContainers: false },
  });
  assert.equal(copyBody({ ...form, container: '' }).ok, false);
});

test('node debugging sends only the image and profile (the namespace is the server’s)', () => {
  assert.deepEqual(nodeDebugBody({ image: 'i', profile: 'sysadmin' }), { image: 'i', profile: 'sysadmin' });
});

test('the forms offer the troubled app container first', () => {
  const c = (
    name: string,
    kind: 'app' | 'init' | 'ephemeral',
    state: 'running' | 'waiting',
    restartCount = 0,
  ) => ({
    name,
    kind,
    state,
    reason: null,
    restartCount,
  });
  const pod = [c('init', 'init', 'waiting'), c('web', 'app', 'running'), c('worker', 'app', 'waiting', 5)];
  assert.deepEqual(appContainerNames(pod), ['web', 'worker']);
  assert.equal(defaultDebugTarget(pod), 'worker');
  assert.equal(defaultDebugTarget([c('web', 'app', 'running'), c('dbg', 'ephemeral', 'running')]), 'web');
  assert.equal(defaultDebugTarget([]), '');
});

test('a copy can debug app and init containers; an Init:CrashLoopBackOff pod offers its failing step', () => {
  type State = 'running' | 'waiting' | 'terminated';
  const c = (
    name: string,
    kind: 'app' | 'init',
    state: State,
    reason: string | null = null,
    restartCount = 0,
  ) => ({
    name,
    kind,
    state,
    reason,
    restartCount,
  });
  // The Init:CrashLoopBackOff pod of the copy-shapes test: prepare done, migrate failing, app waiting.
  const initFail = [
    c('prepare', 'init', 'terminated', 'Completed'),
    c('migrate', 'init', 'waiting', 'CrashLoopBackOff', 3),
    c('app', 'app', 'waiting', 'PodInitializing'),
  ];
  assert.deepEqual(copyTargets(initFail), [
    { name: 'app', kind: 'app' },
    { name: 'prepare', kind: 'init' },
    { name: 'migrate', kind: 'init' },
  ]);
  assert.equal(defaultCopyTarget(initFail), 'migrate');
  assert.deepEqual(initContainersBefore(initFail, 'migrate'), ['prepare']);
  assert.deepEqual(initContainersBefore(initFail, 'app'), ['prepare', 'migrate']);
  // Init:Error (terminated, not Completed) counts; a running sidecar does not.
  assert.equal(
    defaultCopyTarget([c('setup', 'init', 'terminated', 'Error'), c('app', 'app', 'waiting')]),
    'setup',
  );
  const sidecar = [c('shipper', 'init', 'running'), c('app', 'app', 'waiting', 'CrashLoopBackOff', 4)];
  assert.equal(defaultCopyTarget(sidecar), 'app');
});
