import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEFAULT_SHUTDOWN_TIMEOUT_SECONDS,
  orderDrainSteps,
  parseShutdownTimeout,
  runDrain,
  signalAction,
  type DrainStage,
  type DrainStep,
} from './drain.js';
import { Shutdown } from './shutdown.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function step(stage: DrainStage, name: string, log: string[], run?: (signal: AbortSignal) => Promise<void>) {
  return {
    stage,
    name,
    run: async (signal: AbortSignal) => {
      log.push(`start ${name}`);
      await run?.(signal);
      log.push(`end ${name}`);
    },
  } satisfies DrainStep;
}

describe('orderDrainSteps', () => {
  test('stages in their fixed order whatever the registration order; within a stage, registration order', () => {
    const log: string[] = [];
    const steps = [
      step('close-app', 'app', log),
      step('close-streams', 'streams', log),
      step('end-sessions', 'terminals', log),
      step('stop-accepting', 'listener', log),
      step('end-sessions', 'leases', log),
      step('finish-requests', 'requests', log),
    ];
    assert.deepEqual(
      orderDrainSteps(steps).map((s) => s.name),
      ['listener', 'terminals', 'leases', 'streams', 'requests', 'app'],
    );
  });
});

describe('runDrain', () => {
  test('sessions end before streams close, streams before the app; steps of a stage run side by side', async () => {
    const log: string[] = [];
    const report = await runDrain(
      [
        step('close-app', 'app', log),
        step('close-streams', 'streams', log),
        step('end-sessions', 'terminals', log, () => sleep(30)),
        step('end-sessions', 'leases', log, () => sleep(5)),
        step('stop-accepting', 'listener', log),
      ],
      { deadlineMs: 5000 },
    );
    assert.deepEqual(log, [
      'start listener',
      'end listener',
      'start terminals',
      'start leases',
      'end leases',
      'end terminals',
      'start streams',
      'end streams',
      'start app',
      'end app',
    ]);
    assert.equal(report.completed, true);
    assert.deepEqual(
      report.steps.map((s) => [s.name, s.outcome]),
      [
        ['listener', 'done'],
        ['terminals', 'done'],
        ['leases', 'done'],
        ['streams', 'done'],
        ['app', 'done'],
      ],
    );
  });

  test('a failing step is reported and the drain goes on (a broken store must not keep streams open)', async () => {
    const log: string[] = [];
    const warnings: unknown[] = [];
    const report = await runDrain(
      [
        step('end-sessions', 'terminals', log, () => Promise.reject(new Error('audit store down'))),
        step('close-streams', 'streams', log),
      ],
      { deadlineMs: 5000, log: { info: () => undefined, warn: (o) => warnings.push(o) } },
    );
    assert.equal(report.completed, true);
    assert.deepEqual(
      report.steps.map((s) => [s.name, s.outcome, s.error]),
      [
        ['terminals', 'failed', 'audit store down'],
        ['streams', 'done', undefined],
      ],
    );
    assert.deepEqual(log, ['start terminals', 'start streams', 'end streams']);
    assert.equal(warnings.length, 1);
  });

  test('past the deadline the step is left (told by its signal), the rest skipped, the drain not completed', async () => {
    const log: string[] = [];
    let aborted = false;
    const started = Date.now();
    const report = await runDrain(
      [
        step('end-sessions', 'stuck', log, (signal) => {
          signal.addEventListener('abort', () => (aborted = true));
          return new Promise(() => undefined);
        }),
        step('close-streams', 'streams', log),
        step('close-app', 'app', log),
      ],
      { deadlineMs: 50 },
    );
    const took = Date.now() - started;
    assert.ok(took >= 45 && took < 1000, `took ${took} ms`);
    assert.equal(report.completed, false);
    assert.equal(aborted, true);
    assert.deepEqual(
      report.steps.map((s) => [s.name, s.outcome]),
      [
        ['stuck', 'timed-out'],
        ['streams', 'skipped'],
        ['app', 'skipped'],
      ],
    );
    assert.deepEqual(log, ['start stuck']);
  });

  test('each stage gets only what is left of the one deadline', async () => {
    const log: string[] = [];
    const report = await runDrain(
      [
        step('end-sessions', 'slow', log, () => sleep(60)),
        step('close-streams', 'slower', log, () => sleep(200)),
      ],
      { deadlineMs: 120 },
    );
    assert.equal(report.completed, false);
    assert.deepEqual(
      report.steps.map((s) => [s.name, s.outcome]),
      [
        ['slow', 'done'],
        ['slower', 'timed-out'],
      ],
    );
    assert.ok(report.steps[1]!.ms < 100, `the second stage had ${report.steps[1]!.ms} ms, not its own 120`);
  });
});

describe('signals', () => {
  test('the first signal drains, a second exits at once', () => {
    assert.equal(signalAction(false), 'drain');
    assert.equal(signalAction(true), 'exit-now');
  });

  test('--shutdown-timeout: whole seconds from 1 to 3600, default 20', () => {
    assert.deepEqual(parseShutdownTimeout(undefined), {
      ok: true,
      seconds: DEFAULT_SHUTDOWN_TIMEOUT_SECONDS,
    });
    assert.equal(DEFAULT_SHUTDOWN_TIMEOUT_SECONDS, 20);
    assert.deepEqual(parseShutdownTimeout('45'), { ok: true, seconds: 45 });
    assert.deepEqual(parseShutdownTimeout('3600'), { ok: true, seconds: 3600 });
    for (const bad of ['0', '3601', '-1', '1.5', '', 'ten', '1e3', ' 5']) {
      const r = parseShutdownTimeout(bad);
      assert.equal(r.ok, false, bad);
    }
  });
});

describe('Shutdown', () => {
  test('draining from the first call; listeners hear the start before any step; a second drain joins', async () => {
    const shutdown = new Shutdown();
    const log: string[] = [];
    shutdown.onStart(() => log.push(`start (draining: ${shutdown.draining})`));
    shutdown.add('close-streams', 'streams', async () => {
      log.push('streams');
    });
    assert.equal(shutdown.draining, false);
    const first = shutdown.drain({ deadlineMs: 1000 });
    const second = shutdown.drain({ deadlineMs: 1000 });
    assert.equal(first, second);
    assert.deepEqual(log, ['start (draining: true)']);
    const report = await first;
    assert.equal(report.completed, true);
    assert.deepEqual(log, ['start (draining: true)', 'streams']);
  });
});
