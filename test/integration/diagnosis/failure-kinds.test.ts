// The failure kinds the demo namespace gained for the diagnosis (cluster/demo/27…34), applied to a
// namespace of this test's own so nothing else sees them, and diagnosed through the API: the finding id
// and the evidence each must rest on. Then the same pods as a user who may read pods but not their events
// or output: the findings that the status alone supports, and the missing evidence named with the reason.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type {
  Evidence,
  Finding,
  NamespaceDiagnosis,
  PodDiagnosis,
} from '../../../src/shared/diagnosis/types.js';
import {
  APP_IMAGE,
  kubectl,
  kubectlOk,
  nobodyKubeconfig,
  repoRoot,
  uniqueName,
  waitFor,
} from '../../support/cluster.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../../support/podscope.js';

const ns = uniqueName('diag');
const DEMO_FILES = [
  '27-badcommand.yaml',
  '28-missingkey.yaml',
  '29-initcrash.yaml',
  '31-nodeselector.yaml',
  '32-unboundpvc.yaml',
  '33-job-backoff.yaml',
  '34-stuck-rollout.yaml',
];

let admin: RunningPodscope;
let nobody: RunningPodscope;

before(async () => {
  await kubectlOk(['create', 'namespace', ns]);
  const manifests = DEMO_FILES.map((f) =>
    readFileSync(path.join(repoRoot, 'cluster/demo', f), 'utf8').replace(
      /namespace: demo$/gm,
      `namespace: ${ns}`,
    ),
  ).join('\n---\n');
  // And one the demo has only between restarts (unhealthy): a running container whose readiness fails.
  const notReady = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'notready', namespace: ns },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [
        {
          name: 'app',
          image: APP_IMAGE,
          imagePullPolicy: 'Never',
          command: ['sh', '-c', 'echo "api listening on :9090"; sleep 3600'],
          readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 2 },
        },
      ],
    },
  };
  const r = await kubectl(['apply', '-f', '-'], { input: `${manifests}\n---\n${JSON.stringify(notReady)}` });
  assert.equal(r.code, 0, r.stderr);
  // The no-rights user may read pods in this namespace only (not their events, output or owners).
  const rbac = {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'pod-reader', namespace: ns },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'nobody-reads-pods', namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'podscope-nobody' }],
      },
    ],
  };
  const b = await kubectl(['apply', '-f', '-'], { input: JSON.stringify(rbac) });
  assert.equal(b.code, 0, b.stderr);
  admin = await startPodscope();
  nobody = await startPodscope({ kubeconfig: nobodyKubeconfig });
});

after(async () => {
  await admin?.close();
  await nobody?.close();
  await kubectl(['delete', 'namespace', ns, '--wait=false']);
});

const base = () => `/api/clusters/${CLUSTER}/namespaces/${ns}`;

async function diagnose(as: RunningPodscope, pod: string): Promise<PodDiagnosis> {
  const r = await as.getJson<PodDiagnosis>(`${base()}/pods/${pod}/diagnosis`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

/** Diagnoses until the findings match (pods take a while to reach their state: back-offs, deadlines). */
function until(
  pod: string | (() => Promise<string>),
  what: string,
  ok: (d: PodDiagnosis) => boolean,
  as = () => admin,
) {
  return waitFor(
    `${typeof pod === 'string' ? pod : 'pod'}: ${what}`,
    async () => {
      const name = typeof pod === 'string' ? pod : await pod();
      const d = await diagnose(as(), name);
      return ok(d) ? d : undefined;
    },
    240_000,
    2000,
  );
}

const ids = (d: PodDiagnosis) => d.findings.map((f) => f.id);
const find = (d: PodDiagnosis, id: string): Finding => d.findings.find((f) => f.id === id)!;
const field = (f: Finding, end: string) =>
  f.evidence.find(
    (e): e is Extract<Evidence, { kind: 'field' }> => e.kind === 'field' && e.path.endsWith(end),
  );

async function podOf(label: string): Promise<string> {
  const out = await kubectlOk([
    '-n',
    ns,
    'get',
    'pods',
    '-l',
    label,
    '-o',
    'jsonpath={.items[*].metadata.name}',
  ]);
  const first = out.split(' ').filter(Boolean).sort()[0];
  if (!first) throw new Error(`no pod with ${label} yet`);
  return first;
}

describe('failure kinds', () => {
  test('a command that does not exist in the image: start error, with the command field', async () => {
    const d = await until(
      'badcommand',
      'start-error.command-not-found',
      (x) => ids(x)[0] === 'start-error.command-not-found',
    );
    const f = d.findings[0]!;
    assert.match(f.summary, /^Container "app" cannot (start|be started by the runtime): /);
    assert.match(f.summary, /\/usr\/local\/bin\/notifier/);
    assert.ok(f.nextSteps.some((s) => s.action === 'debug-copy' || s.action === 'events'));
  });

  test('a Secret without the key the env reads', async () => {
    const d = await until('missingkey', 'config.missing-key', (x) => ids(x)[0] === 'config.missing-key');
    assert.equal(
      d.headline,
      'Container "app" cannot be created: Secret "ledger-db" has no key "password", which env DB_PASSWORD reads.',
    );
    assert.equal(
      field(d.findings[0]!, 'secretKeyRef')!.path,
      'spec.containers[name="app"].env[name="DB_PASSWORD"].valueFrom.secretKeyRef',
    );
  });

  test('an init container that fails: exit code 2 and its error line', async () => {
    const d = await until(
      'initcrash',
      'init-crash-loop with its output',
      (x) =>
        ids(x)[0] === 'init-crash-loop' &&
        x.findings[0]!.evidence.some((e) => e.kind === 'log' && /^ERROR: schema version 41/.test(e.text)),
    );
    const f = d.findings[0]!;
    assert.deepEqual(f.container, { name: 'wait-for-schema', role: 'init' });
    assert.match(
      f.summary,
      /^Init container "wait-for-schema" keeps failing: it exits with code 2 .*\("ERROR: schema version 41 is older than the required 42; run the migrations first"\), so the app containers cannot start/,
    );
  });

  test('a node selector no node matches', async () => {
    const d = await until('nodeselector', 'unschedulable', (x) => ids(x)[0] === 'unschedulable');
    assert.equal(
      d.headline,
      'The pod cannot be scheduled: the node does not match its node selector disktype=ssd.',
    );
    assert.deepEqual(field(d.findings[0]!, 'spec.nodeSelector')?.value, '{"disktype":"ssd"}');
  });

  test('an unbound claim: named, with why the claim is not bound', async () => {
    const d = await until(
      'unboundpvc',
      'unschedulable with the claim event',
      (x) =>
        ids(x)[0] === 'unschedulable' &&
        x.findings[0]!.evidence.some((e) => e.kind === 'event' && e.reason === 'ProvisioningFailed'),
    );
    assert.equal(
      d.headline,
      'The pod cannot be scheduled: its PersistentVolumeClaim "uploads" is not bound (Pending: storageclass.storage.k8s.io "fast-ssd" not found).',
    );
  });

  test("a Job over its backoff limit: the pod's failure, then the Job that gave up", async () => {
    const d = await until(
      () => podOf('app=nightly-report'),
      'container-failed then job-failed',
      (x) => ids(x).join() === 'container-failed,job-failed',
    );
    assert.match(
      d.headline,
      /^Container "report" failed: it exited with code 3 .*\("ERROR: template \/templates\/sales\.tmpl not found"\)/,
    );
    const job = find(d, 'job-failed');
    assert.equal(
      job.summary,
      'Job "nightly-report" has given up (BackoffLimitExceeded): its pods failed 2 times, more than its backoffLimit of 1 allows; it starts no new pod, and this pod is one of the failed ones.',
    );
  });

  test('a stuck rollout: the crash (exit 127, command not found) and the Deployment past its deadline', async () => {
    const d = await until(
      () => podOf('app=checkout'),
      'crash-loop then rollout-stuck',
      (x) =>
        ids(x).join() === 'crash-loop,rollout-stuck' &&
        x.findings[0]!.evidence.some((e) => e.kind === 'log' && /not found/.test(e.text)),
    );
    assert.match(
      d.headline,
      /^Container "app" keeps crashing: it exits with code 127 \(command not found by the shell\)/,
    );
    assert.match(
      find(d, 'rollout-stuck').summary,
      /^The rollout of Deployment "checkout" is stuck: no progress for 30 s \(ProgressDeadlineExceeded\), and this pod belongs to the new ReplicaSet "checkout-[a-z0-9]+", which has 0 of 1 pod ready\.$/,
    );
  });

  test('a running container whose readiness probe fails: the probe, and what it got back', async () => {
    const d = await until('notready', 'readiness-failing', (x) => ids(x)[0] === 'readiness-failing');
    assert.match(
      d.headline,
      /^Container "app" runs but is not ready: its readiness probe \(HTTP GET \/ready on port 8080\) fails — connection refused \(nothing listens on [\d.]+:8080\) — and has failed \d+ times? \(the last \d+ s ago\), so the pod gets no Service traffic\.$/,
    );
    const f = d.findings[0]!;
    assert.equal(f.severity, 'warning');
    assert.ok(f.evidence.some((e) => e.kind === 'event' && e.reason === 'Unhealthy'));
  });

  test('the namespace: one group per cause, each naming its pods', async () => {
    const n = await waitFor(
      'all causes present',
      async () => {
        const r = await admin.getJson<NamespaceDiagnosis>(`${base()}/diagnosis`);
        const got = new Set<string>(r.body.groups.map((g) => g.id));
        return [
          'config.missing-key',
          'init-crash-loop',
          'unschedulable',
          'job-failed',
          'rollout-stuck',
        ].every((id) => got.has(id))
          ? r.body
          : undefined;
      },
      240_000,
      2000,
    );
    const sentences = n.groups.map((g) => g.sentence);
    assert.ok(
      sentences.includes('1 pod cannot be created: Secret "ledger-db" has no key "password"'),
      sentences.join('\n'),
    );
    assert.ok(
      sentences.includes('1 pod cannot be scheduled: node selector disktype=ssd matches no node'),
      sentences.join('\n'),
    );
    assert.ok(
      sentences.includes('2 pods failed in Job "nightly-report", which gave up (BackoffLimitExceeded)'),
      sentences.join('\n'),
    );
  });
});

describe('with least rights (may read pods, nothing else)', () => {
  test("the finding comes from the pod's status; the events and output it could not read are named with the reason", async () => {
    const d = await until(
      'initcrash',
      'init-crash-loop as the pod reader',
      (x) => ids(x)[0] === 'init-crash-loop',
      () => nobody,
    );
    const f = d.findings[0]!;
    assert.ok(!f.evidence.some((e) => e.kind === 'log' || e.kind === 'event'));
    assert.ok(
      f.gaps.some((g) =>
        /^The (previous|current) output of container "wait-for-schema" could not be read: Kubernetes RBAC does not allow this: .*cannot get resource "pods\/log"/.test(
          g,
        ),
      ),
      f.gaps.join('\n'),
    );
    assert.ok(
      f.gaps.some((g) =>
        /^The pod's events could not be read: Kubernetes RBAC does not allow this: .*cannot list resource "events"/.test(
          g,
        ),
      ),
      f.gaps.join('\n'),
    );
  });

  test("a Job's pod: its own failure stands, the Job it could not read is a gap, not a guess", async () => {
    const pod = await podOf('app=nightly-report');
    const d = await until(
      pod,
      'container-failed as the pod reader',
      (x) => ids(x)[0] === 'container-failed',
      () => nobody,
    );
    assert.deepEqual(ids(d), ['container-failed']);
    assert.ok(
      d.gaps.some((g) => g.source === 'owners' && /cannot get resource "jobs"/.test(g.reason)),
      JSON.stringify(d.gaps),
    );
  });

  test('a pod the user may not read at all is a 403 with the RBAC sentence', async () => {
    const r = await nobody.getJson<{ error: string }>(
      `/api/clusters/${CLUSTER}/namespaces/demo/pods/crashloop/diagnosis`,
    );
    assert.equal(r.status, 403);
    assert.match(
      r.body.error,
      /^Kubernetes RBAC does not allow this: pods "crashloop" is forbidden: User "podscope-nobody" cannot get resource "pods"/,
    );
  });
});
