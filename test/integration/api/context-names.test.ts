// Kubeconfig context names that are not DNS names (EKS names contexts after ARNs with ':' and '/')
// work as cluster names in every URL.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import type { ClusterInfo, PodSummary } from '../../../src/shared/api.js';
import { adminKubeconfig } from '../../support/cluster.js';
import { startPodscope, type RunningPodscope } from '../../support/podscope.js';

const ARN = 'arn:aws:eks:eu-west-1:123456789012:cluster/demo';
let podscope: RunningPodscope;

before(async () => {
  const kc = new KubeConfig();
  kc.loadFromFile(adminKubeconfig);
  const raw = JSON.parse(kc.exportConfig()) as { contexts: { name: string; context: unknown }[] };
  raw.contexts.push({ name: ARN, context: raw.contexts[0]!.context });
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'podscope-arn-')), 'kubeconfig');
  writeFileSync(file, JSON.stringify(raw));
  podscope = await startPodscope({ kubeconfig: file });
});
after(() => podscope.close());

test('an ARN-named context is listed and usable, percent-encoded in the path', async () => {
  const clusters = (await podscope.getJson<ClusterInfo[]>(`/api/clusters`)).body;
  assert.ok(clusters.some((c) => c.name === ARN));
  const r = await podscope.getJson<PodSummary[]>(
    `/api/clusters/${encodeURIComponent(ARN)}/namespaces/demo/pods`,
  );
  assert.equal(r.status, 200);
  assert.ok(r.body.some((p) => p.name === 'crashloop'));
});
