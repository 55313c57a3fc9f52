// Debug copies of every pod shape, on the real cluster, in a namespace of their own: a table of
// shape × keep labels → the copy's spec and the message the user gets, with no adoption, no
// SuccessfulDelete event for the original or the copy, and the controller's counts untouched. Then the
// shapes that need more than labels: a failing init container as the target, a sidecar, a hostPort,
// the host network, ReadWriteOnce and ReadWriteOncePod volumes; a controller created while the copy
// starts; why a copy did not start (a volume, admission); and the policy decision for each.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SessionWithCommands } from '../../../src/server/audit/audit-store.js';
import { parseConfig } from '../../../src/server/config/podscope-config.js';
import type { DebugPodCreated, PodCopyPlanView } from '../../../src/shared/debug/debug-api.js';
import { APP_IMAGE, kubectl, kubectlOk, uniqueName, waitFor } from '../../support/cluster.js';
import {
  applyAll,
  CONTROLLER_SHAPES,
  createNamespace,
  createShapes,
  deleteNamespace,
  podJson,
  waitRunningPod,
} from '../../support/copy-shapes.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../../support/podscope.js';
import { request, waitGone } from './debug-helpers.js';

const ns = uniqueName('copy-shapes');
const pssNs = `${ns}-pss`;
const HOST_PORT = 25000 + Math.floor(Math.random() * 1000);
let podscope: RunningPodscope;
let nonRoot: RunningPodscope;
let noExec: RunningPodscope;

before(async () => {
  await createNamespace(ns, { 'podscope-test': 'true' });
  await createShapes(ns, HOST_PORT);
  podscope = await startPodscope({ debug: { leaseGraceMs: 120_000 } });
  nonRoot = await startPodscope({
    config: parseConfig({ execPolicy: { rules: [{ namespace: ns, policy: 'non-root', user: 1000 }] } }),
    debug: { leaseGraceMs: 120_000 },
  });
  noExec = await startPodscope({
    config: parseConfig({ execPolicy: { rules: [{ namespace: ns, policy: 'no-exec' }] } }),
  });
});
after(async () => {
  await Promise.all([podscope?.close(), nonRoot?.close(), noExec?.close()]);
  await deleteNamespace(ns);
  await deleteNamespace(pssNs);
});

type Created = { status: number; body: DebugPodCreated & { error?: string } };

const podApi = (pod: string, namespace = ns) =>
  `/api/clusters/${CLUSTER}/namespaces/${namespace}/pods/${pod}`;

async function copyOf(pod: string, body: Record<string, unknown>, via = podscope, namespace = ns) {
  return (await request(via, 'POST', `${podApi(pod, namespace)}/copies`, body)) as Created;
}

async function created(pod: string, body: Record<string, unknown>, via = podscope): Promise<DebugPodCreated> {
  const r = await copyOf(pod, body, via);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

async function deleteCopy(copy: string, via = podscope, namespace = ns): Promise<void> {
  const r = await request(
    via,
    'DELETE',
    `/api/clusters/${CLUSTER}/namespaces/${namespace}/debug-pods/${copy}`,
  );
  assert.equal(r.status, 200, JSON.stringify(r.body));
  await waitGone(copy, namespace);
}

const changes = (c: DebugPodCreated | PodCopyPlanView): string[] =>
  ('changes' in c ? c : c.plan!).changes.map((x) => x.text);

async function copiesIn(namespace = ns): Promise<string[]> {
  const out = await kubectlOk([
    '-n',
    namespace,
    'get',
    'pods',
    '-l',
    'podscope.io/debug-pod=copy',
    '-o',
    'name',
  ]);
  return out.split('\n').filter(Boolean);
}

/** Pods the namespace's controllers reported deleting (their SuccessfulDelete events). */
async function deletedPods(): Promise<string[]> {
  const list = JSON.parse(
    await kubectlOk(['-n', ns, 'get', 'events', '--field-selector', 'reason=SuccessfulDelete', '-o', 'json']),
  ) as { items: { message?: string }[] };
  return list.items.map((e) => e.message ?? '');
}

/** The counts a controller keeps (replicas, scheduled, active…): they must not move. */
async function counts(kind: string, name: string): Promise<Record<string, unknown>> {
  const o = JSON.parse(await kubectlOk(['-n', ns, 'get', kind, name, '-o', 'json'])) as {
    status?: Record<string, unknown>;
  };
  const s = o.status ?? {};
  const keys = [
    'replicas',
    'currentNumberScheduled',
    'desiredNumberScheduled',
    'numberMisscheduled',
    'active',
    'failed',
    'succeeded',
  ];
  return Object.fromEntries(keys.filter((k) => s[k] !== undefined).map((k) => [k, s[k]]));
}

const DROPPED: Record<(typeof CONTROLLER_SHAPES)[number]['shape'], string> = {
  deployment: 'pod-template-hash',
  replicaset: 'tier', // app would do too, but the orders-db NetworkPolicy lets app=rs in
  replicationcontroller: 'app',
  daemonset: 'app',
  statefulset: 'app',
  job: 'batch.kubernetes.io/controller-uid',
  cronjob: 'batch.kubernetes.io/controller-uid',
};

describe('every controller’s pod, keep labels off and on: never adopted, never counted', () => {
  for (const { shape, owner, labels } of CONTROLLER_SHAPES) {
    for (const keepLabels of [false, true]) {
      test(`${shape}, keep labels ${keepLabels ? 'on' : 'off'}`, async () => {
        const original = await waitRunningPod(ns, `app=${labels.app}`);
        const ref = original.metadata.ownerReferences?.[0];
        assert.equal(ref?.kind, owner);
        const before = await counts(ref!.kind, ref!.name);
        const copy = await created(original.metadata.name, { container: 'app', keepLabels });
        try {
          const said = changes(copy);
          // Time for any controller to adopt it (they see new pods within milliseconds).
          await new Promise((r) => setTimeout(r, 3000));
          const p = await podJson(ns, copy.pod);
          assert.equal(p.metadata.ownerReferences, undefined, 'nothing adopted the copy');
          assert.ok(p.status?.containerStatuses?.[0]?.state?.running, 'the copy still runs');
          const own = Object.keys(p.metadata.labels ?? {}).filter(
            (k) => !k.startsWith('podscope.io/') && k !== 'app.kubernetes.io/managed-by',
          );
          const source = original.metadata.labels ?? {};
          if (keepLabels) {
            const dropped = DROPPED[shape];
            assert.deepEqual(
              own.sort(),
              Object.keys(source)
                .filter((k) => k !== dropped)
                .sort(),
            );
            assert.deepEqual(
              copy.plan!.droppedLabels.map((d) => d.key),
              [dropped],
            );
            assert.ok(
              said.some(
                (t) =>
                  t.startsWith(`Label ${dropped}=${source[dropped]} dropped: `) && t.includes(`${owner} `),
              ),
              said.join('\n'),
            );
            assert.ok(said.some((t) => t.startsWith('Never Ready (readiness gate podscope.io/debug-copy)')));
            const ready = (p.status as { conditions?: { type: string; status: string }[] }).conditions?.find(
              (c) => c.type === 'Ready',
            );
            assert.equal(ready?.status, 'False', 'never Ready, so no Service sends it traffic');
          } else {
            assert.deepEqual(own, []);
            assert.ok(
              said.some((t) => t.startsWith('Labels removed: ')),
              said.join('\n'),
            );
          }
          if (shape === 'replicaset') {
            // The orders-db NetworkPolicy lets app=rs in: kept with keep labels (tier went instead).
            assert.match(
              copy.plan!.warnings.join('\n'),
              keepLabels
                ? /No NetworkPolicy of this namespace selects pods by tier;/
                : /NetworkPolicy orders-db lets pods matching app=rs in; the copy does not match[^]*Turn on Keep labels/,
            );
          }
          assert.deepEqual(await counts(ref!.kind, ref!.name), before, `${ref!.kind} ${ref!.name}'s counts`);
          const again = await podJson(ns, original.metadata.name);
          assert.equal(again.metadata.uid, original.metadata.uid, 'the original is untouched');
          const deleted = await deletedPods();
          assert.deepEqual(
            deleted.filter((m) => m.includes(original.metadata.name) || m.includes(copy.pod)),
            [],
            'no SuccessfulDelete for the original or the copy',
          );
        } finally {
          await deleteCopy(copy.pod);
        }
      });
    }
  }

  test('a copy that keeps app=dep gets none of the dep Service’s traffic', async () => {
    const original = await waitRunningPod(ns, 'app=dep');
    const copy = await created(original.metadata.name, { container: 'app', keepLabels: true });
    try {
      const ip = await waitFor(
        'the copy’s IP',
        async () => (await podJson(ns, copy.pod)).status?.['podIP' as never] as string | undefined,
      );
      const slices = await waitFor('the dep Service to list the copy (not ready)', async () => {
        const out = JSON.parse(
          await kubectlOk([
            '-n',
            ns,
            'get',
            'endpointslices',
            '-l',
            'kubernetes.io/service-name=dep',
            '-o',
            'json',
          ]),
        ) as { items: { endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[] }[] };
        const eps = out.items.flatMap((s) => s.endpoints ?? []);
        return eps.some((e) => e.addresses.includes(ip)) ? eps : undefined;
      });
      const mine = slices.find((e) => e.addresses.includes(ip))!;
      assert.equal(mine.conditions?.ready, false, 'listed as not ready: no traffic');
      assert.ok(
        slices.some((e) => e.conditions?.ready === true),
        'the original still serves',
      );
    } finally {
      await deleteCopy(copy.pod);
    }
    assert.deepEqual(await deletedPods(), [], 'no controller of the namespace deleted any pod');
  });

  test('the plan shows the same before anything is created', async () => {
    const original = await waitRunningPod(ns, 'app=ds');
    const copiesBefore = await copiesIn();
    const r = await request<PodCopyPlanView>(
      podscope,
      'POST',
      `${podApi(original.metadata.name)}/copies/plan`,
      {
        container: 'app',
        keepLabels: true,
      },
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.target, { name: 'app', kind: 'app' });
    assert.equal(r.body.node, original.spec.nodeName);
    assert.deepEqual(
      r.body.droppedLabels.map((d) => d.key),
      ['app'],
    );
    assert.deepEqual(r.body.droppedLabels[0]!.selectedBy, ['DaemonSet ds (app=ds)']);
    assert.ok(changes(r.body).some((t) => /node affinity names it/.test(t)));
    assert.deepEqual(await copiesIn(), copiesBefore, 'the plan creates nothing');
  });
});

describe('init containers as targets', () => {
  test('the failing init container of an Init:CrashLoopBackOff pod: rerun by hand in the copy', async () => {
    const copy = await created('init-fail', { container: 'migrate' });
    try {
      assert.equal(copy.container, 'migrate');
      assert.deepEqual(copy.plan!.target, { name: 'migrate', kind: 'init' });
      const said = changes(copy);
      assert.ok(
        said.some((t) => t.startsWith("Init container migrate runs as the copy's app container")),
        said.join('\n'),
      );
      assert.ok(said.includes('Init containers before it run first, as in the original: prepare.'));
      const p = await podJson(ns, copy.pod);
      const spec = p.spec as {
        containers: { name: string; command: string[] }[];
        initContainers?: { name: string }[];
      };
      assert.deepEqual(
        spec.containers.map((c) => [c.name, c.command]),
        [['migrate', ['sleep', '2147483647']]],
      );
      assert.deepEqual(
        spec.initContainers?.map((c) => c.name),
        ['prepare'],
      );
      // What the earlier step left, its env and mounts are there; the failing step fails the same way.
      const exec = (argv: string[]) => kubectl(['-n', ns, 'exec', copy.pod, '-c', 'migrate', '--', ...argv]);
      assert.equal((await exec(['cat', '/work/ready'])).stdout, 'ready\n');
      assert.equal((await exec(['sh', '-c', 'echo $STEP'])).stdout, 'migrate\n');
      assert.equal((await exec(['sh', '-c', 'test -f /work/migrated || exit 3'])).code, 3);
    } finally {
      await deleteCopy(copy.pod);
    }
  });

  test('the init containers before it can be skipped', async () => {
    const copy = await created('init-fail', { container: 'migrate', runInitContainers: false });
    try {
      assert.ok(changes(copy).includes('Init containers before it are skipped: prepare.'));
      const r = await kubectl(['-n', ns, 'exec', copy.pod, '-c', 'migrate', '--', 'ls', '/work']);
      assert.equal(r.stdout, '', 'prepare did not run');
    } finally {
      await deleteCopy(copy.pod);
    }
  });

  test('a sidecar keeps running beside the sleeping app', async () => {
    const copy = await created('sidecar', { container: 'app', runInitContainers: false });
    try {
      assert.ok(changes(copy).includes('Sidecars keep running: shipper.'));
      const p = await podJson(ns, copy.pod);
      assert.ok(
        p.status?.initContainerStatuses?.find((c) => c.name === 'shipper')?.state?.running,
        'shipper runs',
      );
      assert.ok(p.status?.containerStatuses?.find((c) => c.name === 'app')?.state?.running, 'app sleeps');
    } finally {
      await deleteCopy(copy.pod);
    }
  });

  test('under the non-root policy the moved init container and the ones before it run as uid 1000', async () => {
    const copy = await created('init-fail', { container: 'migrate' }, nonRoot);
    try {
      const p = await podJson(ns, copy.pod);
      const spec = p.spec as { containers: Sc[]; initContainers: Sc[] };
      type Sc = { securityContext?: { runAsUser?: number; runAsNonRoot?: boolean } };
      for (const c of [...spec.containers, ...spec.initContainers]) {
        assert.equal(c.securityContext?.runAsUser, 1000);
        assert.equal(c.securityContext?.runAsNonRoot, true);
      }
      const id = await kubectlOk(['-n', ns, 'exec', copy.pod, '-c', 'migrate', '--', 'id', '-u']);
      assert.equal(id.trim(), '1000');
      assert.ok(changes(copy).some((t) => t.startsWith('Non-root policy: ')));
      const s = (await nonRoot.getJson<SessionWithCommands>(`/api/audit/sessions/${copy.auditSession}`)).body;
      assert.match(s.policy, /^non-root/);
      // The audit record keeps what the copy changed, as the user saw it.
      assert.deepEqual(s.details['changes'], copy.plan!.changes);
      assert.deepEqual(s.details['target'], { name: 'migrate', kind: 'init' });
    } finally {
      await deleteCopy(copy.pod, nonRoot);
    }
  });

  test('under no-exec it is refused and recorded, whatever the shape', async () => {
    const before = await copiesIn();
    for (const path of ['copies', 'copies/plan']) {
      const r = await request<{ error: string }>(noExec, 'POST', `${podApi('init-fail')}/${path}`, {
        container: 'migrate',
      });
      assert.equal(r.status, 403);
      assert.match(r.body.error, /^Debug copies of pods are not allowed here/);
    }
    const list = await noExec.getJson<{
      sessions: { kind: string; pod: string; outcome: { result?: string } | null }[];
    }>(`/api/audit/sessions?namespace=${ns}`);
    assert.equal(
      list.body.sessions.filter((s) => s.kind === 'copy' && s.outcome?.result === 'refused').length,
      1,
    );
    assert.deepEqual(await copiesIn(), before);
  });
});

describe('host resources', () => {
  test('a hostPort is removed (and said), so the copy runs beside the original on its node', async () => {
    const copy = await created('hostport', { container: 'app', sameNode: true });
    try {
      assert.ok(
        changes(copy).includes(
          `hostPort ${HOST_PORT}/TCP of app removed: the original holds it on its node.`,
        ),
      );
      const p = await podJson(ns, copy.pod);
      const ports = (p.spec as { containers: { ports?: Record<string, unknown>[] }[] }).containers[0]!.ports;
      assert.deepEqual(ports, [{ containerPort: 8080, protocol: 'TCP' }]);
      assert.equal(p.spec.nodeName, (await podJson(ns, 'hostport')).spec.nodeName);
    } finally {
      await deleteCopy(copy.pod);
    }
  });

  test('on the host network: ports removed, and a warning that the app’s ports clash on this node', async () => {
    const copy = await created('hostnet', { container: 'app', sameNode: true });
    try {
      assert.ok(changes(copy).some((t) => t.startsWith(`Ports of app removed (${HOST_PORT + 1}/TCP)`)));
      assert.match(
        copy.plan!.warnings.join('\n'),
        new RegExp(
          `hostNetwork\\) and the copy runs on \\S+, the original's node: the app's ports \\(${HOST_PORT + 1}/TCP\\) are taken`,
        ),
      );
      const p = await podJson(ns, copy.pod);
      assert.equal((p.spec as { hostNetwork?: boolean }).hostNetwork, true);
    } finally {
      await deleteCopy(copy.pod);
    }
  });
});

describe('volumes', () => {
  test('a ReadWriteOnce claim: the copy is placed on the node it is attached to, and sees its data', async () => {
    await kubectlOk(['-n', ns, 'exec', 'rwo', '--', 'sh', '-c', 'echo from-original > /data/marker']);
    const copy = await created('rwo', { container: 'app' });
    try {
      const node = (await podJson(ns, 'rwo')).spec.nodeName!;
      assert.ok(
        changes(copy).includes(
          `Runs on node ${node}: PersistentVolumeClaim data-rwo is ReadWriteOnce and attached there.`,
        ),
        changes(copy).join('\n'),
      );
      assert.equal(copy.plan!.node, node);
      assert.ok(
        changes(copy).some((t) =>
          /^Projected, ConfigMap, Secret and downward API volumes are built anew/.test(t),
        ),
      );
      const data = await kubectlOk(['-n', ns, 'exec', copy.pod, '--', 'cat', '/data/marker']);
      assert.equal(data, 'from-original\n');
    } finally {
      await deleteCopy(copy.pod);
    }
  });

  test('a ReadWriteOncePod claim: refused with the reason, recorded, nothing created', async () => {
    const before = await copiesIn();
    const r = await copyOf('rwop', { container: 'app' });
    assert.equal(r.status, 422);
    assert.match(
      r.body.error ?? '',
      /PersistentVolumeClaim data-rwop \(volume data\) is ReadWriteOncePod: only one pod may use it/,
    );
    assert.deepEqual(await copiesIn(), before);
    const list = await podscope.getJson<{ sessions: { kind: string; pod: string; error: string | null }[] }>(
      `/api/audit/sessions?namespace=${ns}&pod=rwop`,
    );
    assert.match(list.body.sessions[0]?.error ?? '', /ReadWriteOncePod/);
  });
});

describe('when a copy does not start, the reason', () => {
  test('a controller created while the copy starts adopts it: deleted, and reported', async () => {
    // The copy waits 8 s in its init container; meanwhile a ReplicaSet selecting app=late appears.
    await applyAll([
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'late', namespace: ns, labels: { app: 'late' } },
        spec: {
          terminationGracePeriodSeconds: 0,
          initContainers: [
            { name: 'wait', image: APP_IMAGE, imagePullPolicy: 'Never', command: ['sleep', '8'] },
          ],
          containers: [
            { name: 'app', image: APP_IMAGE, imagePullPolicy: 'Never', command: ['sleep', '3600'] },
          ],
        },
      },
    ]);
    await waitRunningPod(ns, 'app=late');
    const pending = copyOf('late', { container: 'app', keepLabels: true });
    const copyName = await waitFor(
      'the copy to exist',
      async () => (await copiesIn()).find((n) => n.includes('late-debug-'))?.replace('pod/', ''),
      30_000,
      200,
    );
    await applyAll([
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: 'late', namespace: ns },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'late' } },
          template: {
            metadata: { labels: { app: 'late' } },
            spec: {
              terminationGracePeriodSeconds: 0,
              containers: [
                { name: 'app', image: APP_IMAGE, imagePullPolicy: 'Never', command: ['sleep', '3600'] },
              ],
            },
          },
        },
      },
    ]);
    const r = await pending;
    assert.equal(r.status, 409, JSON.stringify(r.body));
    assert.match(
      r.body.error ?? '',
      /^ReplicaSet late adopted the copy \(its selector matches the copy's labels\), so Podscope deleted the copy at once\./,
    );
    await waitGone(copyName, ns);
    await kubectlOk(['-n', ns, 'delete', 'replicaset', 'late', '--wait=false']);
  });

  test('a volume that cannot be mounted: the copy’s FailedMount event, after the wait', async () => {
    await applyAll([
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'nocm', namespace: ns },
        spec: {
          terminationGracePeriodSeconds: 0,
          volumes: [{ name: 'config', configMap: { name: 'absent' } }],
          containers: [
            {
              name: 'app',
              image: APP_IMAGE,
              imagePullPolicy: 'Never',
              command: ['sleep', '3600'],
              volumeMounts: [{ name: 'config', mountPath: '/config' }],
            },
          ],
        },
      },
    ]);
    const quick = await startPodscope({ debug: { startTimeoutMs: 15_000 } });
    try {
      const r = (await request(quick, 'POST', `${podApi('nocm')}/copies`, { container: 'app' })) as Created;
      assert.equal(r.status, 504, JSON.stringify(r.body));
      assert.equal(
        r.body.error,
        'The copy did not start within 15 s: a volume could not be mounted (FailedMount: MountVolume.SetUp failed for volume "config" : configmap "absent" not found).',
      );
    } finally {
      await quick.close();
    }
    await waitFor('the copy that did not start to be deleted', async () =>
      (await copiesIn()).some((n) => n.includes('nocm-debug-')) ? undefined : true,
    );
  });

  test('Pod Security admission: refused in plain words; the restricted profile passes', async () => {
    await createNamespace(pssNs, { 'pod-security.kubernetes.io/enforce': 'restricted' });
    const secure = { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } };
    await applyAll([
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'strict', namespace: pssNs, labels: { app: 'strict' } },
        spec: {
          terminationGracePeriodSeconds: 0,
          securityContext: secure,
          containers: [
            {
              name: 'app',
              image: APP_IMAGE,
              imagePullPolicy: 'Never',
              command: ['sleep', '3600'],
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    ]);
    await waitRunningPod(pssNs, 'app=strict');
    const general = await copyOf('strict', { container: 'app' }, podscope, pssNs);
    assert.equal(general.status, 403);
    assert.match(
      general.body.error ?? '',
      /^The namespace's Pod Security admission \(level restricted:latest\) refused the copy: .*"SYS_PTRACE".*The restricted profile passes every level/,
    );
    const restricted = await copyOf('strict', { container: 'app', profile: 'restricted' }, podscope, pssNs);
    assert.equal(restricted.status, 201, JSON.stringify(restricted.body));
    await deleteCopy(restricted.body.pod, podscope, pssNs);
  });
});
