// Podscope's container output is byte-identical to `kubectl logs` for the same parameters.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { V1PodList } from '@kubernetes/client-node';
import { getJson, kubectl, waitFor } from '../../support/cluster.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../../support/podscope.js';

let podscope: RunningPodscope;
before(async () => {
  podscope = await startPodscope();
});
after(() => podscope.close());

async function podscopeLogs(pod: string, params: Record<string, string>): Promise<Buffer> {
  const qs = new URLSearchParams(params).toString();
  const res = await podscope.fetch(`/api/clusters/${CLUSTER}/namespaces/demo/pods/${pod}/logs?${qs}`);
  assert.equal(res.status, 200, await res.clone().text());
  return Buffer.from(await res.arrayBuffer());
}

async function kubectlLogs(pod: string, args: string[]): Promise<Buffer> {
  const r = await kubectl(['-n', 'demo', 'logs', pod, ...args]);
  assert.equal(r.code, 0, r.stderr);
  return Buffer.from(r.stdout, 'utf8');
}

async function jobPod(): Promise<string> {
  return waitFor('completed migrate pod', async () => {
    const list = await getJson<V1PodList>(['-n', 'demo', 'get', 'pods', '-l', 'app=migrate']);
    return list.items.find((p) => p.status?.phase === 'Succeeded')?.metadata?.name;
  });
}

// [Podscope query, equivalent kubectl flags]
const cases: [string, Record<string, string>, string[]][] = [
  ['whole log', {}, []],
  ['with timestamps', { timestamps: 'true' }, ['--timestamps']],
  ['tail 2', { tailLines: '2' }, ['--tail=2']],
  ['tail 3 with timestamps', { tailLines: '3', timestamps: 'true' }, ['--tail=3', '--timestamps']],
  ['tail 0', { tailLines: '0' }, ['--tail=0']],
];

describe('logs are byte-identical to kubectl logs', () => {
  for (const [name, params, flags] of cases) {
    test(`completed Job pod: ${name}`, async () => {
      const pod = await jobPod();
      const ours = await podscopeLogs(pod, params);
      const theirs = await kubectlLogs(pod, flags);
      assert.ok(theirs.length > 0 || params.tailLines === '0');
      assert.deepEqual(ours, theirs);
    });
  }

  test('init container of a multi-container pod, with timestamps', async () => {
    const ours = await podscopeLogs('multi', { container: 'init-config', timestamps: 'true' });
    const theirs = await kubectlLogs('multi', ['-c', 'init-config', '--timestamps']);
    assert.match(theirs.toString(), /rendering config/);
    assert.deepEqual(ours, theirs);
  });

  test('previous instance of the crash-looping container', async () => {
    // For 10+ s after each crash, kubectl --previous prints the kubelet's "unable to retrieve container
    // logs for …" (Podscope shows the instance that crashed then: previous.test.ts), so compare outside
    // that window; and retry if a restart falls between the two reads.
    await waitFor(
      'identical previous logs',
      async () => {
        const theirs = await kubectlLogs('crashloop', ['--previous', '--timestamps']);
        if (theirs.toString().startsWith('unable to retrieve container logs')) return undefined;
        const ours = await podscopeLogs('crashloop', { previous: 'true', timestamps: 'true' });
        return ours.equals(theirs) ? true : undefined;
      },
      90_000,
      500,
    );
    const ours = await podscopeLogs('crashloop', { previous: 'true' });
    assert.match(ours.toString(), /FATAL: could not connect to database/);
  });

  test('multi-byte UTF-8 and ANSI bytes pass through untouched', async () => {
    const list = await getJson<V1PodList>(['-n', 'demo', 'get', 'pods', '-l', 'app=web']);
    const pod = list.items[0]!.metadata!.name!;
    // A live pod's log grows between two reads, so compare a window fixed in the past.
    const theirs = await kubectlLogs(pod, ['--timestamps', '--tail=40']);
    const lines = theirs.toString().trimEnd().split('\n');
    const firstTs = lines[0]!.split(' ')[0]!;
    const ours = await podscopeLogs(pod, { timestamps: 'true', sinceTime: firstTs.replace(/\.\d+Z$/, 'Z') });
    const ourText = ours.toString();
    // Every line kubectl returned (but the most recent, which may be mid-write) appears byte-identical.
    for (const line of lines.slice(0, -1)) assert.ok(ourText.includes(`${line}\n`), `missing: ${line}`);
    assert.match(ourText, /Zoë Ångström/);
    assert.ok(ours.includes(Buffer.from('\u001b[32mINFO\u001b[0m')));
  });

  test('download sets an attachment filename and honours timestamps', async () => {
    const pod = await jobPod();
    const res = await podscope.fetch(
      `/api/clusters/${CLUSTER}/namespaces/demo/pods/${pod}/logs?download=true&timestamps=true`,
    );
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-disposition'), `attachment; filename="${pod}_migrate.log"`);
    assert.match(await res.text(), /^\d{4}-\d\d-\d\dT[\d:.]+Z applying migration 001$/m);
  });
});
