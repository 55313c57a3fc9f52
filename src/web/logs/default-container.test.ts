import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultLogContainer } from './default-container.js';

const c = (
  name: string,
  kind: 'init' | 'app' | 'ephemeral',
  state: 'running' | 'waiting' | 'terminated',
  extra = {},
) => ({
  name,
  kind,
  state,
  exitCode: null as number | null,
  restartCount: 0,
  ...extra,
});

test('the first app container is shown by default', () => {
  assert.equal(
    defaultLogContainer([
      c('init', 'init', 'terminated', { exitCode: 0 }),
      c('app', 'app', 'running'),
      c('side', 'app', 'running'),
    ]),
    'app',
  );
});

test('a pod stuck on a failing init container shows that init container', () => {
  assert.equal(
    defaultLogContainer([c('migrate', 'init', 'waiting', { restartCount: 3 }), c('app', 'app', 'waiting')]),
    'migrate',
  );
});

test('no containers, no choice', () => {
  assert.equal(defaultLogContainer([]), null);
});
