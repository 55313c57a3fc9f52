// Leader election against the real API server's coordination.k8s.io/v1 Leases: of several electors
// exactly one leads, a race to create the Lease has one winner (409 for the others), a clean stop hands
// the Lease over at once, and a leader that stops renewing stops counting itself leader before anyone
// takes over.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { KubeconfigClusterRegistry } from '../../../src/server/kube/cluster-registry.js';
import { LeaseElector } from '../../../src/server/replicas/lease-elector.js';
import { adminKubeconfig, getJson, kubectl, kubectlOk, uniqueName } from '../../support/cluster.js';
import { CLUSTER } from '../../support/podscope.js';

const ns = uniqueName('podscope-election');
const registry = new KubeconfigClusterRegistry({ kubeconfig: adminKubeconfig });
const electors: LeaseElector[] = [];
const quiet = { info: () => undefined, warn: () => undefined };

before(async () => {
  await kubectlOk(['create', 'namespace', ns]);
});
after(async () => {
  for (const e of electors) await e.stop();
  registry.close();
  await kubectl(['delete', 'namespace', ns, '--wait=false']);
});

function elector(name: string, identity: string): LeaseElector {
  const e = new LeaseElector({
    client: registry.get(CLUSTER).client(null),
    namespace: ns,
    name,
    identity,
    leaseDurationMs: 3000,
    renewDeadlineMs: 2000,
    retryMs: 500,
    log: quiet,
  });
  electors.push(e);
  return e;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const holder = async (name: string) =>
  (await getJson<{ spec: { holderIdentity?: string } }>(['-n', ns, 'get', 'lease', name])).spec
    .holderIdentity;

test('a race to create the Lease has exactly one winner', async () => {
  const name = uniqueName('race');
  const all = ['a', 'b', 'c', 'd'].map((id) => elector(name, id));
  await Promise.all(all.map((e) => e.tryOnce()));
  const leaders = all.filter((e) => e.isLeader());
  assert.equal(leaders.length, 1);
  assert.equal(await holder(name), ['a', 'b', 'c', 'd'][all.indexOf(leaders[0]!)]);
});

test('of three running electors exactly one leads, all along; a clean stop hands over at once', async () => {
  const name = uniqueName('steady');
  const all = ['x', 'y', 'z'].map((id) => elector(name, id));
  for (const e of all) e.start();
  let sawOne = false;
  for (let i = 0; i < 40; i++) {
    const n = all.filter((e) => e.isLeader()).length;
    assert.ok(n <= 1, `${n} leaders at once`);
    sawOne ||= n === 1;
    await sleep(100);
  }
  assert.ok(sawOne, 'someone leads');
  const leader = all.find((e) => e.isLeader())!;
  const stopped = Date.now();
  await leader.stop();
  assert.equal(leader.isLeader(), false);
  for (;;) {
    if (all.some((e) => e !== leader && e.isLeader())) break;
    assert.ok(
      Date.now() - stopped < 2500,
      'a follower takes a released Lease at its next round, not after expiry',
    );
    await sleep(50);
  }
  assert.ok(['x', 'y', 'z'].includes((await holder(name)) ?? ''));
});

test('a leader that stops renewing (killed) gives up before a follower takes over', async () => {
  const name = uniqueName('crash');
  const dead = elector(name, 'dead');
  await dead.tryOnce(); // holds it, and never renews: as if the process were killed
  assert.equal(dead.isLeader(), true);
  const heir = elector(name, 'heir');
  const started = Date.now();
  heir.start();
  while (!heir.isLeader()) {
    assert.ok(Date.now() - started < 6000, 'taken over within the Lease duration and a round or two');
    await sleep(50);
  }
  const took = Date.now() - started;
  assert.ok(took >= 3000, `not before the Lease expired on the heir's clock (${took} ms)`);
  assert.equal(dead.isLeader(), false, 'the old leader stopped counting itself leader first');
  assert.equal(await holder(name), 'heir');
});
