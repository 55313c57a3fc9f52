import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  appContainerNames,
  copyBody,
  debugContainerBody,
  defaultDebugTarget,
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
