import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuditStoreError, type SessionEnd } from './audit-store.js';
import { endSessionSurvivingOutage } from './end-session.js';

const END: SessionEnd = { exitCode: 0, endedAt: new Date(Date.UTC(2026, 0, 1)), bytesIn: 1, bytesOut: 2 };
const quiet = { warn: () => undefined, info: () => undefined };

/** A store that is down for the first `downFor` calls. */
function flaky(
  downFor: number,
  failure = new AuditStoreError('unavailable', 'cannot reach the audit database'),
) {
  const calls: SessionEnd[] = [];
  return {
    calls,
    endSession: async (_id: string, end: SessionEnd) => {
      calls.push(end);
      if (calls.length <= downFor) throw failure;
    },
  };
}

/** The retry timers are unref'd (they must not keep a server from exiting): keep the test's loop alive. */
async function alive<T>(promise: Promise<T>): Promise<T> {
  const keep = setInterval(() => undefined, 1000);
  try {
    return await promise;
  } finally {
    clearInterval(keep);
  }
}

describe('ending a session through an outage', () => {
  it('writes at once when the store works', async () => {
    const store = flaky(0);
    assert.equal(await endSessionSurvivingOutage(store, 'id', END, quiet), true);
    assert.equal(store.calls.length, 1);
  });

  it('keeps trying while the store is unavailable, with the end as it was', async () => {
    const store = flaky(3);
    const done = new Promise<boolean>((resolve) => {
      void endSessionSurvivingOutage(store, 'id', END, quiet, { retryEveryMs: 5, retried: resolve }).then(
        (first) => assert.equal(first, false),
      );
    });
    assert.equal(await alive(done), true);
    assert.equal(store.calls.length, 4);
    assert.ok(
      store.calls.every((c) => c === END),
      'the same end time every time',
    );
  });

  it('gives up after its time, and does not retry what a retry cannot fix', async () => {
    const down = flaky(Number.MAX_SAFE_INTEGER);
    const gaveUp = await alive(
      new Promise<boolean>((resolve) => {
        void endSessionSurvivingOutage(down, 'id', END, quiet, {
          retryEveryMs: 5,
          giveUpAfterMs: 30,
          retried: resolve,
        });
      }),
    );
    assert.equal(gaveUp, false);
    const unknown = flaky(1, new AuditStoreError('not-found', 'no audit session id'));
    assert.equal(await endSessionSurvivingOutage(unknown, 'id', END, quiet), false);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(unknown.calls.length, 1);
  });
});
