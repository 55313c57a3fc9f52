import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ReadinessProbe, type CheckResult, type ReadinessCheck } from './readiness.js';

function counting(name: string, behaviour: () => Promise<void>): ReadinessCheck & { calls: number } {
  const check = {
    name,
    calls: 0,
    run: async () => {
      check.calls += 1;
      await behaviour();
    },
  };
  return check;
}

const pass = () => Promise.resolve();

describe('ReadinessProbe', () => {
  test('ready only when every check passes; the failing one is named with its reason', async () => {
    const probe = new ReadinessProbe([
      counting('kubernetes-api', pass),
      counting('audit-store', () => Promise.reject(new Error('disk full'))),
    ]);
    assert.deepEqual(await probe.check(), {
      ready: false,
      checks: [
        { name: 'kubernetes-api', ok: true },
        { name: 'audit-store', ok: false, error: 'disk full' },
      ],
    });
  });

  test('no checks: ready', async () => {
    assert.deepEqual(await new ReadinessProbe([]).check(), { ready: true, checks: [] });
  });

  test('a check that does not answer in time fails, and is told to stop', async () => {
    let aborted = false;
    const slow: ReadinessCheck = {
      name: 'slow',
      run: (signal) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            resolve();
          });
        }),
    };
    const r = await new ReadinessProbe([slow], { timeoutMs: 20 }).check();
    assert.deepEqual(r, {
      ready: false,
      checks: [{ name: 'slow', ok: false, error: 'no answer within 20 ms' }],
    });
    assert.equal(aborted, true);
  });

  test('results are reused for cacheMs, and concurrent probes share one run', async () => {
    let now = 1000;
    const api = counting('kubernetes-api', () => new Promise((r) => setTimeout(r, 10)));
    const probe = new ReadinessProbe([api], { cacheMs: 1000, now: () => now });
    await Promise.all([probe.check(), probe.check(), probe.check()]);
    assert.equal(api.calls, 1, 'three concurrent probes, one check');
    now += 999;
    await probe.check();
    assert.equal(api.calls, 1, 'still fresh');
    now += 1;
    await probe.check();
    assert.equal(api.calls, 2, 'stale after cacheMs');
  });

  test('onChange hears each check when it starts failing or passing again, not on every probe', async () => {
    let now = 0;
    let healthy = true;
    const changes: CheckResult[] = [];
    const probe = new ReadinessProbe(
      [counting('db', () => (healthy ? pass() : Promise.reject(new Error('connection refused'))))],
      { cacheMs: 0, now: () => now++, onChange: (c) => changes.push(c) },
    );
    await probe.check();
    await probe.check();
    healthy = false;
    await probe.check();
    await probe.check();
    healthy = true;
    await probe.check();
    assert.deepEqual(changes, [
      { name: 'db', ok: true },
      { name: 'db', ok: false, error: 'connection refused' },
      { name: 'db', ok: true },
    ]);
  });
});
