// Single sign-on as the chart deploys it (scripts/platform/install.sh, 2 replicas, sessions in the
// local PostgreSQL, auth.mode=oidc with identityMode=impersonation): people sign in through the real
// provider via the NodePort (which picks either replica), and their calls are made by the chart's
// ServiceAccount impersonating them — which its ClusterRole allows for users and groups and nothing
// more — so their own RBAC decides: the developer lists and opens a terminal in demo, the viewer and
// the person without bindings get Kubernetes' 403 with their names.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AuthSessionView } from '../../../src/shared/api.js';
import { APP_IMAGE, kubectl, kubectlOk, uniqueName } from '../../support/cluster.js';
import { helm, installPodscope } from '../../support/helm.js';
import { oidcEnv } from '../../support/oidc.js';
import { signInWithProvider } from '../../support/oidc-login.js';
import { CLUSTER } from '../../support/podscope.js';
import { ensurePostgres, runPostgresScript, TestSchemas } from '../../support/postgres.js';
import { TerminalClient, terminalUrl } from '../terminal/terminal-client.js';
import { createPod, deletePod, waitPodRunning } from '../terminal/test-pods.js';

const ns = uniqueName('sso');
const release = 'podscope-sso';
const sa = `system:serviceaccount:${ns}:${release}`;
// A NodePort of its own, known before the install: it is in the public URL the provider sends people to.
const nodePort = 30000 + 1000 + Math.floor(Math.random() * 1700);
const base = `http://10.213.0.1:${nodePort}`;
let schemas: TestSchemas;
let pod = '';

before(async () => {
  const env = oidcEnv();
  schemas = new TestSchemas(await ensurePostgres());
  const { schema } = await schemas.fresh('sso');
  const nodeUrl = new URL((await runPostgresScript(['url', '--node'])).stdout.trim());
  nodeUrl.search = `?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  await kubectlOk(['create', 'namespace', ns]);
  await kubectlOk(['label', 'namespace', ns, 'podscope-test=true']);
  const objects = {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'oidc-ca', namespace: ns },
        data: { 'ca.crt': env.ca },
      },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'podscope-oidc', namespace: ns },
        stringData: { 'client-secret': env.clientSecret },
      },
    ],
  };
  const made = await kubectl(['apply', '-f', '-'], { input: JSON.stringify(objects) });
  assert.equal(made.code, 0, made.stderr);
  pod = await createPod({ prefix: 'sso', image: APP_IMAGE });
  const r = await installPodscope({
    namespace: ns,
    release,
    env: { PODSCOPE_DATABASE_URL: nodeUrl.toString() },
    helmArgs: [
      '--set',
      `service.type=NodePort,service.nodePort=${nodePort}`,
      '--set',
      `auth.mode=oidc,auth.publicUrl=${base},auth.oidc.issuer=${env.issuer},auth.oidc.clientId=podscope`,
      '--set',
      'auth.oidc.clientSecret.secretName=podscope-oidc,auth.oidc.ca.configMapName=oidc-ca',
    ],
  });
  assert.equal(r.code, 0, r.out);
  await waitPodRunning(pod);
});
after(async () => {
  await helm(['uninstall', release, '--namespace', ns, '--wait']);
  await kubectl(['delete', 'namespace', ns, '--wait=false']);
  if (pod) await deletePod(pod);
  await schemas?.dropAll();
});

describe('single sign-on in the cluster, as the chart installs it (impersonation)', () => {
  test('the ServiceAccount may impersonate users and groups, and nothing else of the kind', async () => {
    const can = async (verb: string, resource: string) =>
      (await kubectl(['auth', 'can-i', verb, resource, '--as', sa])).stdout.trim();
    assert.equal(await can('impersonate', 'users'), 'yes');
    assert.equal(await can('impersonate', 'groups'), 'yes');
    for (const resource of ['uids', 'userextras.authentication.k8s.io', 'serviceaccounts']) {
      assert.equal(await can('impersonate', resource), 'no', resource);
    }
  });

  test("people sign in through the provider and act as themselves: their RBAC decides, not the chart's", async () => {
    const ca = oidcEnv().ca;
    const [dana, victor, nora] = [
      await signInWithProvider(base, 'dana', ca),
      await signInWithProvider(base, 'victor', ca),
      await signInWithProvider(base, 'nora', ca),
    ];
    const me = await dana.getJson<AuthSessionView>('/api/auth/session');
    assert.equal(me.body.user?.username, 'dana@podscope.test');
    assert.deepEqual(me.body.user?.groups, ['dev-team']);
    for (let i = 0; i < 6; i++) {
      const r = await dana.fetch(`/api/clusters/${CLUSTER}/namespaces/demo/pods`);
      assert.equal(r.status, 200, `request ${i}: ${await r.clone().text()}`);
    }
    const none = await nora.getJson<{ error: string }>(`/api/clusters/${CLUSTER}/namespaces/demo/pods`);
    assert.equal(none.status, 403, JSON.stringify(none.body));
    assert.match(none.body.error, /nora@podscope\.test.* cannot list resource "pods"/);
    // The chart's ServiceAccount may list pods everywhere; victor may not outside demo.
    const elsewhere = await victor.getJson<{ error: string }>(
      `/api/clusters/${CLUSTER}/namespaces/${ns}/pods`,
    );
    assert.equal(elsewhere.status, 403, JSON.stringify(elsewhere.body));
    assert.match(elsewhere.body.error, /victor@podscope\.test/);
    // The exec WebSocket, impersonated: dana (dev-team) may, victor (viewers) may not.
    const refused = new TerminalClient(terminalUrl(base.replace(/^http/, 'ws'), 'demo', pod), {
      cookie: victor.cookie,
    });
    assert.equal((await refused.error())?.status, 403, JSON.stringify(refused.messages));
    const t = new TerminalClient(terminalUrl(base.replace(/^http/, 'ws'), 'demo', pod), {
      cookie: dana.cookie,
    });
    await t.ready();
    t.type('echo sso-in-cluster-$((6 * 7))\r');
    await t.outputMatches(/sso-in-cluster-42/);
    t.type('exit\r');
    await t.closed;
  });
});
