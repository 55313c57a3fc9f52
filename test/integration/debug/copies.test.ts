// Pod copies of a crash-looping pod on the real cluster: they stay up (sleep, no probes, no labels by
// default), are deleted when their lease ends or on request, and an orphaned one whose expiry passed is
// deleted by the reaper of a restarted Podscope.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import type { DebugPodCreated, LeaseMessage } from '../../../src/shared/debug/debug-api.js';
import type { SessionWithCommands } from '../../../src/server/audit/audit-store.js';
import { getJson as kubectlJson, kubectl, kubectlOk, waitFor } from '../../support/cluster.js';
import { CLUSTER, startPodscope, WsClient, type RunningPodscope } from '../../support/podscope.js';
import { createPod, deletePod, NS, podExists, request, waitGone } from './debug-helpers.js';

const GRACE_MS = 2000;
let podscope: RunningPodscope;
const dataDir = mkdtempSync(path.join(tmpdir(), 'podscope-copies-'));
const leftovers: string[] = [];

before(async () => {
  podscope = await startPodscope({ dataDir, debug: { leaseGraceMs: GRACE_MS } });
});
after(async () => {
  await Promise.all(leftovers.map((p) => deletePod(p)));
  await podscope.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const api = () => `/api/clusters/${CLUSTER}/namespaces/${NS}`;
const lease = (pod: string) => podscope.ws<LeaseMessage>(`${api()}/debug-pods/${pod}/lease`);

async function copyOf(pod: string, body: Record<string, unknown>): Promise<DebugPodCreated> {
  const r = await request<DebugPodCreated>(podscope, 'POST', `${api()}/pods/${pod}/copies`, body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  leftovers.push(r.body.pod);
  return r.body;
}

describe('a copy of the crash-looping pod', () => {
  let copy: DebugPodCreated;
  let ws: WsClient<LeaseMessage>;

  test('is created and leased', async () => {
    copy = await copyOf('crashloop', { container: 'app' });
    ws = lease(copy.pod);
    await ws.until('leased', (m) => m.some((x) => x.type === 'leased'));
    assert.match(copy.pod, /^crashloop-debug-[a-z0-9]{5}$/);
    assert.equal(copy.container, 'app');
  });

  test('stays Running (its container sleeps) well past when the original crashes', async () => {
    await new Promise((r) => setTimeout(r, 8000));
    const p = await kubectlJson<V1Pod>(['-n', NS, 'get', 'pod', copy.pod]);
    assert.equal(p.status?.phase, 'Running');
    const s = p.status?.containerStatuses?.[0];
    assert.ok(s?.state?.running, JSON.stringify(s?.state));
    assert.equal(s?.restartCount, 0);
    const c = p.spec!.containers[0]!;
    assert.deepEqual(c.command, ['sleep', '2147483647']);
    assert.equal(c.args, undefined);
    assert.equal(c.livenessProbe ?? c.readinessProbe ?? c.startupProbe ?? c.lifecycle, undefined);
    assert.equal(p.spec!.shareProcessNamespace, true);
  });

  test('has no labels of the original by default, only Podscope’s marks', async () => {
    const t0 = Date.now();
    const p = await kubectlJson<V1Pod>(['-n', NS, 'get', 'pod', copy.pod]);
    assert.deepEqual(Object.keys(p.metadata!.labels!).sort(), [
      'app.kubernetes.io/managed-by',
      'podscope.io/debug-pod',
      'podscope.io/session',
    ]);
    const ann = p.metadata!.annotations!;
    assert.equal(ann['podscope.io/source'], 'pod demo/crashloop');
    assert.match(ann['podscope.io/owner'] ?? '', /^kubeconfig:/);
    // The lease lives on the pod, for every replica to see: renewed a grace period ahead while held.
    const expires = Date.parse(ann['podscope.io/expires-at']!);
    assert.ok(expires >= t0 && expires <= Date.now() + GRACE_MS, ann['podscope.io/expires-at']);
    // a Service selecting app=payments does not see it
    const selected = await kubectlOk(['-n', NS, 'get', 'pods', '-l', 'app=payments', '-o', 'name']);
    assert.doesNotMatch(selected, new RegExp(copy.pod));
  });

  test('the copy is audited', async () => {
    const s = (await podscope.getJson<SessionWithCommands>(`/api/audit/sessions/${copy.auditSession}`)).body;
    assert.equal(s.kind, 'copy');
    assert.equal(s.pod, 'crashloop');
    assert.equal(s.details['copy'], copy.pod);
    assert.equal(s.endedAt, null, 'the session lasts as long as the copy');
  });

  test('is deleted after the grace period once the lease (browser) goes away', async () => {
    ws.close();
    await new Promise((r) => setTimeout(r, GRACE_MS / 2));
    assert.ok(await podExists(copy.pod), 'not before the grace period');
    await waitGone(copy.pod, NS, 30_000);
    const s = (await podscope.getJson<SessionWithCommands>(`/api/audit/sessions/${copy.auditSession}`)).body;
    assert.notEqual(s.endedAt, null);
  });
});

describe('copy options and deletion', () => {
  test('keepLabels keeps the app labels (for NetworkPolicies); DELETE removes it at once', async () => {
    const copy = await copyOf('crashloop', {
      container: 'app',
      keepLabels: true,
      replaceImage: true,
      sameNode: true,
    });
    const p = await kubectlJson<V1Pod>(['-n', NS, 'get', 'pod', copy.pod]);
    assert.equal(p.metadata!.labels!['app'], 'payments');
    assert.equal(p.spec!.containers[0]!.image, 'podscope.local/debug-tools:1');
    const src = await kubectlJson<V1Pod>(['-n', NS, 'get', 'pod', 'crashloop']);
    assert.equal(p.spec!.nodeName, src.spec!.nodeName);
    const del = await request<{ deleted: boolean }>(podscope, 'DELETE', `${api()}/debug-pods/${copy.pod}`);
    assert.deepEqual(del.body, { deleted: true });
    await waitGone(copy.pod);
  });

  test('a copy nobody leases is deleted after the grace period', async () => {
    const copy = await copyOf('crashloop', { container: 'app' });
    await waitGone(copy.pod, NS, 30_000);
  });

  test('DELETE and lease refuse pods Podscope did not make', async () => {
    const del = await request<{ error: string }>(podscope, 'DELETE', `${api()}/debug-pods/crashloop`);
    assert.equal(del.status, 400);
    assert.match(del.body.error, /not a Podscope pod copy or node debug pod/);
    assert.ok(await podExists('crashloop'));
    const ws = lease('crashloop');
    await ws.until('error', (m) => m.some((x) => x.type === 'error'));
    ws.close();
  });

  test('bad copy requests are refused and create nothing', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{}, /"container" is required/],
      [{ container: 'db' }, /has no container "db"; its containers are: app\./],
      [{ container: 'app', runInitContainers: 'no' }, /"runInitContainers" must be true or false/],
      [{ container: 'app', image: 'alpine' }, /not allowed for debugging/],
      [{ container: 'app', keepLabels: 'yes' }, /"keepLabels" must be true or false/],
    ];
    const before = await kubectlOk(['-n', NS, 'get', 'pods', '-l', 'podscope.io/debug-pod', '-o', 'name']);
    for (const [body, why] of cases) {
      for (const path of ['copies', 'copies/plan']) {
        const r = await request<{ error: string }>(podscope, 'POST', `${api()}/pods/crashloop/${path}`, body);
        assert.equal(r.status, 400, JSON.stringify(r.body));
        assert.match(r.body.error, why);
      }
    }
    assert.equal(
      await kubectlOk(['-n', NS, 'get', 'pods', '-l', 'podscope.io/debug-pod', '-o', 'name']),
      before,
    );
  });
});

describe('the reaper, after Podscope restarts', () => {
  test('deletes an orphaned copy whose expiry passed, and only Podscope’s pods', async () => {
    // A copy held by a browser when Podscope stops: it survives the shutdown (a restarted or other
    // replica takes the lease over) ...
    const first = await startPodscope({ dataDir, debug: { leaseGraceMs: GRACE_MS } });
    const r = await request<DebugPodCreated>(
      first,
      'POST',
      `/api/clusters/${CLUSTER}/namespaces/${NS}/pods/crashloop/copies`,
      { container: 'app' },
    );
    assert.equal(r.status, 201, JSON.stringify(r.body));
    leftovers.push(r.body.pod);
    const ws = first.ws<LeaseMessage>(
      `/api/clusters/${CLUSTER}/namespaces/${NS}/debug-pods/${r.body.pod}/lease`,
    );
    await ws.until('leased', (m) => m.some((x) => x.type === 'leased'));
    await first.close();
    // (Its lease is on the pod: until the expiry there passes, a replica's browser may take it over.
    // This suite's other Podscope leads and reaps every 10 s, so look at once.)
    assert.ok(await podExists(r.body.pod), 'a leased copy outlives the Podscope that made it');
    // ... but nobody comes back for it, and its expiry passes.
    const past = new Date(Date.now() - 60_000).toISOString();
    await kubectlOk([
      '-n',
      NS,
      'annotate',
      'pod',
      r.body.pod,
      `podscope.io/expires-at=${past}`,
      '--overwrite',
    ]);
    // Not Podscope's: an expired-looking pod without the marks must survive.
    const stranger = await createPod('not-ours', {
      containers: [
        { name: 'app', image: 'podscope.local/app:1', imagePullPolicy: 'Never', command: ['sleep', '1000'] },
      ],
    });
    leftovers.push(stranger);
    await kubectlOk(['-n', NS, 'annotate', 'pod', stranger, `podscope.io/expires-at=${past}`]);

    const second = await startPodscope({ dataDir });
    try {
      await waitGone(r.body.pod, NS, 30_000);
      assert.ok(await podExists(stranger), 'a pod without Podscope’s labels is never reaped');
      const s = (await second.getJson<SessionWithCommands>(`/api/audit/sessions/${r.body.auditSession}`))
        .body;
      assert.notEqual(s.endedAt, null);
      assert.equal(s.error, 'expired: deleted by the reaper');
    } finally {
      await second.close();
    }
  });
});

describe('the reaper, for a copy deleted behind Podscope’s back', () => {
  test('ends the audit session of a copy whose pod is gone, and not of one that lives', async () => {
    // Its own Podscope and audit database: the margin for a creation in flight is 1.5 × 12 s, and the
    // reaper looks every second.
    const ownDir = mkdtempSync(path.join(tmpdir(), 'podscope-copies-gone-'));
    const quick = await startPodscope({
      dataDir: ownDir,
      debug: { leaseGraceMs: 20_000, podCreateTimeoutMs: 12_000, reaperIntervalMs: 1000 },
    });
    try {
      const make = async () => {
        const r = await request<DebugPodCreated>(quick, 'POST', `${api()}/pods/crashloop/copies`, {
          container: 'app',
        });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        leftovers.push(r.body.pod);
        const ws = quick.ws<LeaseMessage>(`${api()}/debug-pods/${r.body.pod}/lease`);
        await ws.until('leased', (m) => m.some((x) => x.type === 'leased'));
        return { copy: r.body, ws };
      };
      const kept = await make();
      const gone = await make();
      const sessionOf = async (id: string) =>
        (await quick.getJson<SessionWithCommands>(`/api/audit/sessions/${id}`)).body;
      // Deleted with kubectl, while a browser holds its lease: Podscope never deleted it, so nothing
      // but the reaper ends its session.
      await kubectlOk(['-n', NS, 'delete', 'pod', gone.copy.pod, '--wait=true']);
      await gone.ws.until('gone', (m) => m.some((x) => x.type === 'gone'));
      const ended = await waitFor(
        'the session of the copy gone to be ended',
        async () => {
          const s = await sessionOf(gone.copy.auditSession);
          return s.endedAt ? s : undefined;
        },
        60_000,
        500,
      );
      assert.equal(ended.error, 'the pod is gone');
      const live = await sessionOf(kept.copy.auditSession);
      assert.equal(live.endedAt, null, 'the session of a copy that lives stays open');
      assert.ok(await podExists(kept.copy.pod));
      kept.ws.close();
      gone.ws.close();
      const del = await request<{ deleted: boolean }>(
        quick,
        'DELETE',
        `${api()}/debug-pods/${kept.copy.pod}`,
      );
      assert.equal(del.status, 200, JSON.stringify(del.body));
      const keptEnd = await sessionOf(kept.copy.auditSession);
      assert.notEqual(keptEnd.endedAt, null);
      assert.equal(keptEnd.error, null, 'deleted by its user: no error');
    } finally {
      await quick.close();
      rmSync(ownDir, { recursive: true, force: true });
    }
  });
});

test('cleanup check: no copies of this test run are left', async () => {
  const r = await kubectl(['-n', NS, 'get', 'pods', '-o', 'name']);
  for (const p of leftovers.filter((x) => x.includes('-debug-'))) {
    if (r.stdout.includes(`pod/${p}\n`)) await waitGone(p, NS, 30_000);
  }
});
