import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admissionRefusal, failedCopy, shapePod } from '../../../test/support/copy-fixtures.js';
import {
  adoptedBy,
  copyStartOutcome,
  explainCreateRefusal,
  explainTimeout,
  explainUnschedulable,
} from './copy-outcome.js';

/** The sentence for a failed copy (fixtures: pods that failed so on the real cluster). */
function why(name: Parameters<typeof failedCopy>[0], target = 'app'): string {
  const r = copyStartOutcome(failedCopy(name).pod, target);
  assert.ok(r && !r.ok, `expected a failure, got ${JSON.stringify(r)}`);
  return r.ok ? '' : r.error;
}

describe('copyStartOutcome: why a copy did not reach Running, from its status', () => {
  test('a host port in use: the scheduler says so', () => {
    assert.match(
      why('hostport-scheduler'),
      /^The copy cannot be scheduled: a host port it asks for is in use on the node \(scheduler: "0\/1 nodes are available: 1 node\(s\) didn't have free ports/,
    );
  });
  test('a host port in use on a node the pod was bound to: the kubelet rejects it', () => {
    assert.equal(
      why('hostport-kubelet'),
      "The node rejected the copy (NodePorts: a host port it asks for is in use on the node): Pod was rejected: Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports.",
    );
  });
  test('an image that cannot be pulled, with what to do', () => {
    assert.equal(
      why('image'),
      'The image podscope.local/missing:1 of app cannot be pulled (ErrImageNeverPull): Container image "podscope.local/missing:1" is not present with pull policy of Never. The original uses the same image; "Replace the container image with a tools image" avoids it.',
    );
  });
  test('an image without sleep', () => {
    assert.match(
      why('nosleep'),
      /^The image of app has no sleep command \(RunContainerError: .*"sleep": executable file not found.*Choose "Replace the container image with a tools image"\.$/,
    );
  });
  test('a failing init container of the copy (crash-looping: its last run is reported)', () => {
    assert.equal(
      why('init'),
      'Init container prepare failed in the copy (Error, exit code 3); it runs before app. Create the copy with the init containers skipped, or choose prepare as the container to debug.',
    );
  });
  test('a ReadWriteOncePod volume in use', () => {
    assert.match(
      why('rwop'),
      /^The copy cannot be scheduled: a ReadWriteOncePod volume is in use by another pod \(scheduler:/,
    );
  });
  test('a missing ConfigMap keeps the copy in ContainerCreating: wait (the timeout explains it)', () => {
    assert.equal(copyStartOutcome(failedCopy('configmap').pod, 'app'), undefined);
  });
  test('adopted: a controller owns it', () => {
    const pod = shapePod('deployment');
    assert.match(adoptedBy(pod) ?? '', /^ReplicaSet dep-\w+$/);
    const r = copyStartOutcome(pod, 'app');
    assert.ok(r && !r.ok && r.adoptedBy === adoptedBy(pod));
    assert.match(
      !r.ok ? r.error : '',
      /^ReplicaSet dep-\w+ adopted the copy \(its selector matches the copy's labels\), so Podscope deleted the copy at once\./,
    );
  });
  test('running is success; a bare pod still being created is undefined', () => {
    const running = shapePod('hostport');
    delete running.metadata!.ownerReferences;
    assert.deepEqual(copyStartOutcome(running, 'app'), { ok: true });
    const creating = failedCopy('configmap').pod;
    creating.status!.containerStatuses = [
      { name: 'app', state: { waiting: { reason: 'ContainerCreating' } } },
    ];
    assert.equal(copyStartOutcome(creating, 'app'), undefined);
  });
});

describe('explainTimeout: the most telling warning event', () => {
  test('a volume that cannot be mounted', () => {
    const { pod, events } = failedCopy('configmap');
    assert.equal(
      explainTimeout(pod, events, 'app', 90),
      'The copy did not start within 90 s: a volume could not be mounted (FailedMount: MountVolume.SetUp failed for volume "config" : configmap "no-such-config" not found).',
    );
  });
  test('a volume still attached elsewhere (Multi-Attach) is named as such', () => {
    const events = [
      { type: 'Warning', reason: 'FailedMount', message: 'timed out', lastTimestamp: '2026-11-30T10:00:00Z' },
      {
        type: 'Warning',
        reason: 'FailedAttachVolume',
        message:
          'Multi-Attach error for volume "pvc-1" Volume is already exclusively attached to one node and can\'t be attached to another',
        lastTimestamp: '2026-11-30T10:00:01Z',
      },
    ];
    assert.match(
      explainTimeout(null, events, 'app', 90),
      /: a volume is still attached to another node \(FailedAttachVolume: Multi-Attach error/,
    );
  });
  test('no events: what the status says, or the init container still running', () => {
    const pod = failedCopy('configmap').pod;
    assert.equal(
      explainTimeout(pod, [], 'app', 30),
      'The copy did not start within 30 s; it is ContainerCreating, with no warning events.',
    );
    pod.status!.initContainerStatuses = [{ name: 'wait-for-db', state: { running: {} } }];
    assert.match(explainTimeout(pod, [], 'app', 30), /init container wait-for-db is still running/);
  });
});

describe('explainCreateRefusal: admission in plain words', () => {
  test('Pod Security admission (the API server’s own message)', () => {
    const { status, message } = admissionRefusal();
    assert.match(
      explainCreateRefusal(status, message) ?? '',
      /^The namespace's Pod Security admission \(level restricted:latest\) refused the copy: allowPrivilegeEscalation != false .*must not include "SYS_PTRACE".*The restricted profile passes every level/s,
    );
  });
  test('webhooks, quotas, LimitRanges, invalid specs; RBAC is left to the caller', () => {
    assert.equal(
      explainCreateRefusal(
        400,
        'admission webhook "policy.example.com" denied the request: images must come from our registry',
      ),
      'The admission webhook policy.example.com refused the copy: images must come from our registry.',
    );
    assert.match(
      explainCreateRefusal(
        403,
        'pods "x" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=10, limited: pods=10',
      ) ?? '',
      /^The namespace's ResourceQuota has no room for the copy: /,
    );
    assert.match(
      explainCreateRefusal(
        403,
        'pods "x" is forbidden: maximum cpu usage per Container is 1, but limit is 2',
      ) ?? '',
      /LimitRange/,
    );
    assert.match(
      explainCreateRefusal(422, 'Pod "x" is invalid: spec.containers[0].image: Required value') ?? '',
      /as invalid/,
    );
    assert.equal(
      explainCreateRefusal(403, 'pods is forbidden: User "bob" cannot create resource "pods"'),
      null,
    );
  });
  test('explainUnschedulable without a known cause quotes the scheduler', () => {
    assert.equal(
      explainUnschedulable('something new'),
      'The copy cannot be scheduled (scheduler: "something new").',
    );
  });
});
