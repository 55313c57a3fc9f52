// Records what Podscope's diagnosis reads about a pod — the pod, its events (and those of its owners and
// claims), its owner chain, the claims it mounts, the pods of a stuck rollout, and the log excerpts of
// `logPlan` — from the real cluster with kubectl, as a JSON fixture for the rules' unit tests
// (test/fixtures/diagnosis). Managed fields are dropped; nothing else is changed.
//
//   PODSCOPE_CLUSTER_DIR=… npx tsx scripts/record-diagnosis-fixture.ts NAMESPACE POD OUT.json "what it shows"
import { writeFileSync } from 'node:fs';
import { kubectl, kubectlOk } from '../test/support/cluster.js';
import {
  claimNames,
  controllerRef,
  LOG_LIMIT_BYTES,
  LOG_TAIL_LINES,
  logPlan,
  MAX_OWNER_DEPTH,
} from '../src/shared/diagnosis/inputs.js';
import { stuckReplicaSetName } from '../src/shared/diagnosis/owners.js';
import { asArray, asRecord, isRecord } from '../src/shared/validation/json.js';

const [namespace, podName, out, description] = process.argv.slice(2);
if (!namespace || !podName || !out) {
  console.error('usage: record-diagnosis-fixture.ts NAMESPACE POD OUT.json [DESCRIPTION]');
  process.exit(2);
}

const get = async (args: string[]): Promise<unknown> =>
  strip(JSON.parse(await kubectlOk(['-n', namespace, 'get', ...args, '-o', 'json'])));

function strip(value: unknown): unknown {
  const o = asRecord(value);
  const metadata = asRecord(o['metadata']);
  if (isRecord(o['metadata'])) {
    delete metadata['managedFields'];
    if (isRecord(metadata['annotations'])) {
      const annotations = metadata['annotations'];
      delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
      if (Object.keys(annotations).length === 0) delete metadata['annotations'];
    }
  }
  if (Array.isArray(o['items'])) o['items'] = o['items'].map(strip);
  return value;
}

async function eventsAbout(kind: string, name: string): Promise<unknown[]> {
  const list = await get([
    'events',
    '--field-selector',
    `involvedObject.kind=${kind},involvedObject.name=${name}`,
  ]);
  return asArray(asRecord(list)['items']);
}

const pod = await get(['pod', podName]);
const events = await eventsAbout('Pod', podName);

const owners: { kind: string; name: string; object: unknown }[] = [];
let ref = controllerRef(pod);
while (ref && owners.length < MAX_OWNER_DEPTH) {
  const object = await get([
    `${ref.kind.toLowerCase()}.${ref.kind === 'Job' || ref.kind === 'CronJob' ? 'batch' : 'apps'}`,
    ref.name,
  ]);
  owners.push({ ...ref, object });
  events.push(...(await eventsAbout(ref.kind, ref.name)));
  ref = controllerRef(object);
}

const claims: unknown[] = [];
for (const name of claimNames(pod)) {
  const r = await kubectl(['-n', namespace, 'get', 'pvc', name, '-o', 'json']);
  if (r.code === 0) claims.push(strip(JSON.parse(r.stdout)));
  events.push(...(await eventsAbout('PersistentVolumeClaim', name)));
}

let rolloutPods: unknown[] = [];
const deployment = owners.find((o) => o.kind === 'Deployment');
const stuck = deployment ? stuckReplicaSetName(deployment.object) : null;
if (stuck) {
  const rs = asRecord(await get(['replicaset.apps', stuck]));
  const labels = asRecord(asRecord(asRecord(rs['spec'])['selector'])['matchLabels']);
  const selector = Object.entries(labels)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');
  rolloutPods = asArray(asRecord(await get(['pods', '-l', selector]))['items']);
}

const logs = [];
for (const { container, previous } of logPlan(pod)) {
  const r = await kubectl([
    '-n',
    namespace,
    'logs',
    podName,
    '-c',
    container,
    `--previous=${previous}`,
    '--timestamps',
    `--tail=${LOG_TAIL_LINES}`,
    `--limit-bytes=${LOG_LIMIT_BYTES}`,
  ]);
  logs.push(
    r.code === 0 ? { container, previous, text: r.stdout } : { container, previous, error: r.stderr.trim() },
  );
}

const version = asRecord(JSON.parse(await kubectlOk(['version', '-o', 'json'])));
const fixture = {
  description: description ?? '',
  recordedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  kubernetesVersion: asRecord(version['serverVersion'])['gitVersion'],
  pod,
  events,
  owners,
  claims,
  rolloutPods,
  logs,
};
writeFileSync(out, `${JSON.stringify(fixture, null, 2)}\n`);
console.log(`${out}: ${events.length} events, ${owners.length} owners, ${logs.length} log excerpts`);
