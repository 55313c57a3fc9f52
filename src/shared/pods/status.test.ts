import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { podDetail, summarizePod } from './status.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- fixtures are edited freely

function fixture(name: string): Json {
  return JSON.parse(
    readFileSync(new URL(`../../../test/fixtures/pods/${name}.json`, import.meta.url), 'utf8'),
  ) as Json;
}

const NOW = new Date('2026-11-25T20:45:00Z');

describe('summarizePod: STATUS as kubectl get pods prints it', () => {
  const cases: [fixture: string, status: string, ready: string, restarts: number, problem: boolean][] = [
    ['running-init-two-apps', 'Running', '2/2', 0, false],
    ['crashloop-backoff', 'CrashLoopBackOff', '0/1', 6, true],
    ['oomkilled-crashloop', 'CrashLoopBackOff', '0/1', 4, true],
    ['oomkilled-terminated', 'OOMKilled', '0/1', 1, true],
    ['image-pull-backoff', 'ImagePullBackOff', '0/1', 0, true],
    ['err-image-pull', 'ErrImagePull', '0/1', 0, true],
    ['pending-unschedulable', 'Pending', '0/1', 0, true],
    ['create-container-config-error', 'CreateContainerConfigError', '0/1', 0, true],
    ['completed-job', 'Completed', '0/1', 0, false],
    ['terminating', 'Terminating', '2/2', 0, false],
    ['ephemeral-debug', 'Running', '1/1', 0, false],
    ['init-crashloop', 'Init:CrashLoopBackOff', '0/1', 7, true],
    ['init-running', 'Init:1/2', '0/1', 0, false],
    ['sidecar-running', 'Running', '2/2', 3, false],
    ['evicted', 'ContainerStatusUnknown', '0/1', 0, true],
  ];
  for (const [name, status, ready, restarts, problem] of cases) {
    test(`${name}: ${status} ${ready}, ${restarts} restarts${problem ? ', flagged as a problem' : ''}`, () => {
      const s = summarizePod(fixture(name), NOW);
      assert.equal(s.status, status);
      assert.equal(`${s.ready}/${s.total}`, ready);
      assert.equal(s.restarts, restarts);
      assert.equal(s.problem, problem);
    });
  }
});

describe('summarizePod: other columns', () => {
  test('reads identity, node, IP, owner and labels', () => {
    const s = summarizePod(fixture('running-init-two-apps'), NOW);
    assert.deepEqual(
      { ...s, labels: undefined },
      {
        name: 'shop-web-7c9f6d8b5d-x2k8q',
        namespace: 'shop',
        uid: '5b0e2f6c-1a8d-4c3e-8f7b-2d9a6e4c1b01',
        status: 'Running',
        problem: false,
        ready: 2,
        total: 2,
        restarts: 0,
        lastRestartAt: null,
        createdAt: '2026-11-25T19:40:11Z',
        node: 'podscope-worker',
        podIP: '10.244.1.17',
        owner: { kind: 'ReplicaSet', name: 'shop-web-7c9f6d8b5d' },
        labels: undefined,
      },
    );
    assert.deepEqual(s.labels, { 'app.kubernetes.io/name': 'shop-web', 'pod-template-hash': '7c9f6d8b5d' });
  });

  test('an unscheduled pod has no node and no IP', () => {
    const s = summarizePod(fixture('pending-unschedulable'), NOW);
    assert.equal(s.node, null);
    assert.equal(s.podIP, null);
    assert.deepEqual(s.owner, { kind: 'StatefulSet', name: 'search' });
  });

  test('lastRestartAt is when the previous instance finished', () => {
    assert.equal(summarizePod(fixture('crashloop-backoff'), NOW).lastRestartAt, '2026-11-25T18:09:31Z');
  });

  test('counts sidecar restarts with the app’s and takes the latest of their restart times', () => {
    const s = summarizePod(fixture('sidecar-running'), NOW);
    assert.equal(s.restarts, 3);
    assert.equal(s.lastRestartAt, '2026-11-25T18:20:30Z');
  });

  test('while initialising, counts init container restarts', () => {
    const s = summarizePod(fixture('init-crashloop'), NOW);
    assert.equal(s.restarts, 7);
    assert.equal(s.lastRestartAt, '2026-11-25T20:03:47Z');
  });

  test('falls back to podIPs when podIP is absent', () => {
    const pod = fixture('running-init-two-apps');
    delete pod['status']['podIP'];
    pod['status']['podIPs'] = [{ ip: 'fd00:10:244::17' }, { ip: '10.244.1.17' }];
    assert.equal(summarizePod(pod, NOW).podIP, 'fd00:10:244::17');
  });
});

describe('summarizePod: kubectl edge cases', () => {
  function withAppState(state: Json, extra: Json = {}): Json {
    const pod = fixture('crashloop-backoff');
    Object.assign(pod['status']['containerStatuses'][0], { state }, extra);
    return pod;
  }

  test('a container killed by a signal without a reason shows Signal:N', () => {
    const pod = withAppState({ terminated: { exitCode: 137, signal: 9, startedAt: null, finishedAt: null } });
    assert.equal(summarizePod(pod, NOW).status, 'Signal:9');
    assert.equal(summarizePod(pod, NOW).problem, true);
  });

  test('a container that exited without a reason shows ExitCode:N', () => {
    const pod = withAppState({ terminated: { exitCode: 3, startedAt: null, finishedAt: null } });
    assert.equal(summarizePod(pod, NOW).status, 'ExitCode:3');
    assert.equal(summarizePod(pod, NOW).problem, true);
  });

  test('ExitCode:0 is not a problem', () => {
    const pod = withAppState({ terminated: { exitCode: 0, startedAt: null, finishedAt: null } });
    assert.equal(summarizePod(pod, NOW).status, 'ExitCode:0');
    assert.equal(summarizePod(pod, NOW).problem, false);
  });

  test('a failed init container without a reason shows Init:ExitCode:N or Init:Signal:N', () => {
    const pod = fixture('init-crashloop');
    pod['status']['initContainerStatuses'][0]['state'] = {
      terminated: { exitCode: 2, startedAt: null, finishedAt: null },
    };
    assert.equal(summarizePod(pod, NOW).status, 'Init:ExitCode:2');
    pod['status']['initContainerStatuses'][0]['state'] = { terminated: { exitCode: 143, signal: 15 } };
    assert.equal(summarizePod(pod, NOW).status, 'Init:Signal:15');
    assert.equal(summarizePod(pod, NOW).problem, true);
  });

  test('a failed init container with a reason shows Init:<reason>', () => {
    const pod = fixture('init-crashloop');
    pod['status']['initContainerStatuses'][0]['state'] = { terminated: { exitCode: 1, reason: 'Error' } };
    assert.equal(summarizePod(pod, NOW).status, 'Init:Error');
  });

  test('with the first container Completed and another running, shows Running or NotReady by the Ready condition', () => {
    const pod = fixture('running-init-two-apps');
    // containerStatuses are sorted by name: 'metrics' first.
    pod['status']['containerStatuses'][0]['state'] = { terminated: { exitCode: 0, reason: 'Completed' } };
    pod['status']['containerStatuses'][0]['ready'] = false;
    assert.equal(summarizePod(pod, NOW).status, 'Running');
    pod['status']['conditions'].find((c: Json) => c['type'] === 'Ready').status = 'False';
    assert.equal(summarizePod(pod, NOW).status, 'NotReady');
    assert.equal(summarizePod(pod, NOW).ready, 1);
  });

  test('the first container with a reason wins, as kubectl walks the list backwards', () => {
    const pod = fixture('running-init-two-apps');
    pod['status']['containerStatuses'][0]['state'] = { waiting: { reason: 'CrashLoopBackOff' } };
    pod['status']['containerStatuses'][1]['state'] = { waiting: { reason: 'ImagePullBackOff' } };
    assert.equal(summarizePod(pod, NOW).status, 'CrashLoopBackOff');
  });

  test('a pod deleted on an unreachable node shows Unknown', () => {
    const pod = fixture('terminating');
    pod['status']['reason'] = 'NodeLost';
    assert.equal(summarizePod(pod, NOW).status, 'Unknown');
    assert.equal(summarizePod(pod, NOW).problem, true);
  });

  test('a finished pod being deleted keeps its final status instead of Terminating', () => {
    const pod = fixture('completed-job');
    pod['metadata']['deletionTimestamp'] = '2026-11-25T20:45:30Z';
    assert.equal(summarizePod(pod, NOW).status, 'Completed');
  });

  test('Terminating becomes a problem once the pod outlives its deletion deadline by a minute', () => {
    const pod = fixture('terminating');
    assert.equal(summarizePod(pod, new Date('2026-11-25T20:46:29Z')).problem, false);
    assert.equal(summarizePod(pod, new Date('2026-11-25T20:46:31Z')).problem, true);
  });

  test('a scheduling-gated pod shows SchedulingGated and is not a problem', () => {
    const pod = fixture('pending-unschedulable');
    pod['status']['conditions'] = [
      {
        type: 'PodScheduled',
        status: 'False',
        reason: 'SchedulingGated',
        message: 'Scheduling is blocked due to non-empty scheduling gates',
      },
    ];
    const s = summarizePod(pod, NOW);
    assert.equal(s.status, 'SchedulingGated');
    assert.equal(s.problem, false);
  });

  test('a pod that is merely pending (scheduled, pulling) is not a problem', () => {
    const pod = fixture('pending-unschedulable');
    pod['status']['conditions'][0] = { type: 'PodScheduled', status: 'True' };
    assert.equal(summarizePod(pod, NOW).problem, false);
  });

  test('an evicted pod without container statuses shows Evicted; any Failed pod is a problem', () => {
    const pod = fixture('evicted');
    delete pod['status']['containerStatuses'];
    const s = summarizePod(pod, NOW);
    assert.equal(s.status, 'Evicted');
    assert.equal(s.problem, true);
  });

  test('a started sidecar counts as ready only if it is ready', () => {
    const pod = fixture('sidecar-running');
    pod['status']['initContainerStatuses'][0]['ready'] = false;
    assert.equal(summarizePod(pod, NOW).ready, 1);
    assert.equal(summarizePod(pod, NOW).total, 2);
  });

  test('a sidecar that has not started yet holds the pod in Init', () => {
    const pod = fixture('sidecar-running');
    Object.assign(pod['status']['initContainerStatuses'][0], {
      started: false,
      state: { running: { startedAt: '2026-11-25T18:20:31Z' } },
    });
    pod['status']['conditions'].find((c: Json) => c['type'] === 'Initialized').status = 'False';
    assert.equal(summarizePod(pod, NOW).status, 'Init:0/1');
  });

  test('tolerates objects that are not pods at all', () => {
    for (const junk of [null, undefined, 42, 'pod', [], { status: 'x', spec: [] }]) {
      const s = summarizePod(junk, NOW);
      assert.equal(s.name, '');
      assert.equal(s.total, 0);
      assert.equal(typeof s.status, 'string');
    }
  });
});

describe('podDetail', () => {
  test('lists init, app and ephemeral containers in that order with their states', () => {
    const d = podDetail(fixture('running-init-two-apps'), NOW);
    assert.deepEqual(
      d.containers.map((c) => [c.kind, c.name, c.state, c.reason, c.ready]),
      [
        ['init', 'migrate', 'terminated', 'Completed', true],
        ['app', 'web', 'running', null, true],
        ['app', 'metrics', 'running', null, true],
      ],
    );
    assert.equal(d.phase, 'Running');
    assert.equal(d.qosClass, 'Burstable');
    assert.equal(d.serviceAccount, 'shop-web');
    assert.equal(d.conditions.length, 5);
    assert.deepEqual(d.conditions[0], {
      type: 'PodReadyToStartContainers',
      status: 'True',
      reason: null,
      message: null,
    });
  });

  test('describes a crash-looping container and what its previous instance died of', () => {
    const [api] = podDetail(fixture('oomkilled-crashloop'), NOW).containers;
    assert.ok(api);
    assert.equal(api.state, 'waiting');
    assert.equal(api.reason, 'CrashLoopBackOff');
    assert.match(api.message ?? '', /^back-off 1m20s restarting failed container=worker/);
    assert.equal(api.restartCount, 4);
    assert.deepEqual(api.lastTermination, {
      reason: 'OOMKilled',
      exitCode: 137,
      finishedAt: '2026-11-25T17:24:12Z',
      message: null,
    });
  });

  test('reports the exit code and times of a terminated container', () => {
    const [worker] = podDetail(fixture('oomkilled-terminated'), NOW).containers;
    assert.deepEqual(
      worker && [worker.state, worker.reason, worker.exitCode, worker.startedAt, worker.finishedAt],
      ['terminated', 'OOMKilled', 137, '2026-11-25T17:18:03Z', '2026-11-25T17:18:21Z'],
    );
  });

  test('carries the waiting message that explains a configuration error', () => {
    const [c] = podDetail(fixture('create-container-config-error'), NOW).containers;
    assert.equal(c?.message, 'secret "db-credentials" not found');
    assert.equal(c?.lastTermination, null);
  });

  test('shows running and finished debug containers with their target', () => {
    const d = podDetail(fixture('ephemeral-debug'), NOW);
    assert.deepEqual(
      d.containers.map((c) => [c.kind, c.name, c.state, c.exitCode, c.targetContainerName]),
      [
        ['app', 'inventory', 'running', null, null],
        ['ephemeral', 'debugger-old', 'terminated', 0, 'inventory'],
        ['ephemeral', 'debugger-7xk2p', 'running', null, 'inventory'],
      ],
    );
    assert.equal(d.containers[2]?.image, 'nicolaka/netshoot:v0.13');
  });

  test('shows a container with no status yet as unknown', () => {
    const pod = fixture('pending-unschedulable');
    const [c] = podDetail(pod, NOW).containers;
    assert.deepEqual(c && [c.state, c.ready, c.restartCount, c.image], [
      'unknown',
      false,
      0,
      'docker.elastic.co/elasticsearch/elasticsearch:8.15.3',
    ]);
  });

  test('keeps the unschedulable condition message for the user', () => {
    const d = podDetail(fixture('pending-unschedulable'), NOW);
    assert.match(d.conditions[0]?.message ?? '', /Insufficient memory/);
    assert.equal(d.conditions[0]?.reason, 'Unschedulable');
  });
});

describe('a crash-looping container between back-offs', () => {
  // The crashloop fixture, caught in the few seconds its new instance runs.
  const running = (finishedAt: string): Json => {
    const pod = fixture('crashloop-backoff') as { status: { containerStatuses: Record<string, unknown>[] } };
    const cs = pod.status.containerStatuses[0]!;
    cs['state'] = { running: { startedAt: finishedAt } };
    (cs['lastState'] as { terminated: Record<string, unknown> }).terminated['finishedAt'] = finishedAt;
    return pod as unknown as Json;
  };
  const now = new Date('2026-11-25T18:10:00Z');

  test('shows Running as kubectl does, but stays a problem while its last failure is recent', () => {
    const s = summarizePod(running('2026-11-25T18:09:31Z'), now);
    assert.equal(s.status, 'Running');
    assert.equal(s.problem, true);
  });

  test('is no longer a problem ten minutes after its last failure', () => {
    assert.equal(summarizePod(running('2026-11-25T17:59:59Z'), now).problem, false);
  });
});
