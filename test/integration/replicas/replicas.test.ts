// Several Podscope replicas on one PostgreSQL database and one leader-election Lease, each a real CLI
// process, killed with SIGKILL as a lost pod or node would be: exactly one leads; a pod copy held by a
// browser on one replica is not reaped by the leader while held, and is reaped once its holder is gone;
// when the leader dies mid-terminal, another replica takes the Lease over, ends the shell left in the
// container and closes the audit record as "replica lost" within 60 s, and serves its recording.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { SessionWithCommands } from '../../../src/server/audit/audit-store.js';
import type { DebugPodCreated, LeaseMessage } from '../../../src/shared/debug/debug-api.js';
import { getJson as kubectlJson, kubectl, kubectlOk, uniqueName, waitFor } from '../../support/cluster.js';
import { CLUSTER } from '../../support/podscope.js';
import { startPodscopeProcess, type PodscopeProcess } from '../../support/podscope-process.js';
import { ensurePostgres, TestSchemas } from '../../support/postgres.js';
import { createPod, deletePod, NS, podExists, waitContainerRunning } from '../debug/debug-helpers.js';
import { TerminalClient, terminalUrl } from '../terminal/terminal-client.js';
import { processes } from '../terminal/test-pods.js';

const LEASE = 'podscope-leader';
const leaseNs = uniqueName('podscope-replicas');
const dir = mkdtempSync(path.join(tmpdir(), 'podscope-replicas-'));
const config = path.join(dir, 'podscope.json');
const running: PodscopeProcess[] = [];
const leftovers: string[] = [];
let schemas: TestSchemas;
let schema: string;
let databaseUrl: string;
let source: string;

interface Lease {
  metadata: { resourceVersion: string };
  spec: { holderIdentity?: string; leaseTransitions?: number };
}

before(async () => {
  schemas = new TestSchemas(await ensurePostgres());
  ({ schema, url: databaseUrl } = await schemas.fresh('replicas'));
  await kubectlOk(['create', 'namespace', leaseNs]);
  // The defaults (heartbeat 5 s, lost after 30 s, Lease 15 s) are the ones under test.
  writeFileSync(
    config,
    JSON.stringify({ replicas: { leaderElection: { namespace: leaseNs, name: LEASE } } }),
  );
  source = await createPod('replicas-src', {
    containers: [
      { name: 'app', image: 'podscope.local/app:1', imagePullPolicy: 'Never', command: ['sleep', '100000'] },
    ],
  });
  leftovers.push(source);
  await waitContainerRunning(source, 'app');
});

after(async () => {
  for (const p of running) p.kill('SIGKILL');
  await Promise.all(leftovers.map((p) => deletePod(p)));
  await kubectl(['delete', 'namespace', leaseNs, '--wait=false']);
  await schemas.dropAll();
  rmSync(dir, { recursive: true, force: true });
});

/** A replica whose id starts with `name-` (POD_NAME, as the downward API would set it). */
async function replica(name: string): Promise<PodscopeProcess> {
  const p = await startPodscopeProcess(['--config', config], {
    PODSCOPE_DATABASE_URL: databaseUrl,
    POD_NAME: name,
  });
  running.push(p);
  return p;
}

const lease = () => kubectlJson<Lease>(['-n', leaseNs, 'get', 'lease', LEASE, '-o', 'json']);
const holderName = (l: Lease) => /^(replica-[a-z])-[0-9a-f]{8}$/.exec(l.spec.holderIdentity ?? '')?.[1];

async function heartbeats(): Promise<string[]> {
  const r = await schemas.sql<{ id: string }>(
    `SELECT id FROM ${schema}.replicas WHERE heartbeat_at > now() - interval '10 seconds' ORDER BY id`,
  );
  return r.rows.map((x) => x.id.replace(/-[0-9a-f]{8}$/, ''));
}

async function session(p: PodscopeProcess, id: string): Promise<SessionWithCommands> {
  const r = await p.getJson<SessionWithCommands>(`/api/audit/sessions/${id}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

test('replicas: one leader; copies leased across replicas; a lost leader and its terminal are taken over', async (t) => {
  const procs: Record<string, PodscopeProcess> = {
    'replica-a': await replica('replica-a'),
    'replica-b': await replica('replica-b'),
  };

  // Exactly one leader, and it stays the one.
  const first = await waitFor('a leader', async () => holderName(await lease()), 30_000, 500);
  const follower = first === 'replica-a' ? 'replica-b' : 'replica-a';
  await waitFor('both replicas heartbeating', async () =>
    (await heartbeats()).join() === 'replica-a,replica-b' ? true : undefined,
  );
  for (let i = 0; i < 6; i++) {
    const l = await lease();
    assert.equal(holderName(l), first, 'the leader does not change while it lives');
    assert.equal(l.spec.leaseTransitions, 0, 'nobody else ever took it');
    await new Promise((r) => setTimeout(r, 1000));
  }
  t.diagnostic(`leader ${first}, follower ${follower}`);

  // A copy made through the follower, its lease held by a browser connected to the follower.
  const holder = procs[follower]!;
  const copyAskedAt = Date.now();
  const created = await holder.fetch(`/api/clusters/${CLUSTER}/namespaces/${NS}/pods/${source}/copies`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ container: 'app' }),
  });
  const copy = (await created.json()) as DebugPodCreated;
  assert.equal(created.status, 201, JSON.stringify(copy));
  leftovers.push(copy.pod);
  const browser = holder.ws<LeaseMessage>(
    `/api/clusters/${CLUSTER}/namespaces/${NS}/debug-pods/${copy.pod}/lease`,
  );
  await browser.until('leased', (m) => m.some((x) => x.type === 'leased'));

  // A terminal on the leader, with a process that outlives its exec stream unless someone ends it.
  const leader = procs[first]!;
  const term = new TerminalClient(terminalUrl(leader.wsUrl, NS, source), leader.headers);
  const { sessionId } = await term.ready();
  term.type('echo before-$((6*7))\r');
  await term.outputMatches(/before-42/);
  term.type('sleep 4244\r');
  await waitFor('sleep running', async () =>
    (await processes(source)).includes('sleep 4244') ? true : undefined,
  );

  // Past the grace period (30 s) and several reaper passes (10 s): the leader's reaper leaves it alone.
  await new Promise((r) => setTimeout(r, 45_000));
  assert.ok(await podExists(copy.pod), 'a copy held on another replica is not reaped');
  assert.ok(
    browser.messages.some((m) => m.type === 'renewed'),
    'the holder renews the expiry on the pod',
  );

  // The holder dies: the leader reaps the copy after the grace period.
  const holderKilled = Date.now();
  holder.kill('SIGKILL');
  await holder.exited;
  await waitFor(
    'the orphaned copy to be reaped',
    async () => ((await podExists(copy.pod)) ? undefined : true),
    60_000,
    500,
  );
  const reapedAfter = Date.now() - holderKilled;
  t.diagnostic(`copy reaped ${reapedAfter} ms after its holder was killed`);
  assert.ok(reapedAfter >= 20_000, `not before its grace ran out (${reapedAfter} ms)`);
  // The record is closed by the reaper once its delete is accepted or, if that one attempt failed (seen
  // in CI), on a later pass that finds the pod gone — for a session older than 1.5 × the pod creation
  // timeout (60 s), so that a creation in flight is not taken for a pod gone. Recovery of the lost holder
  // never closes it: no replica owns a copy's session.
  const copySession = await waitFor(
    'the copy’s audit session to be closed by the reaper',
    async () => {
      const s = await session(leader, copy.auditSession);
      return s.endedAt ? s : undefined;
    },
    Math.max(30_000, copyAskedAt + 90_000 + 30_000 - Date.now()),
    250,
  );
  assert.ok(copySession.endedAt, 'the copy’s audit session is closed');
  t.diagnostic(
    `copy's audit session closed ${Date.now() - holderKilled - reapedAfter} ms after the pod was gone`,
  );

  // A new replica joins; then the leader, with its terminal open, is killed.
  procs['replica-c'] = await replica('replica-c');
  await waitFor('replica-c heartbeating', async () =>
    (await heartbeats()).includes('replica-c') ? true : undefined,
  );
  const survivor = procs['replica-c'];
  const killedAt = Date.now();
  leader.kill('SIGKILL');
  await leader.exited;
  await term.closed;
  await new Promise((r) => setTimeout(r, 1000));
  assert.match(await processes(source), /sleep 4244/, 'Kubernetes alone leaves the process running');

  await waitFor(
    'replica-c to take the Lease over',
    async () => (holderName(await lease()) === 'replica-c' ? true : undefined),
    60_000,
    500,
  );
  const takeover = Date.now() - killedAt;
  t.diagnostic(`Lease taken over ${takeover} ms after the leader was killed`);
  assert.ok(takeover <= 25_000, `within the Lease duration and a retry (${takeover} ms)`);
  assert.equal((await lease()).spec.leaseTransitions, 1);

  const ended = await waitFor(
    'the terminal session to be closed as replica lost',
    async () => {
      const s = await session(survivor, sessionId);
      return s.endedAt ? s : undefined;
    },
    70_000,
    500,
  );
  const closedAfter = new Date(ended.endedAt!).getTime() - killedAt;
  t.diagnostic(`session closed ${closedAfter} ms after its replica was killed`);
  assert.ok(closedAfter <= 60_000, `within 60 s (${closedAfter} ms)`);
  assert.match(ended.replica ?? '', new RegExp(`^${first}-`));
  assert.match(
    ended.error ?? '',
    /^replica lost: Podscope replica replica-[ab]-[0-9a-f]{8} stopped sending heartbeats/,
  );
  assert.match(
    ended.error ?? '',
    /replica replica-c-[0-9a-f]{8} closed it\. Its processes in the container were ended\./,
  );
  assert.doesNotMatch(await processes(source), /sleep 4244/, 'the shell’s process is gone');
  assert.deepEqual(
    ended.commands.map((c) => c.line),
    ['echo before-$((6*7))', 'sleep 4244'],
  );

  const rec = await survivor.fetch(`/api/audit/sessions/${sessionId}/recording.cast`);
  assert.equal(rec.status, 200);
  assert.match(
    await rec.text(),
    /before-42/,
    'the recording, written by the lost replica, is served by the survivor',
  );
});
