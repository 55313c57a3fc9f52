// Kubernetes RBAC decides who may open a terminal, and Podscope reports its refusal as a refusal.
// Kubernetes 1.35 made a WebSocket exec need `create` on pods/exec (before, the upgrade's GET was
// checked as `get`), so a user with only `get pods/exec` is refused on every supported version.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SqliteAuditStore } from '../../../src/server/audit/sqlite-audit-store.js';
import { parseServerVersion } from '../../../src/shared/kube-version/version-support.js';
import {
  APP_IMAGE,
  kubectl,
  kubectlOk,
  serverVersion,
  serviceAccountKubeconfig,
  uniqueName,
} from '../../support/cluster.js';
import { startPodscope, type RunningPodscope } from '../../support/podscope.js';
import { TerminalClient, terminalUrl } from './terminal-client.js';
import { createPod, waitPodRunning } from './test-pods.js';

const ns = uniqueName('rbac');
const dir = mkdtempSync(path.join(tmpdir(), 'podscope-rbac-'));
let pod: string;
const instances: RunningPodscope[] = [];
const stores: SqliteAuditStore[] = [];

/** A ServiceAccount that may read pods and logs, plus the given verbs on pods/exec. */
async function accountWith(name: string, execVerbs: string[]): Promise<string> {
  const rules = [
    { apiGroups: [''], resources: ['pods', 'namespaces'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
    { apiGroups: [''], resources: ['pods/exec'], verbs: execVerbs },
  ];
  const manifest = {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: ns }, rules },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name, namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
      },
    ],
  };
  const r = await kubectl(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
  if (r.code !== 0) throw new Error(r.stderr);
  return serviceAccountKubeconfig(ns, name, path.join(dir, `${name}.kubeconfig`));
}

async function podscopeAs(kubeconfig: string) {
  const audit = new SqliteAuditStore(path.join(dir, `${instances.length}.db`));
  const podscope = await startPodscope({ kubeconfig, audit });
  instances.push(podscope);
  stores.push(audit);
  return { podscope, audit };
}

before(async () => {
  await kubectlOk(['create', 'namespace', ns]);
  await kubectlOk(['label', 'namespace', ns, 'podscope-test=true']);
  pod = await createPod({ prefix: 'app', image: APP_IMAGE, namespace: ns });
  await waitPodRunning(pod, ns);
});
after(async () => {
  for (const p of instances) await p.close();
  for (const s of stores) await s.close();
  await kubectl(['delete', 'namespace', ns, '--wait=false']);
  rmSync(dir, { recursive: true, force: true });
});

describe('terminal and Kubernetes RBAC', () => {
  test('the running cluster is 1.35 or newer (where WebSocket exec is authorized as create)', async () => {
    const v = parseServerVersion(await serverVersion());
    assert.ok(v && (v.major > 1 || v.minor >= 35), `server version ${JSON.stringify(v)}`);
  });

  test('1.35+: a user with only `get` on pods/exec is refused a terminal, and the refusal is audited', async () => {
    const { podscope, audit } = await podscopeAs(await accountWith('exec-get-only', ['get']));
    const t = new TerminalClient(terminalUrl(podscope.wsUrl, ns, pod), podscope.headers);
    const err = await t.error();
    assert.ok(err, `an error message before the close; got ${JSON.stringify(t.messages)}`);
    assert.equal(err.status, 403);
    // The API server's own message stops after "is forbidden: " on this path; Podscope completes it.
    assert.match(err.message, /is forbidden: your account may not create "pods\/exec"/);
    assert.equal(t.message('ready'), undefined, 'no session started');
    const { sessions } = await audit.listSessions();
    assert.equal(sessions.length, 1, JSON.stringify(sessions));
    const s = sessions[0]!;
    assert.equal(s.kind, 'exec');
    assert.equal(s.outcome?.['result'], 'refused');
    assert.match(String(s.outcome?.['reason']), /pods\/exec/);
    assert.match(s.identity.user, /exec-get-only/);
    assert.notEqual(s.endedAt, null);
  });

  test('the same user with `create` on pods/exec gets a shell (the refusal above was RBAC, not the pod)', async () => {
    const { podscope } = await podscopeAs(await accountWith('exec-create', ['get', 'create']));
    const t = new TerminalClient(terminalUrl(podscope.wsUrl, ns, pod), podscope.headers);
    await t.ready();
    t.type('echo "ok-$((40 + 2))"\r');
    await t.outputMatches(/ok-42/);
    t.type('exit\r');
    await t.closed;
  });
});
