import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SessionRecord } from '../audit/audit-store.js';
import { DEFAULT_CONFIG, parseReplicasConfig } from '../config/podscope-config.js';
import {
  mayDeclareLost,
  nextHealthySince,
  ownedByReplica,
  replicaLostEnd,
  sessionsToRecover,
} from './replica-health.js';
import { resolveReplicaSettings } from './replicas.js';

const session = (over: Partial<SessionRecord> = {}): SessionRecord => ({
  id: '00000000-0000-4000-8000-000000000001',
  identity: { user: 'u', groups: [] },
  startedAt: new Date(1_000_000),
  cluster: 'c',
  namespace: 'n',
  pod: 'p',
  container: 'app',
  kind: 'exec',
  command: ['sh'],
  policy: 'root-allowed',
  clientAddress: null,
  details: { cleanupTag: 'PODSCOPE_SESSION=x' },
  endedAt: null,
  exitCode: null,
  bytesIn: null,
  bytesOut: null,
  error: null,
  outcome: null,
  recordingPath: null,
  recordingTruncatedAt: null,
  replica: 'podscope-b-0000',
  ...over,
});

describe('which sessions live and die with their replica', () => {
  test('terminals, debug containers and file transfers do; copies and node pods do not', () => {
    for (const kind of ['exec', 'debug', 'file-list', 'file-download', 'file-upload'] as const) {
      assert.equal(ownedByReplica(kind), true, kind);
    }
    assert.equal(ownedByReplica('copy'), false);
    assert.equal(ownedByReplica('node-debug'), false);
  });

  test("the leader recovers others' open sessions, never its own, an ended one or a copy", () => {
    const mine = session({ id: 'mine', replica: 'me-1' });
    const ended = session({ id: 'ended', endedAt: new Date(2_000_000) });
    const copy = session({ id: 'copy', kind: 'copy' });
    const none = session({ id: 'none', replica: null });
    const lost = session({ id: 'lost' });
    assert.deepEqual(
      sessionsToRecover([mine, ended, copy, none, lost], 'me-1').map((s) => s.id),
      ['lost'],
    );
  });
});

describe('when the leader may call a replica lost', () => {
  const gap = 10_000;
  test('only after its own heartbeats succeeded, unbroken, for the whole bound', () => {
    let h = { healthySince: null as number | null, lastSuccess: null as number | null };
    h = nextHealthySince(h, 0, true, gap);
    assert.equal(h.healthySince, 0);
    for (let t = 5_000; t <= 30_000; t += 5_000) h = nextHealthySince(h, t, true, gap);
    assert.equal(mayDeclareLost(h.healthySince, 29_999, 30_000), false);
    assert.equal(mayDeclareLost(h.healthySince, 30_000, 30_000), true);
  });

  test('a failed heartbeat (database outage) starts the count again', () => {
    let h = nextHealthySince({ healthySince: 0, lastSuccess: 40_000 }, 45_000, false, gap);
    assert.equal(mayDeclareLost(h.healthySince, 50_000, 30_000), false);
    h = nextHealthySince(h, 50_000, true, gap);
    assert.equal(h.healthySince, 50_000);
    assert.equal(mayDeclareLost(h.healthySince, 79_999, 30_000), false);
    assert.equal(mayDeclareLost(h.healthySince, 80_000, 30_000), true);
  });

  test('a long pause between successes (suspended, event loop stalled) starts it again too', () => {
    const h = nextHealthySince({ healthySince: 0, lastSuccess: 5_000 }, 60_000, true, gap);
    assert.equal(h.healthySince, 60_000);
  });
});

describe('the record of a session whose replica was lost', () => {
  const now = new Date(1_060_000);
  test('says "replica lost", who stopped, who closed it, and that its processes were ended', () => {
    const end = replicaLostEnd(session(), {
      by: 'podscope-a-1111',
      lostAfterMs: 30_000,
      now,
      failure: null,
      hadProcesses: true,
    });
    assert.equal(end.endedAt, now);
    assert.equal(end.exitCode, null);
    assert.match(
      end.error!,
      /^replica lost: Podscope replica podscope-b-0000 stopped sending heartbeats \(none for 30 s\)/,
    );
    assert.match(
      end.error!,
      /replica podscope-a-1111 closed it\. Its processes in the container were ended\./,
    );
    assert.deepEqual(end.outcome, {
      result: 'replica lost',
      replica: 'podscope-b-0000',
      closedBy: 'podscope-a-1111',
    });
  });

  test('says why the processes could not be ended; says nothing of processes for a file transfer', () => {
    const failed = replicaLostEnd(session(), {
      by: 'a',
      lostAfterMs: 30_000,
      now,
      failure: 'pod not found',
      hadProcesses: true,
    });
    assert.match(failed.error!, /could not be ended: pod not found\./);
    const file = replicaLostEnd(session({ kind: 'file-download' }), {
      by: 'a',
      lostAfterMs: 30_000,
      now,
      failure: null,
      hadProcesses: false,
    });
    assert.doesNotMatch(file.error!, /processes/);
  });

  test('never ends before it started (clocks of two replicas)', () => {
    const end = replicaLostEnd(session({ startedAt: new Date(2_000_000) }), {
      by: 'a',
      lostAfterMs: 30_000,
      now,
      failure: null,
      hadProcesses: false,
    });
    assert.deepEqual(end.endedAt, new Date(2_000_000));
  });
});

describe('replica settings', () => {
  const clusters = [
    { name: 'other', current: false, defaultNamespace: null },
    { name: 'in-cluster', current: true, defaultNamespace: 'podscope' },
  ];
  test('local defaults: no election, heartbeat 5 s, lost after 30 s', () => {
    const s = resolveReplicaSettings(DEFAULT_CONFIG.replicas, clusters);
    assert.deepEqual(s, {
      heartbeatMs: 5000,
      lostAfterMs: 30_000,
      recoveryIntervalMs: 5000,
      leaderElection: null,
    });
  });

  test("the defaults close a lost leader's sessions within 60 s", () => {
    const s = resolveReplicaSettings(
      { ...DEFAULT_CONFIG.replicas, leaderElection: { namespace: null, name: 'l' } },
      clusters,
    );
    const le = s.leaderElection!;
    // Worst case: the Lease expires on the follower's clock, its next round comes, then it must have
    // seen silence for lostAfter (overlapping), then its next recovery pass.
    const takeover = le.leaseDurationMs + le.retryMs;
    const worst = Math.max(takeover, s.lostAfterMs) + s.recoveryIntervalMs + s.heartbeatMs;
    assert.ok(worst <= 60_000, `${worst} ms`);
    assert.ok(le.renewDeadlineMs < le.leaseDurationMs);
  });

  test('the Lease goes to the current cluster, in its default namespace unless configured', () => {
    const s = resolveReplicaSettings(
      { ...DEFAULT_CONFIG.replicas, leaderElection: { namespace: null, name: 'podscope-leader' } },
      clusters,
    );
    assert.deepEqual(s.leaderElection, {
      cluster: 'in-cluster',
      namespace: 'podscope',
      name: 'podscope-leader',
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryMs: 3000,
    });
    const t = resolveReplicaSettings(
      { ...DEFAULT_CONFIG.replicas, leaderElection: { namespace: 'ops', name: 'x' } },
      clusters,
    );
    assert.equal(t.leaderElection?.namespace, 'ops');
  });
});

describe("the config file's replicas section", () => {
  test('fields and defaults', () => {
    assert.deepEqual(parseReplicasConfig(undefined), DEFAULT_CONFIG.replicas);
    assert.deepEqual(
      parseReplicasConfig({ leaderElection: { namespace: 'podscope' }, lostAfterSeconds: 20 }),
      {
        leaderElection: { namespace: 'podscope', name: 'podscope-leader' },
        heartbeatSeconds: 5,
        lostAfterSeconds: 20,
        leaseDurationSeconds: 15,
      },
    );
  });

  test('refuses what cannot work', () => {
    assert.throws(
      () => parseReplicasConfig({ heartbeatSeconds: 0 }),
      /heartbeatSeconds must be a whole number/,
    );
    assert.throws(
      () => parseReplicasConfig({ heartbeatSeconds: 10, lostAfterSeconds: 20 }),
      /at least 3 heartbeats/,
    );
    assert.throws(
      () => parseReplicasConfig({ leaderElection: { name: 'Not A Name' } }),
      /must be a Lease name/,
    );
    assert.throws(() => parseReplicasConfig({ leaderElection: { namespace: 'a/b' } }), /namespace/);
    assert.throws(() => parseReplicasConfig({ leaderElection: { nmae: 'x' } }), /unknown field "nmae"/);
    assert.throws(() => parseReplicasConfig({ leaseDuration: 3 }), /unknown field/);
  });
});
