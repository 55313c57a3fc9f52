// Every demo workload, diagnosed through the API against the real cluster: the finding Podscope must come
// to, and the evidence it rests on — checked against what kubectl reads from the same cluster.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import type {
  Evidence,
  Finding,
  NamespaceDiagnosis,
  PodDiagnosis,
} from '../../../src/shared/diagnosis/types.js';
import { getJson, kubectlOk, waitFor } from '../../support/cluster.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../../support/podscope.js';

let podscope: RunningPodscope;
before(async () => {
  podscope = await startPodscope();
});
after(() => podscope.close());

const base = `/api/clusters/${CLUSTER}/namespaces/demo`;

async function diagnose(pod: string): Promise<PodDiagnosis> {
  const r = await podscope.getJson<PodDiagnosis>(`${base}/pods/${pod}/diagnosis`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

/** Diagnoses until the first finding is `id` (demo pods cycle through states: crash, back-off, running…). */
async function diagnosedAs(
  pod: string,
  id: string,
  ready: (f: Finding) => boolean = () => true,
): Promise<Finding> {
  return waitFor(
    `${pod} diagnosed as ${id}`,
    async () => {
      const d = await diagnose(pod);
      const f = d.findings[0];
      return f && f.id === id && ready(f) && d.headline === f.summary ? f : undefined;
    },
    180_000,
    2000,
  );
}

const field = (f: Finding, end: string) =>
  f.evidence.find(
    (e): e is Extract<Evidence, { kind: 'field' }> => e.kind === 'field' && e.path.endsWith(end),
  );
const hasLog = (f: Finding, re: RegExp) => f.evidence.some((e) => e.kind === 'log' && re.test(e.text));
const hasEvent = (f: Finding, reason: string, re: RegExp) =>
  f.evidence.some((e) => e.kind === 'event' && e.reason === reason && re.test(e.message));

describe('demo workloads', () => {
  test('crashloop: a crash loop, exit code 1 as kubectl reads it, the FATAL line quoted', async () => {
    const f = await diagnosedAs('crashloop', 'crash-loop', (x) => hasLog(x, /FATAL/));
    assert.match(
      f.summary,
      /^Container "app" keeps crashing: it exits with code 1 \(a general error reported by the program itself\) after \d+ s \("FATAL: could not connect to database: connection refused"\); it has restarted \d+ times?\.$/,
    );
    const pod = await getJson<V1Pod>(['-n', 'demo', 'get', 'pod', 'crashloop']);
    const status = pod.status!.containerStatuses![0]!;
    const ended = status.state?.terminated ?? status.lastState?.terminated;
    assert.equal(field(f, '.exitCode')!.value, String(ended?.exitCode));
    assert.deepEqual(f.nextSteps[0], {
      action: 'logs',
      label: `Open the ${field(f, '.exitCode')!.path.includes('lastState') ? 'previous ' : ''}logs of app`,
      container: 'app',
      previous: field(f, '.exitCode')!.path.includes('lastState'),
      search: 'FATAL: could not connect to database: connection refused',
    });
  });

  test('oomkilled: OOMKilled at its 24Mi limit, exit code 137', async () => {
    const f = await diagnosedAs('oomkilled', 'oom-killed');
    assert.equal(field(f, 'resources.limits.memory')!.value, '24Mi');
    assert.equal(field(f, '.exitCode')!.value, '137');
    assert.match(
      f.summary,
      /^Container "app" is killed for using more memory than its limit of 24Mi \(OOMKilled, exit code 137\)/,
    );
  });

  test('unhealthy: killed by its liveness probe, with the probe and its output', async () => {
    const f = await diagnosedAs('unhealthy', 'killed-by-liveness-probe');
    assert.match(
      f.summary,
      /^Container "app" is killed by its liveness probe \(exec cat \/tmp\/alive: "cat: can't open '\/tmp\/alive': No such file or directory"\)/,
    );
    assert.ok(hasEvent(f, 'Killing', /^Container app failed liveness probe, will be restarted$/));
    assert.ok(hasEvent(f, 'Unhealthy', /^Liveness probe failed: /));
    assert.equal(
      field(f, '.livenessProbe')!.value,
      'exec cat /tmp/alive; initialDelaySeconds 0, periodSeconds 5, timeoutSeconds 1, failureThreshold 2',
    );
  });

  test('imagepull: the registry host does not resolve', async () => {
    const f = await diagnosedAs('imagepull', 'image-pull.registry-unreachable');
    assert.equal(
      f.summary,
      'Container "app" cannot start: its image podscope.local/reports-does-not-exist:9.9 cannot be pulled — the registry host podscope.local does not resolve (DNS).',
    );
    assert.equal(field(f, '.image')!.value, 'podscope.local/reports-does-not-exist:9.9');
  });

  test('pending: no node has 64 CPUs to give, as the scheduler said', async () => {
    const f = await diagnosedAs('pending', 'unschedulable');
    assert.equal(
      f.summary,
      'The pod cannot be scheduled: the node has too little unrequested cpu left for its request of 64 CPUs.',
    );
    assert.equal(field(f, 'resources.requests.cpu')!.value, '64');
    const condition = field(f, 'status.conditions[type="PodScheduled"].message')!;
    assert.match(condition.value, /^0\/1 nodes are available: 1 Insufficient cpu\./);
  });

  test('configerror: the missing ConfigMap and the env that reads it', async () => {
    const f = await diagnosedAs('configerror', 'config.missing-configmap');
    assert.equal(
      f.summary,
      'Container "app" cannot be created: ConfigMap "billing-settings", which env DATABASE_URL reads, does not exist in namespace demo.',
    );
    assert.equal(
      field(f, 'configMapKeyRef')!.path,
      'spec.containers[name="app"].env[name="DATABASE_URL"].valueFrom.configMapKeyRef',
    );
  });

  test('healthy workloads are healthy', async () => {
    const web = JSON.parse(await kubectlOk(['-n', 'demo', 'get', 'pods', '-l', 'app=web', '-o', 'json'])) as {
      items: V1Pod[];
    };
    const migrate = JSON.parse(
      await kubectlOk(['-n', 'demo', 'get', 'pods', '-l', 'app=migrate', '-o', 'json']),
    ) as { items: V1Pod[] };
    for (const pod of [
      'multi',
      'noshell',
      web.items[0]!.metadata!.name!,
      migrate.items[0]!.metadata!.name!,
    ]) {
      const d = await waitFor(`${pod} healthy`, async () => {
        const x = await diagnose(pod);
        return x.healthy ? x : undefined;
      });
      assert.deepEqual(
        d.findings.filter((f) => f.severity !== 'info'),
        [],
        pod,
      );
    }
  });
});

describe('the demo namespace at a glance', () => {
  test('problem pods grouped by cause; healthy ones counted, not listed', async () => {
    const r = await podscope.getJson<NamespaceDiagnosis>(`${base}/diagnosis`);
    assert.equal(r.status, 200);
    const n = r.body;
    const group = (id: string) => n.groups.find((g) => g.id === id);
    assert.deepEqual(group('image-pull.registry-unreachable')?.pods, ['imagepull']);
    assert.deepEqual(group('config.missing-configmap')?.pods, ['configerror']);
    assert.deepEqual(group('unschedulable')?.pods.includes('pending'), true);
    assert.equal(
      group('config.missing-configmap')?.sentence,
      '1 pod cannot be created: ConfigMap "billing-settings" does not exist',
    );
    assert.ok(!n.groups.some((g) => g.pods.includes('multi')));
    assert.ok(n.pods >= 10 && n.problemPods >= 6, `${n.problemPods} of ${n.pods}`);
  });
});
