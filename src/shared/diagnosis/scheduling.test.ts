import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSchedulingMessage } from './scheduling.js';

describe('FailedScheduling messages', () => {
  test('recorded on 1.34: insufficient cpu, with the DRA sentence and preemption', () => {
    assert.deepEqual(
      parseSchedulingMessage(
        '0/1 nodes are available: 1 Insufficient cpu. no new claims to deallocate, preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
      ),
      {
        available: 0,
        total: 1,
        reasons: [{ kind: 'insufficient-resource', nodes: 1, text: 'Insufficient cpu', resource: 'cpu' }],
        preemption: 'Preemption is not helpful for scheduling',
      },
    );
  });

  test('several reasons with counts, a taint among them', () => {
    const p = parseSchedulingMessage(
      "0/5 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient memory, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/5 nodes are available: 5 No preemption victims found for incoming pod.",
    );
    assert.equal(p.total, 5);
    assert.deepEqual(
      p.reasons.map((r) => [r.kind, r.nodes, r.resource ?? r.taint ?? null]),
      [
        ['untolerated-taint', 1, 'node-role.kubernetes.io/control-plane: '],
        ['insufficient-resource', 2, 'memory'],
        ['node-selector', 2, null],
      ],
    );
    assert.equal(p.preemption, 'No preemption victims found for incoming pod');
  });

  test('the older taint wording', () => {
    const p = parseSchedulingMessage(
      "0/1 nodes are available: 1 node(s) had taint {dedicated: gpu}, that the pod didn't tolerate.",
    );
    assert.equal(p.reasons[0]!.taint, 'dedicated: gpu');
  });

  test('a pre-filter reason has no count and applies to every node (recorded: unbound claim)', () => {
    const p = parseSchedulingMessage(
      '0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. not found',
    );
    assert.deepEqual(p.reasons, [
      { kind: 'unbound-claim', nodes: 1, text: 'pod has unbound immediate PersistentVolumeClaims' },
    ]);
  });

  test('a missing claim is named', () => {
    const p = parseSchedulingMessage('0/3 nodes are available: persistentvolumeclaim "data" not found.');
    assert.deepEqual(p.reasons[0], {
      kind: 'missing-claim',
      nodes: 3,
      text: 'persistentvolumeclaim "data" not found',
      claim: 'data',
    });
  });

  test('every other kind', () => {
    const kinds = [
      ['1 Too many pods', 'too-many-pods'],
      ["1 node(s) didn't have free ports for the requested pod ports", 'host-ports'],
      ["1 node(s) didn't match pod affinity rules", 'pod-affinity'],
      ["1 node(s) didn't match pod anti-affinity rules", 'pod-anti-affinity'],
      ["1 node(s) didn't satisfy existing pods anti-affinity rules", 'pod-anti-affinity'],
      ['1 node(s) were unschedulable', 'node-unschedulable'],
      ["1 node(s) didn't match pod topology spread constraints", 'topology-spread'],
      ['1 node(s) had volume node affinity conflict', 'volume-node-affinity'],
      ['1 node(s) exceed max volume count', 'volume-limit'],
      ['1 Insufficient nvidia.com/gpu', 'insufficient-resource'],
      ['1 something new', 'other'],
    ];
    for (const [text, kind] of kinds) {
      assert.equal(parseSchedulingMessage(`0/1 nodes are available: ${text}.`).reasons[0]!.kind, kind, text);
    }
  });

  test('no nodes at all', () => {
    assert.equal(parseSchedulingMessage('no nodes available to schedule pods').reasons[0]!.kind, 'no-nodes');
  });
});
