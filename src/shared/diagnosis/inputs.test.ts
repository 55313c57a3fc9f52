import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { recordedFixture } from '../../../test/support/diagnosis-fixtures.js';
import { claimNames, controllerRef, excerptFromText, logPlan } from './inputs.js';

describe('which logs to read', () => {
  const plan = (name: string) => logPlan(recordedFixture(name).pod);
  test('a crash loop: the previous instance', () => {
    assert.deepEqual(plan('crashloop'), [{ container: 'app', previous: true }]);
  });
  test('a failed run-once container: the current instance', () => {
    assert.deepEqual(plan('failed-never'), [{ container: 'app', previous: false }]);
  });
  test('a failing init container; not the app container waiting for it', () => {
    assert.deepEqual(plan('initcrash'), [{ container: 'wait-for-schema', previous: true }]);
  });
  test('running but not ready: the current output; between restarts: the previous too', () => {
    assert.deepEqual(plan('readiness-http'), [{ container: 'app', previous: false }]);
    assert.deepEqual(plan('unhealthy-running'), [
      { container: 'app', previous: true },
      { container: 'app', previous: false },
    ]);
  });
  test('healthy, completed, or never started: nothing', () => {
    for (const name of ['healthy-web', 'healthy-multi', 'completed-job', 'imagepull', 'pending'])
      assert.deepEqual(plan(name), [], name);
  });
  test('exit 0 under restartPolicy Always is read', () => {
    assert.deepEqual(plan('exits-zero'), [{ container: 'app', previous: true }]);
  });
});

describe('reading the inputs', () => {
  test('log text with timestamps; a line without one is kept', () => {
    const e = excerptFromText(
      'app',
      true,
      '2026-11-30T15:33:47.201615677Z hello\r\nno timestamp\n\n2026-11-30T15:33:48Z  indented\n',
    );
    assert.deepEqual(e.lines, [
      { ts: '2026-11-30T15:33:47.201615677Z', text: 'hello' },
      { ts: '', text: 'no timestamp' },
      { ts: '2026-11-30T15:33:48Z', text: ' indented' },
    ]);
  });
  test('claims and owners', () => {
    assert.deepEqual(claimNames(recordedFixture('unboundpvc').pod), ['uploads']);
    assert.deepEqual(controllerRef(recordedFixture('stuck-rollout').pod), {
      kind: 'ReplicaSet',
      name: 'checkout-79696fb8d5',
    });
    assert.deepEqual(controllerRef(recordedFixture('job-backoff').pod), {
      kind: 'Job',
      name: 'nightly-report',
    });
    assert.equal(controllerRef(recordedFixture('crashloop').pod), null);
  });
});
