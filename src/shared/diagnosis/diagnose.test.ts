import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  diagnosisFixture,
  diagnosisFixtureNames,
  recordedFixture,
} from '../../../test/support/diagnosis-fixtures.js';
import { diagnosePod } from './diagnose.js';
import type { Evidence, Finding, FindingId, PodDiagnosis } from './types.js';
import { FINDING_IDS } from './types.js';

const diagnose = (name: string, opts?: Parameters<typeof diagnosisFixture>[1]) =>
  diagnosePod(diagnosisFixture(name, opts));

function only(d: PodDiagnosis, id: FindingId): Finding {
  const f = d.findings.find((x) => x.id === id);
  assert.ok(f, `expected finding ${id}; got ${d.findings.map((x) => x.id).join(', ') || 'none'}`);
  return f;
}

const field = (f: Finding, pathEnd: string): Extract<Evidence, { kind: 'field' }> | undefined =>
  f.evidence.find(
    (e): e is Extract<Evidence, { kind: 'field' }> => e.kind === 'field' && e.path.endsWith(pathEnd),
  );
const events = (f: Finding) =>
  f.evidence.filter((e): e is Extract<Evidence, { kind: 'event' }> => e.kind === 'event');
const logs = (f: Finding) =>
  f.evidence.filter((e): e is Extract<Evidence, { kind: 'log' }> => e.kind === 'log');

/**
 * Every recorded fixture, the finding that must come first, and its sentence. The sentence is the product:
 * it is pinned whole, so a change of wording is a decision, not an accident.
 */
const HEADLINES: Record<string, [FindingId | 'healthy', string]> = {
  crashloop: [
    'crash-loop',
    'Container "app" keeps crashing: it exits with code 1 (a general error reported by the program itself) after 3 s ("FATAL: could not connect to database: connection refused"); it has restarted 6 times.',
  ],
  oomkilled: [
    'oom-killed',
    'Container "app" is killed for using more memory than its limit of 24Mi (OOMKilled, exit code 137) after 2 s; it has restarted 6 times.',
  ],
  imagepull: [
    'image-pull.registry-unreachable',
    'Container "app" cannot start: its image podscope.local/reports-does-not-exist:9.9 cannot be pulled — the registry host podscope.local does not resolve (DNS).',
  ],
  unhealthy: [
    'killed-by-liveness-probe',
    'Container "app" is killed by its liveness probe (exec cat /tmp/alive: "cat: can\'t open \'/tmp/alive\': No such file or directory") after 24 s, not by its memory limit; it has restarted 6 times.',
  ],
  'unhealthy-running': [
    'killed-by-liveness-probe',
    'Container "app" is killed by its liveness probe (exec cat /tmp/alive: "cat: can\'t open \'/tmp/alive\': No such file or directory") after 24 s, not by its memory limit; it has restarted 10 times.',
  ],
  pending: [
    'unschedulable',
    'The pod cannot be scheduled: the node has too little unrequested cpu left for its request of 64 CPUs.',
  ],
  configerror: [
    'config.missing-configmap',
    'Container "app" cannot be created: ConfigMap "billing-settings", which env DATABASE_URL reads, does not exist in namespace demo.',
  ],
  badcommand: [
    'start-error.command-not-found',
    'Container "app" cannot start: its command /usr/local/bin/notifier does not exist in the image (no such file); it has been tried 6 times.',
  ],
  missingkey: [
    'config.missing-key',
    'Container "app" cannot be created: Secret "ledger-db" has no key "password", which env DB_PASSWORD reads.',
  ],
  initcrash: [
    'init-crash-loop',
    'Init container "wait-for-schema" keeps failing: it exits with code 2 (by convention a usage error such as bad arguments; also what a Go program exits with when it panics) after less than a second ("ERROR: schema version 41 is older than the required 42; run the migrations first"), so the app containers cannot start; it has restarted 5 times.',
  ],
  nodeselector: [
    'unschedulable',
    'The pod cannot be scheduled: the node does not match its node selector disktype=ssd.',
  ],
  unboundpvc: [
    'unschedulable',
    'The pod cannot be scheduled: its PersistentVolumeClaim "uploads" is not bound (Pending: storageclass.storage.k8s.io "fast-ssd" not found).',
  ],
  'job-backoff': [
    'container-failed',
    'Container "report" failed: it exited with code 3 (an error code chosen by the program) after less than a second ("ERROR: template /templates/sales.tmpl not found"); the pod\'s restartPolicy is Never, so it is not restarted.',
  ],
  'stuck-rollout': [
    'crash-loop',
    'Container "app" keeps crashing: it exits with code 127 (command not found by the shell) after less than a second ("sh: exec: line 0: checkout-server: not found"); it has restarted 5 times.',
  ],
  'permission-denied': [
    'start-error.permission-denied',
    'Container "app" cannot start: its command /etc/passwd is not executable (permission denied); it has been tried 6 times.',
  ],
  'exec-format': [
    'start-error.exec-format',
    'Container "app" cannot start: its command /scripts/run is not a program this node can run (exec format error: a script without a #! line, or a binary built for another CPU architecture); it has been tried 6 times.',
  ],
  'missing-secret': [
    'config.missing-secret',
    'Container "app" cannot be created: Secret "payments-api-keys", which envFrom reads, does not exist in namespace diag-rec.',
  ],
  'missing-configmap-volume': [
    'volume-mount-failed',
    'The pod is stuck in ContainerCreating: volume "settings" cannot be mounted because ConfigMap "search-settings" does not exist in namespace diag-rec.',
  ],
  'scheduling-gated': [
    'scheduling-gated',
    'The pod is not scheduled because it still has the scheduling gate example.com/quota-check, for 4 min now; whatever added it must remove it.',
  ],
  'terminating-finalizer': [
    'terminating-stuck',
    'The pod was deleted 84 s ago and is still there: the finalizer example.com/backup-done has not been removed.',
  ],
  'readiness-http': [
    'readiness-failing',
    'Container "app" runs but is not ready: its readiness probe (HTTP GET /ready on port 8080) fails — connection refused (nothing listens on 10.214.0.19:8080) — and has failed 25 times (the last 3 min ago), so the pod gets no Service traffic.',
  ],
  'liveness-before-start': [
    'killed-by-liveness-probe',
    'Container "app" is killed by its liveness probe (HTTP GET /cgi-bin/healthz on port 8080 → 503) before it finishes starting; it has restarted 6 times.',
  ],
  'liveness-and-oom-limit': [
    'killed-by-liveness-probe',
    'Container "app" is killed by its liveness probe (exec cat /tmp/alive: "cat: can\'t open \'/tmp/alive\': No such file or directory") before it finishes starting; it has restarted 6 times.',
  ],
  'oom-while-liveness-fails': [
    'oom-killed',
    'Container "app" is killed for using more memory than its limit of 24Mi (OOMKilled, exit code 137; its request is 16Mi) after 1 s; it has restarted 5 times.',
  ],
  'restarted-once': [
    'recent-restarts',
    'Container "app" runs now, but it has restarted 1 time: 4 min ago it exited with code 2 (by convention a usage error such as bad arguments; also what a Go program exits with when it panics) ("panic: nil map write in session cache").',
  ],
  'exits-zero': [
    'crash-loop.exits-zero',
    'Container "app" keeps exiting with code 0 (success) after less than a second and is started again each time, because the pod\'s restartPolicy is Always; it has restarted 5 times.',
  ],
  segfault: [
    'crash-loop',
    'Container "app" keeps crashing: it exits with code 139 (SIGSEGV — a segmentation fault, an access to memory the program may not touch) after 2 s ("Segmentation fault"); it has restarted 5 times.',
  ],
  'failed-never': [
    'container-failed',
    'Container "app" failed: it exited with code 1 (a general error reported by the program itself) after less than a second ("Error: disk quota exceeded"); the pod\'s restartPolicy is Never, so it is not restarted.',
  ],
  'invalid-image-name': [
    'image-pull.invalid-name',
    'Container "app" cannot start: its image podscope.local/Reports:9.9 is not a valid image reference (repository name (Reports) must be lowercase).',
  ],
  'image-never-pull': [
    'image-pull.not-present',
    'Container "app" cannot start: its image podscope.local/absent:1 is not on the node, and its imagePullPolicy Never forbids pulling it.',
  ],
  'healthy-web': ['healthy', 'No problems found: its container is running and ready.'],
  'healthy-multi': ['healthy', 'No problems found: all 2 containers are running and ready.'],
  'completed-job': ['healthy', 'The pod ran to completion: its containers exited with code 0.'],
  // The same situations recorded on Kubernetes 1.37 with containerd 2.4 (their wording differs in places).
  'v1.37/badcommand': [
    'start-error.command-not-found',
    'Container "app" cannot start: its command /usr/local/bin/notifier does not exist in the image (no such file); it has been tried 7 times.',
  ],
  'v1.37/completed-job': ['healthy', 'The pod ran to completion: its containers exited with code 0.'],
  'v1.37/configerror': [
    'config.missing-configmap',
    'Container "app" cannot be created: ConfigMap "billing-settings", which env DATABASE_URL reads, does not exist in namespace demo.',
  ],
  'v1.37/crashloop': [
    'crash-loop',
    'Container "app" keeps crashing: it exits with code 1 (a general error reported by the program itself) after 3 s ("FATAL: could not connect to database: connection refused"); it has restarted 8 times.',
  ],
  'v1.37/exec-format': [
    'start-error.exec-format',
    'Container "app" cannot start: its command /scripts/run is not a program this node can run (exec format error: a script without a #! line, or a binary built for another CPU architecture); it has been tried 7 times.',
  ],
  'v1.37/exits-zero': [
    'crash-loop.exits-zero',
    'Container "app" keeps exiting with code 0 (success) after 1 s and is started again each time, because the pod\'s restartPolicy is Always; it has restarted 6 times.',
  ],
  'v1.37/failed-never': [
    'container-failed',
    'Container "app" failed: it exited with code 1 (a general error reported by the program itself) after less than a second ("Error: disk quota exceeded"); the pod\'s restartPolicy is Never, so it is not restarted.',
  ],
  'v1.37/healthy-multi': ['healthy', 'No problems found: all 2 containers are running and ready.'],
  'v1.37/healthy-web': ['healthy', 'No problems found: its container is running and ready.'],
  'v1.37/image-never-pull': [
    'image-pull.not-present',
    'Container "app" cannot start: its image podscope.local/absent:1 is not on the node, and its imagePullPolicy Never forbids pulling it.',
  ],
  'v1.37/imagepull': [
    'image-pull.registry-unreachable',
    'Container "app" cannot start: its image podscope.local/reports-does-not-exist:9.9 cannot be pulled — the registry host podscope.local does not resolve (DNS).',
  ],
  'v1.37/initcrash': [
    'init-crash-loop',
    'Init container "wait-for-schema" keeps failing: it exits with code 2 (by convention a usage error such as bad arguments; also what a Go program exits with when it panics) after less than a second ("ERROR: schema version 41 is older than the required 42; run the migrations first"), so the app containers cannot start; it has restarted 6 times.',
  ],
  'v1.37/invalid-image-name': [
    'image-pull.invalid-name',
    'Container "app" cannot start: its image podscope.local/Reports:9.9 is not a valid image reference (repository name (Reports) must be lowercase).',
  ],
  'v1.37/job-backoff': [
    'container-failed',
    'Container "report" failed: it exited with code 3 (an error code chosen by the program) after less than a second ("ERROR: template /templates/sales.tmpl not found"); the pod\'s restartPolicy is Never, so it is not restarted.',
  ],
  'v1.37/liveness-and-oom-limit': [
    'killed-by-liveness-probe',
    'Container "app" is killed by its liveness probe (exec cat /tmp/alive: "cat: can\'t open \'/tmp/alive\': No such file or directory") before it finishes starting; it has restarted 7 times.',
  ],
  'v1.37/liveness-before-start': [
    'killed-by-liveness-probe',
    'Container "app" is killed by its liveness probe (HTTP GET /cgi-bin/healthz on port 8080 → 503) before it finishes starting; it has restarted 7 times.',
  ],
  'v1.37/missing-configmap-volume': [
    'volume-mount-failed',
    'The pod is stuck in ContainerCreating: volume "settings" cannot be mounted because ConfigMap "search-settings" does not exist in namespace diag-rec37.',
  ],
  'v1.37/missing-secret': [
    'config.missing-secret',
    'Container "app" cannot be created: Secret "payments-api-keys", which envFrom reads, does not exist in namespace diag-rec37.',
  ],
  'v1.37/missingkey': [
    'config.missing-key',
    'Container "app" cannot be created: Secret "ledger-db" has no key "password", which env DB_PASSWORD reads.',
  ],
  'v1.37/nodeselector': [
    'unschedulable',
    'The pod cannot be scheduled: the node does not match its node selector disktype=ssd.',
  ],
  'v1.37/oom-while-liveness-fails': [
    'oom-killed',
    'Container "app" is killed for using more memory than its limit of 24Mi (OOMKilled, exit code 137; its request is 16Mi) after 1 s; it has restarted 6 times.',
  ],
  'v1.37/oomkilled': [
    'oom-killed',
    'Container "app" is killed for using more memory than its limit of 24Mi (OOMKilled, exit code 137) after 3 s; it has restarted 8 times.',
  ],
  'v1.37/pending': [
    'unschedulable',
    'The pod cannot be scheduled: the node has too little unrequested cpu left for its request of 64 CPUs.',
  ],
  'v1.37/permission-denied': [
    'start-error.permission-denied',
    'Container "app" cannot start: its command /etc/passwd is not executable (permission denied); it has been tried 7 times.',
  ],
  'v1.37/readiness-http': [
    'readiness-failing',
    'Container "app" runs but is not ready: its readiness probe (HTTP GET /ready on port 8080) fails — connection refused (nothing listens on 10.214.0.63:8080) — and has failed 104 times (the last 118 s ago), so the pod gets no Service traffic.',
  ],
  'v1.37/restarted-once': [
    'recent-restarts',
    'Container "app" runs now, but it has restarted 1 time: 7 min ago it exited with code 2 (by convention a usage error such as bad arguments; also what a Go program exits with when it panics) ("panic: nil map write in session cache").',
  ],
  'v1.37/scheduling-gated': [
    'scheduling-gated',
    'The pod is not scheduled because it still has the scheduling gate example.com/quota-check, for 7 min now; whatever added it must remove it.',
  ],
  'v1.37/segfault': [
    'crash-loop',
    'Container "app" keeps crashing: it exits with code 139 (SIGSEGV — a segmentation fault, an access to memory the program may not touch) after 2 s ("Segmentation fault"); it has restarted 6 times.',
  ],
  'v1.37/stuck-rollout': [
    'crash-loop',
    'Container "app" keeps crashing: it exits with code 127 (command not found by the shell) after less than a second ("sh: exec: line 0: checkout-server: not found"); it has restarted 6 times.',
  ],
  'v1.37/terminating-finalizer': [
    'terminating-stuck',
    'The pod was deleted 2 min ago and is still there: the finalizer example.com/backup-done has not been removed.',
  ],
  'v1.37/unboundpvc': [
    'unschedulable',
    'The pod cannot be scheduled: its PersistentVolumeClaim "uploads" is not bound (Pending: storageclass.storage.k8s.io "fast-ssd" not found).',
  ],
  'v1.37/unhealthy': [
    'killed-by-liveness-probe',
    'Container "app" is killed by its liveness probe (exec cat /tmp/alive: "cat: can\'t open \'/tmp/alive\': No such file or directory") after 28 s, not by its memory limit; it has restarted 9 times.',
  ],
};

describe('every recorded fixture', () => {
  test('has an expected headline (a new fixture needs one)', () => {
    assert.deepEqual(diagnosisFixtureNames(), Object.keys(HEADLINES).sort());
  });

  for (const [name, [id, sentence]] of Object.entries(HEADLINES)) {
    test(`${name}: ${id}`, () => {
      const d = diagnose(name);
      assert.equal(d.headline, sentence);
      if (id === 'healthy') {
        assert.equal(d.healthy, true);
        assert.deepEqual(
          d.findings.filter((f) => f.severity !== 'info'),
          [],
        );
      } else {
        assert.equal(d.healthy, false);
        assert.equal(d.findings[0]!.id, id);
        assert.equal(d.findings[0]!.summary, sentence);
      }
    });
  }

  test('every finding: a known id, one sentence, evidence, a next step, a cause', () => {
    for (const name of diagnosisFixtureNames()) {
      for (const f of diagnose(name).findings) {
        assert.ok((FINDING_IDS as readonly string[]).includes(f.id), `${name}: ${f.id}`);
        assert.match(f.summary, /^[A-Z].*\.$/, `${name}: ${f.summary}`);
        assert.doesNotMatch(f.summary, /undefined|null|NaN|\[object/, `${name}: ${f.summary}`);
        assert.ok(f.evidence.length > 0, `${name}/${f.id} has evidence`);
        assert.ok(f.nextSteps.length > 0, `${name}/${f.id} has a next step`);
        assert.ok(f.cause.length > 0 && !/undefined|null/.test(f.cause), `${name}/${f.id} cause: ${f.cause}`);
      }
    }
  });

  test('is recorded from a real cluster (version and time on record)', () => {
    for (const name of diagnosisFixtureNames()) {
      const f = recordedFixture(name);
      assert.match(f.kubernetesVersion, /^v1\.\d+\.\d+/, name);
      assert.ok(!Number.isNaN(Date.parse(f.recordedAt)), name);
    }
  });
});

describe('crash loops', () => {
  test('the previous instance: exit code with its time, and the last output with the error line first', () => {
    const f = only(diagnose('crashloop'), 'crash-loop');
    const exit = field(f, 'lastState.terminated.exitCode')!;
    assert.equal(exit.value, '1');
    assert.equal(exit.path, 'status.containerStatuses[name="app"].lastState.terminated.exitCode');
    assert.equal(exit.time, '2026-11-30T15:33:50Z');
    assert.deepEqual(
      logs(f).map((l) => [l.text, l.previous, l.time]),
      [
        ['FATAL: could not connect to database: connection refused', true, '2026-11-30T15:33:50.203688451Z'],
        ['payments v2.3.1 starting (instance 1796052827)', true, '2026-11-30T15:33:47.201615677Z'],
        ['connecting to database db.payments.svc:5432', true, '2026-11-30T15:33:47.201671010Z'],
      ],
    );
    assert.deepEqual(f.nextSteps[0], {
      action: 'logs',
      label: 'Open the previous logs of app',
      container: 'app',
      previous: true,
      search: 'FATAL: could not connect to database: connection refused',
    });
    assert.ok(f.nextSteps.some((s) => s.action === 'debug-copy' && s.container === 'app'));
    assert.equal(f.cause, 'crashed repeatedly with exit code 1');
  });

  // The recorded crash loop as the kubelet shows it while its next instance runs (it runs 3 s, then
  // waits out a back-off): state running, ready at once — the container has no readiness probe — and
  // the crash before as its last state. Derived from the recording: those 3 s are hard to catch.
  const runningAgain = (runningFor: number) => {
    const started = '2026-11-30T15:38:50Z';
    const input = diagnosisFixture('crashloop', {
      now: new Date(Date.parse(started) + runningFor * 1000),
    });
    const pod = structuredClone(input.pod) as {
      status: {
        conditions: { type: string; status: string }[];
        containerStatuses: Record<string, unknown>[];
      };
    };
    const status = pod.status.containerStatuses[0]!;
    Object.assign(status, { state: { running: { startedAt: started } }, ready: true, started: true });
    for (const c of pod.status.conditions)
      if (c.type === 'Ready' || c.type === 'ContainersReady') c.status = 'True';
    return diagnosePod({ ...input, pod });
  };

  test('caught running again between back-offs, ready without a readiness probe: still a crash loop', () => {
    const d = runningAgain(2);
    assert.equal(d.findings[0]!.id, 'crash-loop');
    assert.match(d.headline, /^Container "app" keeps crashing: it exits with code 1 .* after 3 s /);
  });

  test('once it has outlived its last run by far, it runs now with recent restarts', () => {
    // It ran 3 s before; 2 min in, it is past twice that and past a minute (and the crash, 7 min
    // ago, is still recent enough to count as a loop otherwise).
    const d = runningAgain(120);
    assert.equal(d.findings[0]!.id, 'recent-restarts');
    assert.match(d.headline, /runs now, but it has restarted 6 times: 7 min ago it exited with code 1/);
  });

  test('SIGSEGV is named from the exit code', () => {
    const f = only(diagnose('segfault'), 'crash-loop');
    assert.match(field(f, 'exitCode')!.label, /SIGSEGV/);
  });

  test('a container that exits 0 under restartPolicy Always is its own finding', () => {
    const f = only(diagnose('exits-zero'), 'crash-loop.exits-zero');
    assert.match(f.hint ?? '', /Job/);
  });

  test('an init container that fails blocks the app containers', () => {
    const d = diagnose('initcrash');
    const f = only(d, 'init-crash-loop');
    assert.deepEqual(f.container, { name: 'wait-for-schema', role: 'init' });
    assert.equal(
      field(f, 'exitCode')!.path,
      'status.initContainerStatuses[name="wait-for-schema"].lastState.terminated.exitCode',
    );
    // The app container waits (PodInitializing): that is a consequence, not a finding of its own.
    assert.deepEqual(
      d.findings.map((x) => x.id),
      ['init-crash-loop'],
    );
  });

  test('a Job pod: the container failure first, then the Job that gave up', () => {
    const d = diagnose('job-backoff');
    assert.deepEqual(
      d.findings.map((x) => x.id),
      ['container-failed', 'job-failed'],
    );
    const job = only(d, 'job-failed');
    assert.equal(
      job.summary,
      'Job "nightly-report" has given up (BackoffLimitExceeded): its pods failed 2 times, more than its backoffLimit of 1 allows; it starts no new pod, and this pod is one of the failed ones.',
    );
    assert.equal(field(job, 'spec.backoffLimit')!.object, 'Job/nightly-report');
    assert.equal(field(job, 'spec.backoffLimit')!.value, '1');
  });
});

describe('OOM, liveness probe or eviction: told apart', () => {
  test('OOMKilled: limit, request and exit code 137', () => {
    const f = only(diagnose('oomkilled'), 'oom-killed');
    assert.equal(field(f, 'resources.limits.memory')!.value, '24Mi');
    assert.equal(field(f, 'lastState.terminated.reason')!.value, 'OOMKilled');
    assert.equal(field(f, 'lastState.terminated.exitCode')!.value, '137');
  });

  test('OOMKilled while the liveness probe also fails: the memory limit ended it, and the probe is noted', () => {
    const d = diagnose('oom-while-liveness-fails');
    const f = only(d, 'oom-killed');
    assert.equal(field(f, 'resources.requests.memory')!.value, '16Mi');
    const probe = events(f).find((e) => e.reason === 'Unhealthy');
    assert.ok(probe, 'the failing liveness probe is shown');
    assert.match(probe.label, /memory limit ended this instance/);
    assert.ok(!d.findings.some((x) => x.id === 'killed-by-liveness-probe'));
  });

  test('exit 137 with a memory limit and a failing liveness probe: the probe, not the limit', () => {
    const d = diagnose('liveness-and-oom-limit');
    const f = only(d, 'killed-by-liveness-probe');
    assert.ok(!d.findings.some((x) => x.id === 'oom-killed'));
    assert.equal(field(f, 'lastState.terminated.exitCode')!.value, '137');
    assert.ok(events(f).some((e) => e.reason === 'Killing' && /failed liveness probe/.test(e.message)));
  });

  test('a liveness probe kill: probe, result from the Unhealthy event, kill event', () => {
    const f = only(diagnose('liveness-before-start'), 'killed-by-liveness-probe');
    assert.equal(
      field(f, '.livenessProbe')!.value,
      'HTTP GET /cgi-bin/healthz on port 8080; initialDelaySeconds 5, periodSeconds 3, timeoutSeconds 1, failureThreshold 3',
    );
    const result = events(f).find((e) => e.reason === 'Unhealthy')!;
    assert.equal(result.message, 'Liveness probe failed: HTTP probe failed with statuscode: 503');
    assert.match(f.hint ?? '', /startupProbe/);
    assert.match(
      f.hint ?? '',
      /about 14 s \(initialDelaySeconds 5 \+ failureThreshold 3 × periodSeconds 3\)/,
    );
  });

  test('a kill the kubelet did not record itself (rate-limited events) is attributed, and says so', () => {
    // The last Killing event (15:30:52) is older than the instance that ended (15:32:15–15:32:39).
    const f = only(diagnose('unhealthy'), 'killed-by-liveness-probe');
    const kill = events(f).find((e) => e.reason === 'Killing')!;
    assert.equal(kill.lastSeen, '2026-11-30T15:30:52Z');
    assert.match(kill.label, /rate-limited/);
  });

  test('evicted: the node pressure and the container that used the most', () => {
    const pod = JSON.parse(
      readFileSync(new URL('../../../test/fixtures/pods/evicted.json', import.meta.url), 'utf8'),
    ) as unknown;
    const d = diagnosePod({ pod, now: new Date('2026-11-25T12:30:00Z') });
    assert.equal(d.findings[0]!.id, 'evicted');
    assert.equal(
      d.headline,
      'The kubelet on node podscope-worker evicted the pod: the node was low on memory (threshold 100Mi, 88232Ki available); its container worker used 1843128Ki with no request.',
    );
    assert.ok(!d.findings.some((x) => x.id === 'oom-killed' || x.id === 'killed-by-liveness-probe'));
  });
});

describe('readiness', () => {
  test('a running container that is not ready: the probe and what it got', () => {
    const f = only(diagnose('readiness-http'), 'readiness-failing');
    assert.equal(f.severity, 'warning');
    assert.equal(
      events(f)[0]!.message,
      'Readiness probe failed: Get "http://10.214.0.19:8080/ready": dial tcp 10.214.0.19:8080: connect: connection refused',
    );
    // The cause groups pods: no pod IP in it.
    assert.equal(f.cause, 'failed the readiness probe (HTTP GET /ready on port 8080): connection refused');
  });

  test('between liveness kills: both the kills and the failing readiness probe', () => {
    const d = diagnose('unhealthy-running');
    assert.deepEqual(
      d.findings.map((x) => x.id),
      ['killed-by-liveness-probe', 'readiness-failing'],
    );
  });
});

describe('restarts of a pod that runs fine now', () => {
  test('a restart in the last hour is a warning', () => {
    const f = only(diagnose('restarted-once'), 'recent-restarts');
    assert.equal(f.severity, 'warning');
    assert.equal(logs(f)[0]!.text, 'panic: nil map write in session cache');
  });

  test('a restart long ago: healthy, with the restart noted', () => {
    const recorded = new Date(recordedFixture('restarted-once').recordedAt);
    const d = diagnose('restarted-once', { now: new Date(recorded.getTime() + 3 * 86400_000) });
    assert.equal(d.healthy, true);
    assert.equal(d.headline, 'No problems found: its container is running and ready.');
    const f = only(d, 'earlier-restarts');
    assert.equal(f.severity, 'info');
    assert.equal(
      f.summary,
      'Container "app" has restarted 1 time, most recently 3 days ago (exited with code 2 (by convention a usage error such as bad arguments; also what a Go program exits with when it panics) ("panic: nil map write in session cache")); it has run without restarting since.',
    );
  });
});

describe('with least rights', () => {
  test('events forbidden: a probe kill cannot be told, and the finding says which evidence was missing and why', () => {
    const d = diagnose('unhealthy', { forbid: ['events'] });
    const f = d.findings[0]!;
    assert.equal(f.id, 'crash-loop');
    assert.match(
      f.summary,
      /code 137 \(SIGKILL — killed outright, not by the memory limit \(Kubernetes would report OOMKilled\)\)/,
    );
    assert.equal(
      f.hint,
      "Whether a liveness probe killed it, the pod's events would tell — and they could not be read.",
    );
    assert.deepEqual(f.gaps, [
      'The pod\'s events could not be read: Kubernetes RBAC does not allow this: events is forbidden: User "developer" cannot list resource "events" in API group "" in the namespace "demo"',
    ]);
    assert.equal(d.gaps.length, 1);
  });

  test('logs forbidden: the crash is still explained from the status, without a quote', () => {
    const f = diagnose('crashloop', { forbid: ['logs'] }).findings[0]!;
    assert.equal(f.id, 'crash-loop');
    assert.equal(
      f.summary,
      'Container "app" keeps crashing: it exits with code 1 (a general error reported by the program itself) after 3 s; it has restarted 6 times.',
    );
    assert.equal(logs(f).length, 0);
    assert.match(
      f.gaps[0]!,
      /^The previous output of container "app" could not be read: Kubernetes RBAC does not allow this/,
    );
  });

  test('events forbidden: an image pull failure is still classified from the waiting message', () => {
    const f = diagnose('imagepull', { forbid: ['events'] }).findings[0]!;
    assert.equal(f.id, 'image-pull.registry-unreachable');
    assert.equal(f.gaps.length, 1);
  });

  test("owners forbidden: the pod's own finding stays, the Job's is not guessed", () => {
    const d = diagnose('job-backoff', { forbid: ['owners'] });
    assert.deepEqual(
      d.findings.map((x) => x.id),
      ['container-failed'],
    );
    assert.match(d.gaps[0]!.reason, /forbidden/);
  });

  test('output the kubelet could no longer retrieve is a gap, not a quote', () => {
    const input = diagnosisFixture('crashloop');
    input.logs = [
      {
        container: 'app',
        previous: true,
        lines: [{ ts: '', text: 'unable to retrieve container logs for containerd://79a38288' }],
      },
    ];
    const f = diagnosePod(input).findings[0]!;
    assert.equal(logs(f).length, 0);
    assert.doesNotMatch(f.summary, /unable to retrieve/);
    assert.deepEqual(f.gaps, [
      "The previous output of app could not be read: the kubelet could not retrieve the container's output any more (its log file is gone).",
    ]);
  });
});

describe('scheduling', () => {
  test('insufficient cpu: the request and where it is set', () => {
    const f = only(diagnose('pending'), 'unschedulable');
    assert.equal(
      field(f, 'resources.requests.cpu')!.path,
      'spec.containers[name="app"].resources.requests.cpu',
    );
    assert.equal(f.cause, 'cannot be scheduled: insufficient cpu');
    assert.match(f.hint ?? '', /Preempting lower-priority pods would not help/);
  });

  test('several reasons across nodes, each with its node count', () => {
    const input = diagnosisFixture('pending');
    const message =
      '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.';
    setCondition(input.pod, 'PodScheduled', message);
    input.events = [];
    const d = diagnosePod(input);
    assert.equal(
      d.headline,
      'The pod cannot be scheduled on any of the 3 nodes: 1 node has the taint node-role.kubernetes.io/control-plane that it does not tolerate; 2 nodes have too little unrequested cpu left for its request of 64 CPUs.',
    );
    assert.equal(
      d.findings[0]!.cause,
      'cannot be scheduled: untolerated taint node-role.kubernetes.io/control-plane, insufficient cpu',
    );
  });

  test('too many pods', () => {
    const input = diagnosisFixture('pending');
    setCondition(
      input.pod,
      'PodScheduled',
      '0/1 nodes are available: 1 Too many pods. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    );
    input.events = [];
    assert.equal(
      diagnosePod(input).headline,
      'The pod cannot be scheduled: the node already runs as many pods as it allows (maxPods).',
    );
  });

  test("the unbound claim is named, with the claim controller's event", () => {
    const f = only(diagnose('unboundpvc'), 'unschedulable');
    const e = events(f).find((x) => x.reason === 'ProvisioningFailed')!;
    assert.equal(e.object, 'PersistentVolumeClaim/uploads');
    assert.equal(field(f, 'spec.storageClassName')!.value, 'fast-ssd');
  });
});

describe('config and start errors name the field to fix', () => {
  test('missing Secret key: the env reference', () => {
    const f = only(diagnose('missingkey'), 'config.missing-key');
    assert.equal(
      field(f, 'secretKeyRef')!.path,
      'spec.containers[name="app"].env[name="DB_PASSWORD"].valueFrom.secretKeyRef',
    );
  });

  test('missing Secret: the envFrom reference', () => {
    const f = only(diagnose('missing-secret'), 'config.missing-secret');
    assert.equal(field(f, 'secretRef')!.path, 'spec.containers[name="app"].envFrom[0].secretRef');
  });

  test('command not found: the command field, the runtime error, a debug copy', () => {
    const f = only(diagnose('badcommand'), 'start-error.command-not-found');
    assert.equal(field(f, '.command')!.value, '["/usr/local/bin/notifier","--port=8080"]');
    assert.ok(f.nextSteps.some((s) => s.action === 'debug-copy'));
  });
});

describe('owners', () => {
  test('a stuck rollout, seen from a pod of the new ReplicaSet', () => {
    const f = only(diagnose('stuck-rollout'), 'rollout-stuck');
    assert.equal(f.severity, 'error');
    assert.equal(
      f.summary,
      'The rollout of Deployment "checkout" is stuck: no progress for 30 s (ProgressDeadlineExceeded), and this pod belongs to the new ReplicaSet "checkout-79696fb8d5", which has 0 of 1 pod ready.',
    );
  });

  test('a stuck rollout, seen from a healthy pod of the old ReplicaSet: points at the failing new pods', () => {
    const old = diagnosisFixture('healthy-web');
    const stuck = diagnosisFixture('stuck-rollout');
    const deployment = stuck.owners!.find((o) => o.kind === 'Deployment')!;
    old.owners = [old.owners![0]!, { ...deployment, name: 'web' }];
    old.rolloutPods = stuck.rolloutPods;
    const d = diagnosePod(old);
    const f = only(d, 'rollout-stuck');
    assert.equal(f.severity, 'warning');
    assert.match(f.summary, /failing: checkout-79696fb8d5-khtdd \(CrashLoopBackOff\)/);
    assert.deepEqual(f.nextSteps[0], {
      action: 'pod',
      label: 'Open pod checkout-79696fb8d5-khtdd',
      pod: 'checkout-79696fb8d5-khtdd',
    });
  });
});

describe('what Podscope does not recognise', () => {
  test('an honest generic finding that still lists the evidence', () => {
    const input = diagnosisFixture('configerror');
    const status = (input.pod as { status: { containerStatuses: { state: unknown }[] } }).status;
    status.containerStatuses[0]!.state = {
      waiting: { reason: 'QuantumFluxError', message: 'flux capacitor out of sync' },
    };
    input.events = [];
    const d = diagnosePod(input);
    assert.equal(d.findings.length, 1);
    const f = d.findings[0]!;
    assert.equal(f.id, 'unknown');
    assert.equal(
      f.summary,
      'Podscope does not recognise why the pod is QuantumFluxError after 7 min; the evidence below is what it looked at.',
    );
    assert.equal(field(f, 'state.waiting.message')!.value, 'flux capacitor out of sync');
  });

  test('pod-level terminal states: DeadlineExceeded and a kubelet refusal', () => {
    const input = diagnosisFixture('failed-never');
    const pod = input.pod as { spec: Record<string, unknown>; status: Record<string, unknown> };
    pod.spec['activeDeadlineSeconds'] = 30;
    pod.status['reason'] = 'DeadlineExceeded';
    assert.equal(
      diagnosePod(input).findings[0]!.summary,
      'The pod ran longer than its activeDeadlineSeconds (30 s) and was stopped.',
    );
    pod.status['reason'] = 'OutOfcpu';
    pod.status['message'] =
      "Pod was rejected: Node didn't have enough resource: cpu, requested: 4000, used: 1500, capacity: 2000";
    assert.equal(
      diagnosePod(input).findings[0]!.summary,
      "The kubelet on node podscope-node refused to run the pod (OutOfcpu): Pod was rejected: Node didn't have enough resource: cpu, requested: 4000, used: 1500, capacity: 2000.",
    );
  });
});

describe('stuck in ContainerCreating', () => {
  test("a sandbox the node cannot create: the runtime's reason, and that it is the node", () => {
    const input = diagnosisFixture('missing-configmap-volume');
    input.events = input.events!.map((e) =>
      e.reason === 'FailedMount'
        ? {
            ...e,
            reason: 'FailedCreatePodSandBox',
            message:
              'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "4f3c": plugin type="bridge" failed (add): failed to allocate for range 0: no IP addresses available in range set: 10.214.0.1-10.214.0.254',
          }
        : e,
    );
    const f = diagnosePod(input).findings[0]!;
    assert.equal(f.id, 'sandbox-failed');
    assert.equal(
      f.summary,
      'The pod is stuck in ContainerCreating: the node cannot create its sandbox (network and namespaces) — failed to setup network for sandbox "4f3c": plugin type="bridge" failed (add): failed to allocate for range 0: no IP addresses available in range set: 10.214.0.1-10.214.0.254.',
    );
    assert.match(f.hint ?? '', /not the application/);
  });
});

describe('owners, more ways to fail', () => {
  test('a Job past its activeDeadlineSeconds', () => {
    const input = diagnosisFixture('job-backoff');
    const job = input.owners![0]!.object as {
      spec: Record<string, unknown>;
      status: { conditions: Record<string, unknown>[] };
    };
    job.spec['activeDeadlineSeconds'] = 600;
    for (const c of job.status.conditions) {
      c['reason'] = 'DeadlineExceeded';
      c['message'] = 'Job was active longer than specified deadline';
    }
    const f = diagnosePod(input).findings.find((x) => x.id === 'job-failed')!;
    assert.equal(
      f.summary,
      'Job "nightly-report" has given up (DeadlineExceeded): it ran longer than its activeDeadlineSeconds (600 s); it starts no new pod, and this pod is one of the failed ones.',
    );
  });

  test('deleted without finalizers, on a node that stopped answering', () => {
    const input = diagnosisFixture('terminating-finalizer');
    const pod = input.pod as { metadata: Record<string, unknown>; status: Record<string, unknown> };
    delete pod.metadata['finalizers'];
    pod.status['reason'] = 'NodeLost';
    const f = diagnosePod(input).findings[0]!;
    assert.equal(f.id, 'terminating-stuck');
    assert.equal(
      f.summary,
      'The pod was deleted 84 s ago and is still there: its node podscope-node is unreachable, so nothing confirms its containers stopped.',
    );
  });
});

function setCondition(pod: unknown, type: string, message: string): void {
  const conditions = (pod as { status: { conditions: { type: string; message?: string }[] } }).status
    .conditions;
  conditions.find((c) => c.type === type)!.message = message;
}
