import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { debugFixture as fixture } from '../../../test/support/debug-fixtures.js';
import { shapeNamespaceFacts, shapePod } from '../../../test/support/copy-fixtures.js';
import type { CopyChangeKind } from './pod-copy.js';
import {
  affinityNode,
  argvText,
  copyName,
  COPY_READINESS_GATE,
  pinToNode,
  planPodCopy,
  SLEEP_COMMAND,
  type ClaimFacts,
  type CopyFacts,
  type PodCopyOptions,
  type PodCopyPlan,
} from './pod-copy.js';
import {
  DEBUG_POD_LABEL,
  EXPIRES_AT_ANNOTATION,
  MANAGED_BY_LABEL,
  OWNER_ANNOTATION,
  SESSION_LABEL,
  readMarks,
} from './debug-pod-marks.js';
import type { Pod, PodSpec } from './types.js';

const marks = {
  kind: 'copy' as const,
  session: '3f1c2a4e-0000-4000-8000-000000000001',
  owner: 'alice',
  source: 'pod demo/crashloop',
  createdAt: new Date('2026-11-25T21:00:00Z'),
  expiresAt: new Date('2026-11-25T22:00:00Z'),
};

const noFacts: CopyFacts = { labels: { selectors: [], unreadable: [], networkPolicies: [] }, claims: {} };

const options = (over: Partial<PodCopyOptions> = {}): PodCopyOptions => ({
  name: 'crashloop-debug-abcde',
  container: 'app',
  keepLabels: false,
  sameNode: false,
  runInitContainers: true,
  profile: 'general',
  marks,
  ...over,
});

function planOf(pod: Pod, over: Partial<PodCopyOptions> = {}, facts: CopyFacts = noFacts): PodCopyPlan {
  const r = planPodCopy(pod, options(over), facts);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}
const copy = (pod: Pod, over: Partial<PodCopyOptions> = {}, facts: CopyFacts = noFacts): Pod =>
  planOf(pod, over, facts).pod;

function refusal(pod: Pod, over: Partial<PodCopyOptions>, facts: CopyFacts = noFacts) {
  const r = planPodCopy(pod, options(over), facts);
  assert.equal(r.ok, false, 'expected a refusal');
  return r.ok ? { status: 0, error: '' } : r;
}

/** The texts of one kind of change. */
const said = (p: PodCopyPlan, kind: CopyChangeKind) =>
  p.changes.filter((c) => c.kind === kind).map((c) => c.text);

describe('planPodCopy: a copy that stays up', () => {
  test('the chosen container sleeps instead of crashing; args are cleared; the diff says what it ran', () => {
    const p = planOf(fixture('crashloop'));
    const c = p.pod.spec!.containers[0]!;
    assert.deepEqual(c.command, SLEEP_COMMAND);
    assert.equal(c.args, undefined);
    assert.equal(c.image, 'podscope.local/app:1', 'own image by default');
    assert.match(
      said(p, 'command')[0]!,
      /^app runs sleep 2147483647 instead of sh -c 'echo "payments.{100,}…\.$/s,
    );
  });
  test('probes and lifecycle hooks go from every container, and the diff names them', () => {
    const p = planOf(shapePod('deployment'));
    const c = p.pod.spec!.containers[0]!;
    for (const f of ['livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle'])
      assert.equal(c[f], undefined, f);
    assert.deepEqual(said(p, 'probes'), ['Probes removed: app (liveness, readiness).']);
    assert.deepEqual(said(p, 'lifecycle'), ['Lifecycle hooks (postStart, preStop) removed: app.']);
    const src = fixture('multi');
    for (const x of src.spec!.containers) x.readinessProbe = { exec: { command: ['true'] } };
    for (const x of copy(src, { container: src.spec!.containers[0]!.name }).spec!.containers)
      assert.equal(x.readinessProbe, undefined);
  });
  test('activeDeadlineSeconds would end the copy: removed, and said', () => {
    const src = fixture('crashloop');
    src.spec!.activeDeadlineSeconds = 600;
    const p = planOf(src);
    assert.equal(p.pod.spec!.activeDeadlineSeconds, undefined);
    assert.match(said(p, 'lifecycle').join(' '), /activeDeadlineSeconds \(600\) removed/);
  });
  test('ephemeral containers are not copied', () => {
    assert.equal(copy(fixture('noshell')).spec!.ephemeralContainers, undefined);
  });
  test('labels are removed by default; Podscope marks and annotations are set', () => {
    const p = planOf(fixture('crashloop'));
    assert.deepEqual(p.pod.metadata!.labels, {
      [MANAGED_BY_LABEL]: 'podscope',
      [DEBUG_POD_LABEL]: 'copy',
      [SESSION_LABEL]: marks.session,
    });
    assert.equal(p.pod.metadata!.annotations![OWNER_ANNOTATION], 'alice');
    assert.equal(p.pod.metadata!.annotations![EXPIRES_AT_ANNOTATION], '2026-11-25T22:00:00.000Z');
    assert.deepEqual(readMarks(p.pod), {
      name: 'crashloop-debug-abcde',
      namespace: 'demo',
      kind: 'copy',
      session: marks.session,
      owner: 'alice',
      source: 'pod demo/crashloop',
      expiresAt: marks.expiresAt,
    });
    assert.deepEqual(said(p, 'labels'), ["Labels removed: app=payments (only Podscope's marks are set)."]);
    assert.equal(p.pod.spec!.readinessGates, undefined, 'without labels nothing selects it: no gate needed');
  });
  test('no owner references, uid, resourceVersion or status are copied', () => {
    const p = copy(fixture('web'));
    assert.deepEqual(Object.keys(p.metadata!).sort(), ['annotations', 'labels', 'name', 'namespace']);
    assert.equal(p.status, undefined);
  });
  test('replaceImage swaps the image; a non-root pod gets the app user for the root tools image', () => {
    const p = planOf(fixture('web-nonroot'), { replaceImage: 'podscope.local/debug-tools:1' });
    const c = p.pod.spec!.containers[0]!;
    assert.equal(c.image, 'podscope.local/debug-tools:1');
    assert.equal(c.imagePullPolicy, 'IfNotPresent');
    assert.equal(c.securityContext!.runAsUser, 1000);
    assert.deepEqual(c.securityContext!.capabilities, { add: ['SYS_PTRACE'] });
    assert.match(
      said(p, 'image')[0]!,
      /app runs the image podscope.local\/debug-tools:1 \(as user 1000, the app's user/,
    );
  });
  test('the source object is not modified', () => {
    for (const src of [
      fixture('web-nonroot'),
      shapePod('init-fail'),
      shapePod('hostnet'),
      shapePod('daemonset'),
    ]) {
      const before = JSON.stringify(src);
      const container = src.spec!.initContainers?.[1]?.name ?? 'app';
      planOf(src, {
        container,
        replaceImage: 'podscope.local/debug-tools:1',
        keepLabels: true,
        sameNode: true,
      });
      assert.equal(JSON.stringify(src), before);
    }
  });
  test('an unknown container is refused (400), naming app and init containers', () => {
    const r = refusal(shapePod('init-fail'), { container: 'db' });
    assert.equal(r.status, 400);
    assert.match(r.error, /no container "db"; its containers are: app, prepare \(init\), migrate \(init\)\./);
  });
  test('copy names are valid and at most 63 characters', () => {
    assert.equal(copyName('crashloop', 'x1y2z'), 'crashloop-debug-x1y2z');
    const long = copyName('a'.repeat(70) + '-b', 'x1y2z');
    assert.equal(long.length, 63);
    assert.match(long, /^a+-debug-x1y2z$/);
  });
  test('argvText quotes what a shell would need quoted', () => {
    assert.equal(argvText(['sh', '-c', "echo it's here"]), `sh -c 'echo it'\\''s here'`);
    assert.equal(argvText(['/app/server', '--port=8080']), '/app/server --port=8080');
  });
});

describe('planPodCopy: keep labels, never adopted, never counted', () => {
  const facts: CopyFacts = { labels: shapeNamespaceFacts(), claims: {} };
  test('a Deployment pod keeps its labels but pod-template-hash, and is never Ready', () => {
    const src = shapePod('deployment');
    const p = planOf(src, { keepLabels: true }, facts);
    const labels = p.pod.metadata!.labels!;
    assert.equal(labels['app'], 'dep');
    assert.equal(labels['tier'], 'web');
    assert.equal(labels['pod-template-hash'], undefined);
    assert.deepEqual(
      p.droppedLabels.map((d) => d.key),
      ['pod-template-hash'],
    );
    assert.deepEqual(p.pod.spec!.readinessGates, [{ conditionType: COPY_READINESS_GATE }]);
    const texts = said(p, 'labels');
    assert.equal(texts[0], 'Labels kept: app, tier.');
    assert.match(
      texts[1]!,
      /^Label pod-template-hash=\w+ dropped: ReplicaSet dep-\w+ \(app=dep,pod-template-hash=\w+\) would otherwise adopt or count the copy\.$/,
    );
    assert.match(said(p, 'readiness')[0]!, /Never Ready \(readiness gate podscope.io\/debug-copy\)/);
  });
  test('a DaemonSet pod loses app (the only label its selector has), and the copy stays on its node', () => {
    const p = planOf(shapePod('daemonset'), { keepLabels: true }, facts);
    assert.deepEqual(
      Object.keys(p.pod.metadata!.labels!)
        .filter((k) => !k.includes('podscope') && !k.includes('managed-by'))
        .sort(),
      ['controller-revision-hash', 'pod-template-generation'],
    );
    assert.equal(p.node, 'podscope-node');
    assert.match(said(p, 'node')[0]!, /node affinity names it \(as a DaemonSet's pods do\)/);
  });
  test('a pod a controller would select whatever labels it keeps is refused (422)', () => {
    const r = refusal(
      fixture('crashloop'),
      {},
      {
        claims: {},
        labels: {
          selectors: [
            {
              kind: 'Job',
              name: 'all',
              selector: { matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }] },
            },
          ],
          unreadable: [],
          networkPolicies: [],
        },
      },
    );
    assert.equal(r.status, 422);
    assert.match(r.error, /Job all \(!x\) selects the copy whatever labels it keeps/);
  });
});

describe('planPodCopy: init containers as targets', () => {
  const src = shapePod('init-fail');
  test('the failing init container runs as the copy’s app container with its image, env and mounts', () => {
    const p = planOf(src, { container: 'migrate' });
    const spec = p.pod.spec!;
    assert.deepEqual(p.target, { name: 'migrate', kind: 'init' });
    assert.deepEqual(
      spec.containers.map((c) => c.name),
      ['migrate'],
    );
    const c = spec.containers[0]!;
    assert.deepEqual(c.command, SLEEP_COMMAND);
    assert.equal(c.image, 'podscope.local/app:1');
    assert.deepEqual(c.env, [{ name: 'STEP', value: 'migrate' }]);
    assert.ok(c.volumeMounts!.some((m) => m.name === 'work' && m.mountPath === '/work'));
    assert.deepEqual(
      spec.initContainers!.map((i) => i.name),
      ['prepare'],
      'the step before it runs first',
    );
    assert.match(
      said(p, 'containers')[0]!,
      /^Init container migrate runs as the copy's app container, with its image, env and mounts; the app containers \(app\) are left out/,
    );
    assert.deepEqual(said(p, 'init-containers'), [
      'Init containers before it run first, as in the original: prepare.',
    ]);
    assert.match(
      said(p, 'command')[0]!,
      /migrate runs sleep 2147483647 instead of sh -c 'test -f \/work\/migrated \|\| exit 3'/,
    );
    assert.match(
      said(p, 'volumes').join(' '),
      /emptyDir volumes start empty \(the original's files are not copied\): work\./,
    );
  });
  test('the init containers before it can be skipped', () => {
    const p = planOf(src, { container: 'migrate', runInitContainers: false });
    assert.equal(p.pod.spec!.initContainers, undefined);
    assert.deepEqual(said(p, 'init-containers'), ['Init containers before it are skipped: prepare.']);
  });
  test('init containers after the target are left out', () => {
    const p = planOf(src, { container: 'prepare' });
    assert.equal(p.pod.spec!.initContainers, undefined);
    assert.deepEqual(said(p, 'init-containers'), ['Init containers after it are left out: migrate.']);
  });
  test('for an app container the init containers run first, or are skipped by choice', () => {
    assert.deepEqual(
      copy(src).spec!.initContainers!.map((i) => i.name),
      ['prepare', 'migrate'],
    );
    assert.equal(copy(src, { runInitContainers: false }).spec!.initContainers, undefined);
  });
  test('a sidecar keeps running (probes removed) even when the init containers are skipped', () => {
    const side = shapePod('sidecar');
    for (const runInitContainers of [true, false]) {
      const p = planOf(side, { runInitContainers });
      const inits = p.pod.spec!.initContainers!;
      assert.deepEqual(
        inits.map((i) => i.name),
        ['shipper'],
      );
      assert.equal(inits[0]!.restartPolicy, 'Always');
      assert.equal(inits[0]!.startupProbe, undefined);
      assert.ok(said(p, 'init-containers').includes('Sidecars keep running: shipper.'));
      assert.deepEqual(said(p, 'probes'), ['Probes removed: shipper (startup).']);
    }
  });
  test('a sidecar chosen as the target becomes an ordinary app container', () => {
    const p = planOf(shapePod('sidecar'), { container: 'shipper' });
    const c = p.pod.spec!.containers[0]!;
    assert.equal(c.name, 'shipper');
    assert.equal(c.restartPolicy, undefined);
    assert.equal(p.pod.spec!.initContainers, undefined);
  });
});

describe('planPodCopy: host resources', () => {
  test('hostPorts are removed (the containerPort stays), and said', () => {
    const p = planOf(shapePod('hostport'));
    assert.deepEqual(p.pod.spec!.containers[0]!.ports, [{ containerPort: 8080, protocol: 'TCP' }]);
    assert.deepEqual(said(p, 'ports'), [
      'hostPort 24000/TCP of app removed: the original holds it on its node.',
    ]);
  });
  test('on the host network the ports go altogether, with a warning that the app’s ports clash', () => {
    const src = shapePod('hostnet');
    const p = planOf(src);
    assert.equal(p.pod.spec!.hostNetwork, true);
    assert.equal(p.pod.spec!.containers[0]!.ports, undefined);
    assert.match(said(p, 'ports')[0]!, /^Ports of app removed \(24001\/TCP\): on the host network/);
    assert.match(
      p.warnings[0]!,
      /hostNetwork\): if the copy lands on the original's node \(podscope-node\), the app's ports \(24001\/TCP\) clash/,
    );
    const same = planOf(src, { sameNode: true });
    assert.match(
      same.warnings[0]!,
      /runs on podscope-node, the original's node: the app's ports \(24001\/TCP\) are taken by the original there/,
    );
  });
});

describe('planPodCopy: the node', () => {
  test('free by default; same node pins it by node affinity (so the scheduler still checks the fit)', () => {
    const src = fixture('crashloop');
    const free = planOf(src);
    assert.equal(free.pod.spec!.nodeName, undefined);
    assert.equal(free.node, null);
    assert.deepEqual(said(free, 'node'), [
      'Runs on the node the scheduler picks (the original is on podscope-node).',
    ]);
    const same = planOf(src, { sameNode: true });
    assert.equal(same.pod.spec!.nodeName, undefined);
    assert.equal(affinityNode(same.pod.spec!), 'podscope-node');
    assert.deepEqual(said(same, 'node'), ["Runs on node podscope-node: the original's node, as asked."]);
  });
  test('same node for a pod not on a node is refused', () => {
    const src = fixture('crashloop');
    delete src.spec!.nodeName;
    assert.match(refusal(src, { sameNode: true }).error, /not on a node yet/);
  });
  test('pinToNode adds the node to every required term (terms are ORed)', () => {
    const spec: PodSpec = {
      containers: [],
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
              { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['other'] }] },
            ],
          },
        },
      },
    };
    pinToNode(spec, 'n1');
    const terms =
      spec.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms;
    assert.deepEqual(terms[0], {
      matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }],
      matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }],
    });
    assert.deepEqual(terms[1], { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] });
    assert.equal(affinityNode(spec), 'n1');
  });
});

describe('planPodCopy: volumes', () => {
  const withClaim = (claim: ClaimFacts): CopyFacts => ({ ...noFacts, claims: { 'data-rwo': claim } });
  const bound = (over: Partial<ClaimFacts> = {}): ClaimFacts => ({
    phase: 'Bound',
    accessModes: ['ReadWriteOnce'],
    nodes: ['podscope-node'],
    ...over,
  });
  const src = () => shapePod('rwo');
  test('a ReadWriteOnce claim puts the copy on the node it is attached to, and says so', () => {
    const p = planOf(src(), {}, withClaim(bound()));
    assert.equal(p.node, 'podscope-node');
    assert.equal(affinityNode(p.pod.spec!), 'podscope-node');
    assert.deepEqual(said(p, 'node'), [
      'Runs on node podscope-node: PersistentVolumeClaim data-rwo is ReadWriteOnce and attached there.',
    ]);
  });
  test('attached to another node than same node asks: refused with the reason', () => {
    const r = refusal(src(), { sameNode: true }, withClaim(bound({ nodes: ['node-b'] })));
    assert.equal(r.status, 422);
    assert.equal(
      r.error,
      'The copy cannot run on podscope-node: PersistentVolumeClaim data-rwo is ReadWriteOnce and attached to node-b.',
    );
  });
  test('ReadWriteOncePod, missing and unbound claims are refused; in use on two nodes too', () => {
    const cases: [ClaimFacts, RegExp][] = [
      [
        bound({ accessModes: ['ReadWriteOncePod'] }),
        /is ReadWriteOncePod: only one pod may use it, and that is the original/,
      ],
      [{ phase: 'Missing', accessModes: [], nodes: [], missing: true }, /does not exist/],
      [bound({ phase: 'Pending' }), /is not bound \(Pending\)/],
      [bound({ nodes: ['a', 'b'] }), /in use on several nodes \(a, b\)/],
    ];
    for (const [claim, why] of cases) {
      const r = refusal(src(), {}, withClaim(claim));
      assert.equal(r.status, 422);
      assert.match(r.error, why);
    }
  });
  test('ReadWriteMany needs no node; an unreadable claim is a warning', () => {
    assert.equal(planOf(src(), {}, withClaim(bound({ accessModes: ['ReadWriteMany'] }))).node, null);
    const p = planOf(
      src(),
      {},
      withClaim({ phase: null, accessModes: [], nodes: [], error: 'Kubernetes RBAC does not allow it.' }),
    );
    assert.match(
      p.warnings[0]!,
      /could not read PersistentVolumeClaim data-rwo \(Kubernetes RBAC does not allow it\.\)/,
    );
  });
  test('a volume no container of the copy mounts is left out, so it cannot stand in the way', () => {
    const pod = shapePod('init-fail');
    pod.spec!.volumes!.push({ name: 'db', persistentVolumeClaim: { claimName: 'only-for-app' } });
    pod.spec!.containers[0]!.volumeMounts = [{ name: 'db', mountPath: '/db' }];
    const p = planOf(pod, { container: 'migrate' }, noFacts);
    assert.ok(!p.pod.spec!.volumes!.some((v) => v.name === 'db'));
    assert.match(said(p, 'volumes')[0]!, /Volumes no container of the copy mounts are left out: db\./);
  });
  test('projected volumes are said to be built anew', () => {
    const p = planOf(shapePod('rwo'), {}, withClaim(bound()));
    assert.match(
      said(p, 'volumes').join(' '),
      /Projected, ConfigMap, Secret and downward API volumes are built anew .*: kube-api-access-\w+\./,
    );
  });
});
