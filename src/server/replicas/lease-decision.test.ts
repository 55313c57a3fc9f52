import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  decideLease,
  microTime,
  releasedSpec,
  stillLeading,
  type LeaseObject,
  type Observation,
} from './lease-decision.js';

const fixture = (name: string) =>
  JSON.parse(
    readFileSync(new URL(`../../../test/fixtures/replicas/${name}.json`, import.meta.url), 'utf8'),
  ) as LeaseObject;
const held = fixture('lease-held');
const released = fixture('lease-released');
const settings = { leaseDurationMs: 15_000 };
const T = Date.UTC(2026, 10, 30, 19, 10, 5);
const me = 'podscope-7d9f8-zzzzz-00000001';
const other = held.spec!.holderIdentity!;

describe('leader election decisions', () => {
  test('no Lease: create it, holding it', () => {
    const d = decideLease({ lease: null, me, now: T, previous: null, settings });
    assert.equal(d.kind, 'create');
    assert.deepEqual(d.kind === 'create' && d.spec, {
      holderIdentity: me,
      leaseDurationSeconds: 15,
      acquireTime: '2026-11-30T19:10:05.000000Z',
      renewTime: '2026-11-30T19:10:05.000000Z',
      leaseTransitions: 0,
    });
  });

  test('someone else holds it, seen for the first time: follow for a full duration from now', () => {
    const d = decideLease({ lease: held, me, now: T, previous: null, settings });
    assert.equal(d.kind, 'follow');
    assert.equal(d.kind === 'follow' && d.holder, other);
    assert.equal(d.kind === 'follow' && d.expiresAt, T + 15_000, 'judged on our clock, not its renewTime');
  });

  test('its renewTime far in the past by our clock does not count: skew cannot make two leaders', () => {
    const d = decideLease({ lease: held, me, now: T + 3_600_000, previous: null, settings });
    assert.equal(d.kind, 'follow');
  });

  test('unchanged for the lease duration by our clock: acquire it, counting a transition', () => {
    const first = decideLease({ lease: held, me, now: T, previous: null, settings });
    const before = decideLease({ lease: held, me, now: T + 14_999, previous: first.observation, settings });
    assert.equal(before.kind, 'follow');
    const d = decideLease({ lease: held, me, now: T + 15_000, previous: first.observation, settings });
    assert.equal(d.kind, 'acquire');
    assert.equal(d.kind === 'acquire' && d.spec.holderIdentity, me);
    assert.equal(d.kind === 'acquire' && d.spec.leaseTransitions, 4);
  });

  test('a renewal by the holder restarts our count', () => {
    const first = decideLease({ lease: held, me, now: T, previous: null, settings });
    const renewed: LeaseObject = { ...held, spec: { ...held.spec, renewTime: microTime(T + 5_000) } };
    const d = decideLease({ lease: renewed, me, now: T + 16_000, previous: first.observation, settings });
    assert.equal(d.kind, 'follow');
    assert.equal(d.kind === 'follow' && d.expiresAt, T + 31_000);
  });

  test("the record's own duration is honoured (a holder asking for longer)", () => {
    const long: LeaseObject = { ...held, spec: { ...held.spec, leaseDurationSeconds: 60 } };
    const first = decideLease({ lease: long, me, now: T, previous: null, settings });
    assert.equal(
      decideLease({ lease: long, me, now: T + 30_000, previous: first.observation, settings }).kind,
      'follow',
    );
    assert.equal(
      decideLease({ lease: long, me, now: T + 60_000, previous: first.observation, settings }).kind,
      'acquire',
    );
  });

  test('a released Lease (no holder) is acquired at once', () => {
    const d = decideLease({ lease: released, me, now: T, previous: null, settings });
    assert.equal(d.kind, 'acquire');
    assert.equal(d.kind === 'acquire' && d.spec.leaseTransitions, 4);
  });

  test('we hold it: renew, keeping acquireTime and transitions', () => {
    const mine: LeaseObject = { ...held, spec: { ...held.spec, holderIdentity: me } };
    const d = decideLease({ lease: mine, me, now: T, previous: null as Observation | null, settings });
    assert.equal(d.kind, 'renew');
    assert.deepEqual(d.kind === 'renew' && d.spec, {
      holderIdentity: me,
      leaseDurationSeconds: 15,
      acquireTime: '2026-11-30T19:00:00.000000Z',
      renewTime: '2026-11-30T19:10:05.000000Z',
      leaseTransitions: 3,
    });
  });

  test('garbage in the record is survived: no spec, negative transitions, absurd duration', () => {
    const bad: LeaseObject = {
      metadata: { resourceVersion: '1' },
      spec: { holderIdentity: other, leaseTransitions: -3, leaseDurationSeconds: 1e9 },
    };
    const first = decideLease({ lease: bad, me, now: T, previous: null, settings });
    assert.equal(first.kind === 'follow' && first.expiresAt, T + 15_000, 'our duration instead');
    const d = decideLease({ lease: bad, me, now: T + 15_000, previous: first.observation, settings });
    assert.equal(d.kind === 'acquire' && d.spec.leaseTransitions, 1);
    assert.equal(
      decideLease({ lease: { metadata: {} }, me, now: T, previous: null, settings }).kind,
      'acquire',
    );
  });
});

test('release: no holder, a one-second duration, the rest kept', () => {
  const spec = releasedSpec(held.spec!, T);
  assert.equal(spec.holderIdentity, null);
  assert.equal(spec.leaseDurationSeconds, 1);
  assert.equal(spec.leaseTransitions, 3);
  assert.equal(spec.renewTime, '2026-11-30T19:10:05.000000Z');
});

test('we stop leading renewDeadline after our last successful renewal, before others may start', () => {
  assert.equal(stillLeading(null, T, 10_000), false);
  assert.equal(stillLeading(T, T + 9_999, 10_000), true);
  assert.equal(stillLeading(T, T + 10_000, 10_000), false);
});

test('MicroTime has six fractional digits', () => {
  assert.equal(microTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), '2026-01-02T03:04:05.678000Z');
});
