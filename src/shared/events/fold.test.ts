import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { EventView } from '../api.js';
import { eventsForPod, foldEvents, sortEvents, toEventView } from './fold.js';

function eventList(name: string): unknown[] {
  const list = JSON.parse(
    readFileSync(new URL(`../../../test/fixtures/events/${name}.json`, import.meta.url), 'utf8'),
  ) as { items: unknown[] };
  return list.items;
}

const crashloop = eventList('orders-api-crashloop');
const unschedulable = eventList('search-unschedulable');
const POD = 'orders-api-5d8c7b9f4-tq7wz';
const POD_UID = 'c2d4e6f8-0a1b-4c3d-8e5f-7a9b1c3d5e02';

function view(partial: Partial<EventView> & { reason: string }): EventView {
  return {
    uid: partial.reason,
    type: 'Normal',
    message: '',
    count: 1,
    firstSeen: null,
    lastSeen: null,
    source: 'kubelet',
    involvedObject: { kind: 'Pod', name: 'p', namespace: 'ns', fieldPath: null },
    ...partial,
  };
}

describe('toEventView', () => {
  test('reads a legacy kubelet event: count, first/last timestamps, component and host', () => {
    const backOff = toEventView(crashloop[4]);
    assert.deepEqual(backOff, {
      uid: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c05',
      type: 'Warning',
      reason: 'BackOff',
      message: `Back-off restarting failed container api in pod ${POD}_shop(${POD_UID})`,
      count: 27,
      firstSeen: '2026-11-25T18:02:48Z',
      lastSeen: '2026-11-25T18:11:02Z',
      source: 'kubelet, podscope-worker',
      involvedObject: { kind: 'Pod', name: POD, namespace: 'shop', fieldPath: 'spec.containers{api}' },
    });
  });

  test('reads a scheduler event recorded through events.k8s.io: eventTime and reportingComponent', () => {
    const scheduled = toEventView(crashloop[0]);
    assert.equal(scheduled.count, 1);
    assert.equal(scheduled.firstSeen, '2026-11-25T18:02:44.412381Z');
    assert.equal(scheduled.lastSeen, '2026-11-25T18:02:44.412381Z');
    assert.equal(scheduled.source, 'default-scheduler, default-scheduler-podscope-control-plane');
    assert.equal(scheduled.involvedObject.fieldPath, null);
  });

  test('takes count and last time from series when the event repeated', () => {
    const failed = toEventView(unschedulable[0]);
    assert.equal(failed.count, 4);
    assert.equal(failed.firstSeen, '2026-11-25T20:20:40.118552Z');
    assert.equal(failed.lastSeen, '2026-11-25T20:36:02.907215Z');
  });

  test('shows a controller without a host as just its name', () => {
    assert.equal(toEventView(crashloop[8]).source, 'replicaset-controller');
  });

  test('reads events.k8s.io/v1 field names too', () => {
    const v = toEventView({
      metadata: { uid: 'u1' },
      regarding: { kind: 'Pod', name: 'p', namespace: 'ns' },
      note: 'hello ',
      reason: 'R',
      type: 'Normal',
      reportingController: 'my-operator',
      reportingInstance: 'my-operator-0',
      deprecatedCount: 3,
      deprecatedFirstTimestamp: '2026-01-01T00:00:00Z',
      deprecatedLastTimestamp: '2026-01-01T00:05:00Z',
    });
    assert.deepEqual(
      [v.message, v.source, v.count, v.firstSeen, v.lastSeen, v.involvedObject.name],
      ['hello', 'my-operator, my-operator-0', 3, '2026-01-01T00:00:00Z', '2026-01-01T00:05:00Z', 'p'],
    );
  });

  test('never throws on malformed input', () => {
    for (const junk of [null, 7, 'x', [], { count: 'many', series: 3, involvedObject: [] }]) {
      const v = toEventView(junk);
      assert.equal(v.count, 1);
      assert.equal(v.firstSeen, null);
    }
  });
});

describe('foldEvents', () => {
  test('merges the same message about the same container, adding counts and widening the time span', () => {
    const folded = foldEvents(crashloop.map(toEventView));
    const backOffs = folded.filter((e) => e.reason === 'BackOff');
    assert.equal(backOffs.length, 1);
    assert.deepEqual(
      [backOffs[0]?.count, backOffs[0]?.firstSeen, backOffs[0]?.lastSeen, backOffs[0]?.uid],
      [30, '2026-11-25T18:02:48Z', '2026-11-25T18:14:10Z', '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c06'],
    );
    assert.equal(folded.length, crashloop.length - 1);
  });

  test('keeps apart events that differ in object, container, type, reason or message', () => {
    const base = view({ reason: 'Unhealthy', message: 'probe failed' });
    const rows = [
      base,
      { ...base, involvedObject: { ...base.involvedObject, name: 'other' } },
      { ...base, involvedObject: { ...base.involvedObject, fieldPath: 'spec.containers{sidecar}' } },
      { ...base, type: 'Warning' },
      { ...base, reason: 'Other' },
      { ...base, message: 'probe failed again' },
    ];
    assert.equal(foldEvents(rows).length, rows.length);
  });

  test('handles rows without times', () => {
    const folded = foldEvents([
      view({ reason: 'R', firstSeen: null, lastSeen: null }),
      view({ reason: 'R', firstSeen: '2026-01-01T00:00:00Z', lastSeen: '2026-01-01T00:00:01Z', count: 2 }),
    ]);
    assert.deepEqual(
      [folded[0]?.count, folded[0]?.firstSeen, folded[0]?.lastSeen],
      [3, '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z'],
    );
  });

  test('does not modify its input', () => {
    const rows = [view({ reason: 'R', count: 1 }), view({ reason: 'R', count: 2 })];
    foldEvents(rows);
    assert.deepEqual(
      rows.map((r) => r.count),
      [1, 2],
    );
  });
});

describe('sortEvents', () => {
  const rows = [
    view({ reason: 'b', firstSeen: '2026-01-01T00:00:01Z', lastSeen: '2026-01-01T00:00:05Z' }),
    view({ reason: 'a', firstSeen: '2026-01-01T00:00:00Z', lastSeen: '2026-01-01T00:00:05Z' }),
    view({ reason: 'c', firstSeen: '2026-01-01T00:00:02Z', lastSeen: '2026-01-01T00:00:03.5Z' }),
    view({ reason: 'none' }),
  ];

  test('oldest first: by last seen, then first seen; timeless events first', () => {
    assert.deepEqual(
      sortEvents(rows, 'oldest').map((e) => e.reason),
      ['none', 'c', 'a', 'b'],
    );
  });

  test('newest first is the exact reverse', () => {
    assert.deepEqual(
      sortEvents(rows, 'newest').map((e) => e.reason),
      ['b', 'a', 'c', 'none'],
    );
  });

  test('compares microsecond eventTimes with second-precision timestamps by value', () => {
    const mixed = [
      view({ reason: 'later', lastSeen: '2026-01-01T00:00:05Z' }),
      view({ reason: 'earlier', lastSeen: '2026-01-01T00:00:04.999999Z' }),
    ];
    assert.deepEqual(
      sortEvents(mixed, 'oldest').map((e) => e.reason),
      ['earlier', 'later'],
    );
  });

  test('sorts the fixture like kubectl events (oldest first)', () => {
    const sorted = sortEvents(crashloop.map(toEventView), 'oldest').map((e) => e.reason);
    assert.deepEqual(sorted, [
      'Killing',
      'SuccessfulCreate',
      'Scheduled',
      'Unhealthy',
      'Pulled',
      'Created',
      'Started',
      'BackOff',
      'BackOff',
    ]);
  });
});

describe('eventsForPod', () => {
  test('returns the pod’s and its containers’ events, not its owner’s', () => {
    const events = eventsForPod(crashloop, POD);
    assert.equal(events.length, 8);
    assert.ok(events.every((e) => e.involvedObject.kind === 'Pod'));
  });

  test('with a uid, leaves out events about an earlier pod of the same name', () => {
    const events = eventsForPod(crashloop, POD, POD_UID);
    assert.equal(events.length, 7);
    assert.ok(!events.some((e) => e.reason === 'Killing'));
  });

  test('matches nothing for another pod', () => {
    assert.deepEqual(eventsForPod(crashloop, 'search-0'), []);
  });
});
