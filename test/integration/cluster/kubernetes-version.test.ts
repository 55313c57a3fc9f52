// What differs between Kubernetes versions where Podscope lives, checked on the running cluster
// (`npm run test:versions` runs this file on every supported version): the version Podscope reads
// and reports, and both exec subprotocols against the real API server.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openExec, type ExecConnection } from '../../../src/server/exec/exec-connection.js';
import { KubeconfigClusterRegistry } from '../../../src/server/kube/cluster-registry.js';
import type { ClusterInfo } from '../../../src/shared/api.js';
import {
  EXEC_PROTOCOL_V4,
  EXEC_PROTOCOL_V5,
  type ExecProtocol,
  type ExecStatus,
} from '../../../src/shared/exec/channel.js';
import {
  APP_IMAGE,
  adminKubeconfig,
  kubectl,
  kubectlOk,
  serverVersion,
  uniqueName,
  waitFor,
} from '../../support/cluster.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../../support/podscope.js';
import { createPod, waitPodRunning } from '../terminal/test-pods.js';

const ns = uniqueName('kver');
let pod: string;
let podscope: RunningPodscope;
const registry = new KubeconfigClusterRegistry({ kubeconfig: adminKubeconfig });

before(async () => {
  await kubectlOk(['create', 'namespace', ns]);
  await kubectlOk(['label', 'namespace', ns, 'podscope-test=true']);
  pod = await createPod({ prefix: 'app', image: APP_IMAGE, namespace: ns });
  podscope = await startPodscope();
  await waitPodRunning(pod, ns);
});
after(async () => {
  await podscope?.close();
  registry.close();
  await kubectl(['delete', 'namespace', ns, '--wait=false']);
});

/** Runs a command offering only `protocols`; collects what each channel carried. */
async function run(protocols: ExecProtocol[], command: string[]) {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let conn: ExecConnection | undefined;
  const status = await new Promise<ExecStatus>((resolve, reject) => {
    openExec(
      registry.get(CLUSTER).client(null),
      { namespace: ns, pod, container: 'app', command, stdin: false, tty: false },
      { stdout: (d) => out.push(d), stderr: (d) => err.push(d), exit: resolve },
      protocols,
    ).then((c) => (conn = c), reject);
  });
  conn?.close();
  return {
    protocol: conn?.protocol,
    stdout: Buffer.concat(out).toString(),
    stderr: Buffer.concat(err).toString(),
    status,
  };
}

describe('Kubernetes version', () => {
  test('Podscope reads the server version and reports it supported, with no warning', async () => {
    const expected = await serverVersion();
    const cluster = await waitFor('the version check', async () => {
      const { body } = await podscope.getJson<ClusterInfo[]>('/api/clusters');
      const c = body.find((x) => x.name === CLUSTER);
      return c?.version ? c : undefined;
    });
    assert.equal(cluster.version?.gitVersion, expected.gitVersion);
    assert.equal(cluster.version?.state, 'supported', JSON.stringify(cluster.version));
    assert.equal(cluster.version?.warning, null);
  });

  test('exec negotiates v5.channel.k8s.io when offered (stdout, stderr and exit code apart)', async () => {
    const r = await run(
      [EXEC_PROTOCOL_V5, EXEC_PROTOCOL_V4],
      ['sh', '-c', 'printf out; printf err >&2; exit 3'],
    );
    assert.deepEqual(r, {
      protocol: EXEC_PROTOCOL_V5,
      stdout: 'out',
      stderr: 'err',
      status: { kind: 'exit', code: 3 },
    });
  });

  test('the v4 fallback works against this API server when a client offers only v4', async () => {
    const r = await run([EXEC_PROTOCOL_V4], ['sh', '-c', 'printf out; printf err >&2; exit 3']);
    assert.deepEqual(r, {
      protocol: EXEC_PROTOCOL_V4,
      stdout: 'out',
      stderr: 'err',
      status: { kind: 'exit', code: 3 },
    });
    const ok = await run([EXEC_PROTOCOL_V4], ['true']);
    assert.deepEqual(ok.status, { kind: 'success' });
  });
});
