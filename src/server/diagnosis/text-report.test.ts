import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { diagnosisFixture } from '../../../test/support/diagnosis-fixtures.js';
import { diagnosePod } from '../../shared/diagnosis/diagnose.js';
import { namespaceDiagnosis } from '../../shared/diagnosis/group.js';
import { kubectlFor, namespaceReport, podReport, safe } from './text-report.js';

const crash = diagnosePod(diagnosisFixture('crashloop'));

describe('the terminal report', () => {
  test('a pod: sentence, evidence with paths and times, next steps as kubectl commands', () => {
    assert.equal(
      podReport(crash, { color: false }),
      `demo/crashloop — CrashLoopBackOff

✖ Container "app" keeps crashing: it exits with code 1 (a general error reported by the program itself) after 3 s ("FATAL: could not connect to database: connection refused"); it has restarted 6 times.  [crash-loop]
  Evidence:
    waiting reason: status.containerStatuses[name="app"].state.waiting.reason = CrashLoopBackOff
    exit code of the previous instance: status.containerStatuses[name="app"].lastState.terminated.exitCode = 1  (2026-11-30T15:33:50Z)
    termination reason: status.containerStatuses[name="app"].lastState.terminated.reason = Error  (2026-11-30T15:33:50Z)
    restarts: status.containerStatuses[name="app"].restartCount = 6
    log app (previous) 2026-11-30T15:33:50.203688451Z: FATAL: could not connect to database: connection refused
    log app (previous) 2026-11-30T15:33:47.201615677Z: payments v2.3.1 starting (instance 1796052827)
    log app (previous) 2026-11-30T15:33:47.201671010Z: connecting to database db.payments.svc:5432
  Next:
    Open the previous logs of app: kubectl logs -n demo crashloop -c app --previous
    Debug a copy of the pod with app's command replaced by sleep: kubectl debug -n demo crashloop -it --copy-to=crashloop-debug --container=app -- sh
`,
    );
  });

  test('colour only when asked', () => {
    assert.doesNotMatch(podReport(crash, { color: false }), /\u001b/);
    assert.match(podReport(crash, { color: true }), /\u001b\[31m✖\u001b\[0m/);
  });

  test('a healthy pod says so', () => {
    const d = diagnosePod(diagnosisFixture('healthy-web'));
    assert.match(
      podReport(d, { color: false }),
      /^demo\/web-\S+ — Running\n✔ No problems found: its container is running and ready\.\n$/,
    );
  });

  test('events and gaps', () => {
    const d = diagnosePod(diagnosisFixture('unhealthy', { forbid: ['events'] }));
    assert.match(
      podReport(d, { color: false }),
      /\n {2}Could not read: The pod's events could not be read: Kubernetes RBAC does not allow this/,
    );
    const ev = podReport(diagnosePod(diagnosisFixture('unhealthy')), { color: false });
    assert.match(
      ev,
      /event Normal Killing ×6 \(last 2026-11-30T15:30:52Z\) on Pod\/unhealthy spec\.containers\{app\}: Container app failed liveness probe, will be restarted/,
    );
    // A multi-line probe output stays on one line.
    assert.match(ev, /No such file or directory\n/);
  });

  test("a namespace: groups with their pods, then each problem pod's sentence", () => {
    const n = namespaceDiagnosis(
      'demo',
      [crash, diagnosePod(diagnosisFixture('healthy-web')), diagnosePod(diagnosisFixture('imagepull'))],
      [],
      new Date('2026-11-30T16:00:00Z'),
    );
    const text = namespaceReport(n, { color: false });
    assert.match(text, /^demo: 3 pods, 2 with problems\n/);
    assert.match(
      text,
      /\n✖ 1 pod cannot pull podscope\.local\/reports-does-not-exist:9\.9 — the registry host podscope\.local does not resolve \(DNS\): imagepull {2}\[image-pull\.registry-unreachable\]\n/,
    );
    assert.match(text, /\ncrashloop — CrashLoopBackOff\n {2}Container "app" keeps crashing/);
  });

  test('text from the cluster cannot drive the terminal', () => {
    assert.equal(safe('a\u001b]0;pwned\u0007b'), 'a\\x1b]0;pwned\\x07b');
  });

  test('kubectl equivalents', () => {
    assert.equal(
      kubectlFor({ action: 'events', label: '' }, 'demo', 'p'),
      'kubectl events -n demo --for pod/p',
    );
    assert.equal(
      kubectlFor({ action: 'terminal', label: '', container: 'c' }, 'demo', 'p'),
      'kubectl exec -n demo -it p -c c -- sh',
    );
    assert.equal(
      kubectlFor({ action: 'pod', label: '', pod: 'q' }, 'demo', 'p'),
      'podscope diagnose -n demo q',
    );
  });
});
