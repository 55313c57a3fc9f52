// Each broken demo pod's events say why it is broken, as `kubectl describe pod` would.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EventView, EventWatchMessage } from '../../../src/shared/api.js';
import { waitFor } from '../../support/cluster.js';
import { createTestPod, deleteTestPod } from '../../support/pods.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../../support/podscope.js';

let podscope: RunningPodscope;
before(async () => {
  podscope = await startPodscope();
});
after(() => podscope.close());

const eventsOf = async (pod: string) =>
  (await podscope.getJson<EventView[]>(`/api/clusters/${CLUSTER}/namespaces/demo/events?pod=${pod}`)).body;

const expected: [pod: string, reason: string, message: RegExp][] = [
  ['crashloop', 'BackOff', /Back-off restarting failed container app/],
  ['oomkilled', 'BackOff', /Back-off restarting failed container/],
  ['imagepull', 'Failed', /ErrImagePull|ImagePullBackOff|Failed to pull image/],
  ['unhealthy', 'Unhealthy', /(Readiness|Liveness) probe failed/],
  ['pending', 'FailedScheduling', /Insufficient cpu/],
  ['configerror', 'Failed', /configmap "billing-settings" not found/],
];

describe('events of broken demo pods', () => {
  for (const [pod, reason, message] of expected) {
    test(`${pod}: ${reason}`, async () => {
      const events = await waitFor(
        `${reason} event for ${pod}`,
        async () => {
          const list = await eventsOf(pod);
          return list.some((e) => e.reason === reason && message.test(e.message)) ? list : undefined;
        },
        120_000,
      );
      const e = events.find((x) => x.reason === reason)!;
      assert.equal(e.type, 'Warning');
      assert.equal(e.involvedObject.kind, 'Pod');
      assert.equal(e.involvedObject.name, pod);
      assert.ok(e.count >= 1 && e.lastSeen, 'count and last seen are set');
      // Only this pod's events.
      assert.ok(events.every((x) => x.involvedObject.name === pod));
    });
  }

  test('the watch delivers a snapshot then live updates', async () => {
    const ws = podscope.ws<EventWatchMessage>(`/api/clusters/${CLUSTER}/namespaces/demo/events/watch`);
    let pod: string | undefined;
    try {
      const msgs = await ws.until('snapshot', (m) => m.some((x) => x.type === 'snapshot'));
      const snap = msgs.find((m) => m.type === 'snapshot');
      assert.ok(snap && snap.type === 'snapshot' && snap.events.length > 0);
      // A new pod makes the scheduler and kubelet record events while we watch.
      pod = await createTestPod({ prefix: 'events', script: 'sleep 3600' });
      const name = pod;
      await ws.until(
        'Scheduled event of the new pod',
        (m) =>
          m.some(
            (x) =>
              x.type === 'upsert' && x.event.reason === 'Scheduled' && x.event.involvedObject.name === name,
          ),
        60_000,
      );
    } finally {
      ws.close();
      if (pod) await deleteTestPod(pod);
    }
  });

  test('namespace events include several pods', async () => {
    const all = (await podscope.getJson<EventView[]>(`/api/clusters/${CLUSTER}/namespaces/demo/events`)).body;
    const pods = new Set(all.map((e) => e.involvedObject.name));
    for (const p of ['crashloop', 'pending', 'unhealthy']) assert.ok(pods.has(p), `events of ${p}`);
  });
});
