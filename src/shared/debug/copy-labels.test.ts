import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { shapeNamespaceFacts, shapePod, type ShapeFixture } from '../../../test/support/copy-fixtures.js';
import {
  cheapestHittingSet,
  planCopyLabels,
  selectorOwners,
  type CopyLabels,
  type LabelFacts,
} from './copy-labels.js';
import { markLabels } from './debug-pod-marks.js';
import { selectorMatches } from './label-selector.js';

const marks = markLabels({
  kind: 'copy',
  session: '3f1c2a4e-0000-4000-8000-000000000001',
  owner: 'alice',
  source: 'pod shapes/x',
  createdAt: new Date('2026-11-25T21:00:00Z'),
  expiresAt: new Date('2026-11-25T22:00:00Z'),
});

function plan(labels: Record<string, string>, keep: boolean, facts: LabelFacts): CopyLabels {
  const r = planCopyLabels(labels, keep, marks, facts);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

const noFacts: LabelFacts = { selectors: [], unreadable: [], networkPolicies: [] };

describe('keep labels, on the pods of a real namespace: only the labels a controller needs go', () => {
  // The namespace recorded by dump-copy-fixtures.ts: a Deployment, a ReplicaSet with its own selector
  // (and a NetworkPolicy letting app=rs in), an RC, a DaemonSet, a StatefulSet with a peer-discovery
  // Service, a Job and a CronJob's Job.
  const facts = shapeNamespaceFacts();
  const rows: [ShapeFixture, string[], RegExp[]][] = [
    ['deployment', ['pod-template-hash'], [/^ReplicaSet dep-\w+ \(app=dep,pod-template-hash=\w+\)$/]],
    // app or tier would do; app is what the NetworkPolicy lets in, so tier goes.
    ['replicaset', ['tier'], [/^ReplicaSet rs \(app=rs,tier in \(backend\)\)$/]],
    ['replicationcontroller', ['app'], [/^ReplicationController rc \(app=rc\)$/]],
    ['daemonset', ['app'], [/^DaemonSet ds \(app=ds\)$/]],
    ['statefulset', ['app'], [/^StatefulSet sts \(app=sts\)$/, /^Service sts \(app=sts\)$/]],
    [
      'job',
      ['batch.kubernetes.io/controller-uid'],
      [/^Job job \(batch.kubernetes.io\/controller-uid=[\w-]+\)$/],
    ],
    ['cronjob', ['batch.kubernetes.io/controller-uid'], [/^Job cron-manual \(/]],
  ];
  for (const [shape, dropped, selectedBy] of rows) {
    test(`${shape}: drops ${dropped.join(', ')}`, () => {
      const labels = shapePod(shape).metadata!.labels!;
      const p = plan(labels, true, facts);
      assert.deepEqual(
        p.dropped.map((d) => d.key),
        dropped,
      );
      for (const d of p.dropped) assert.equal(d.value, labels[d.key]);
      const by = p.dropped.flatMap((d) => d.selectedBy);
      assert.equal(by.length, selectedBy.length, by.join(' | '));
      selectedBy.forEach((re, i) => assert.match(by[i]!, re));
      // Everything else is kept, and nothing in the namespace selects the copy.
      assert.deepEqual(
        p.kept,
        Object.keys(labels)
          .filter((k) => !dropped.includes(k))
          .sort(),
      );
      for (const o of facts.selectors) assert.equal(selectorMatches(o.selector, p.labels), false, o.name);
      assert.equal(p.labels['podscope.io/debug-pod'], 'copy');
    });
    test(`${shape}: without keep labels, only Podscope's marks`, () => {
      const p = plan(shapePod(shape).metadata!.labels!, false, facts);
      assert.deepEqual(p.labels, marks);
      assert.deepEqual(p.dropped, []);
    });
  }
  test('the ReplicaSet copy still matches the NetworkPolicy peer; without keep labels it does not, and says so', () => {
    const labels = shapePod('replicaset').metadata!.labels!;
    assert.deepEqual(plan(labels, true, facts).notes, [
      'No NetworkPolicy of this namespace selects pods by tier; policies in other namespaces were not checked and may no longer match the copy.',
    ]);
    const off = plan(labels, false, facts).notes;
    assert.match(off[0]!, /NetworkPolicy orders-db lets pods matching app=rs in; the copy does not match/);
    assert.match(off[1]!, /Turn on Keep labels/);
  });
});

describe('planCopyLabels: refusals and notes', () => {
  test('a selector no dropped label can break is refused (it would select the copy anyway)', () => {
    const facts: LabelFacts = {
      ...noFacts,
      selectors: [
        {
          kind: 'DaemonSet',
          name: 'catch-all',
          selector: { matchExpressions: [{ key: 'legacy', operator: 'DoesNotExist' }] },
        },
      ],
    };
    for (const keep of [true, false]) {
      const r = planCopyLabels({ app: 'web' }, keep, marks, facts);
      assert.equal(r.ok, false);
      assert.match(
        !r.ok ? r.error : '',
        /DaemonSet catch-all \(!legacy\) selects the copy whatever labels it keeps/,
      );
    }
  });
  test("a selector on Podscope's own marks cannot be broken either", () => {
    const facts: LabelFacts = {
      ...noFacts,
      selectors: [
        { kind: 'ReplicaSet', name: 'odd', selector: { matchLabels: { 'podscope.io/debug-pod': 'copy' } } },
      ],
    };
    assert.equal(planCopyLabels({}, false, marks, facts).ok, false);
  });
  test('keep labels needs every controller kind listed; without keep labels it does not', () => {
    const facts: LabelFacts = {
      ...noFacts,
      unreadable: [{ kind: 'DaemonSet', reason: 'Kubernetes RBAC does not allow it.' }],
    };
    const r = planCopyLabels({ app: 'web' }, true, marks, facts);
    assert.match(
      !r.ok ? r.error : '',
      /cannot list DaemonSets: Kubernetes RBAC does not allow it\. Create the copy without keeping labels\./,
    );
    assert.equal(planCopyLabels({ app: 'web' }, false, marks, facts).ok, true);
  });
  test('unreadable Services or NetworkPolicies are notes, not refusals', () => {
    const facts: LabelFacts = {
      selectors: [],
      unreadable: [{ kind: 'Service', reason: 'Kubernetes RBAC does not allow it.' }],
      networkPolicies: null,
      networkPolicyError: 'Kubernetes RBAC does not allow it.',
    };
    const keep = plan({ app: 'web' }, true, facts).notes;
    assert.equal(keep.length, 1, 'nothing dropped, so nothing to say about NetworkPolicies');
    assert.match(keep[0]!, /could not list Services .*publishes not-ready addresses/);
    const off = plan({ app: 'web' }, false, facts).notes;
    assert.match(
      off[0]!,
      /could not list NetworkPolicies \(Kubernetes RBAC does not allow it\.\); any that select pods by app treat the copy differently/,
    );
  });
  test('a NetworkPolicy that applies to the original but not to the copy is named', () => {
    const facts: LabelFacts = {
      selectors: [{ kind: 'DaemonSet', name: 'agent', selector: { matchLabels: { app: 'agent' } } }],
      unreadable: [],
      networkPolicies: [
        {
          name: 'agent-egress',
          podSelector: { matchLabels: { app: 'agent' } },
          ingressFrom: [],
          egressTo: [],
        },
        { name: 'metrics', podSelector: {}, ingressFrom: [], egressTo: [{ matchLabels: { app: 'agent' } }] },
      ],
    };
    const p = plan({ app: 'agent' }, true, facts);
    assert.deepEqual(
      p.dropped.map((d) => d.key),
      ['app'],
    );
    assert.match(
      p.notes[0]!,
      /NetworkPolicy agent-egress applies to the original \(app=agent\) but not to the copy/,
    );
    assert.match(
      p.notes[1]!,
      /NetworkPolicy metrics lets its pods connect to pods matching app=agent; .* cannot connect to it/,
    );
    assert.equal(p.notes.length, 2, 'no "turn on keep labels" hint: they are on');
  });
  test("a source label Podscope's marks replace is reported", () => {
    const p = plan({ 'app.kubernetes.io/managed-by': 'Helm', app: 'web' }, true, noFacts);
    assert.deepEqual(p.replaced, ['app.kubernetes.io/managed-by']);
    assert.equal(p.labels['app.kubernetes.io/managed-by'], 'podscope');
    assert.deepEqual(p.kept, ['app']);
  });
});

describe('selectorOwners', () => {
  test('Services count only when they publish not-ready addresses and have a selector', () => {
    const owners = selectorOwners('Service', [
      { metadata: { name: 'web' }, spec: { selector: { app: 'web' } } },
      { metadata: { name: 'peers' }, spec: { selector: { app: 'db' }, publishNotReadyAddresses: true } },
      { metadata: { name: 'external' }, spec: { publishNotReadyAddresses: true } },
      { metadata: { name: 'empty' }, spec: { selector: {}, publishNotReadyAddresses: true } },
    ]);
    assert.deepEqual(
      owners.map((o) => o.name),
      ['peers'],
    );
  });
});

describe('cheapestHittingSet', () => {
  const unit = () => 1;
  test('one key that hits several groups beats one per group', () => {
    assert.deepEqual(
      [
        ...cheapestHittingSet(
          [
            ['a', 'b'],
            ['b', 'c'],
            ['b', 'd'],
          ],
          unit,
        ),
      ],
      ['b'],
    );
  });
  test('costs steer the choice; ties go to fewer keys, then by name', () => {
    const cost = (k: string) => (k === 'app' ? 100 : 1);
    assert.deepEqual([...cheapestHittingSet([['app', 'tier']], cost)], ['tier']);
    assert.deepEqual(
      [
        ...cheapestHittingSet(
          [
            ['z', 'y'],
            ['y', 'x'],
          ],
          unit,
        ),
      ],
      ['y'],
    );
    assert.deepEqual([...cheapestHittingSet([['b', 'a']], unit)], ['a']);
  });
  test('exact on a case greedy gets wrong', () => {
    // Greedy takes "x" (in three groups) and then needs two more; {a, b} covers everything.
    const groups = [['a', 'x'], ['a', 'x'], ['b', 'x'], ['a'], ['b']];
    assert.deepEqual([...cheapestHittingSet(groups, unit)].sort(), ['a', 'b']);
  });
  test('no groups: nothing to drop', () => assert.equal(cheapestHittingSet([], unit).size, 0));
});
