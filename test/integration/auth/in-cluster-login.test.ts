// Token login as the chart deploys it by default (scripts/platform/install.sh, 2 replicas, sessions in
// the local PostgreSQL): sign in on one replica's pod IP, use the session on the other, alternating 20
// times; the person's RBAC decides — not the chart's ServiceAccount, which may list every pod — and a
// terminal through the other replica is audited as the person; a logout on one ends it on both.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { APP_IMAGE, kubectl, kubectlOk, uniqueName } from '../../support/cluster.js';
import { helm, installPodscope, releasePods } from '../../support/helm.js';
import { CLUSTER } from '../../support/podscope.js';
import { ensurePostgres, runPostgresScript, TestSchemas } from '../../support/postgres.js';
import {
  EXEC_PODS,
  READ_PODS,
  serviceAccount,
  SignedInClient,
  signIn,
  tokenOf,
} from '../../support/token-login.js';
import { TerminalClient, terminalUrl } from '../terminal/terminal-client.js';
import { createPod, waitPodRunning } from '../terminal/test-pods.js';

const ns = uniqueName('inlogin');
const release = 'podscope-login';
const user = `system:serviceaccount:${ns}:person`;
let schemas: TestSchemas;
let schema = '';
let podIps: string[] = [];
let pod = '';
let demoUserCommand = '';

const replica = (i: number) => `http://${podIps[i % 2]}:7420`;

before(async () => {
  schemas = new TestSchemas(await ensurePostgres());
  schema = (await schemas.fresh('inlogin')).schema;
  // The pods reach PostgreSQL on the node IP; the schema is this test's own.
  const nodeUrl = new URL((await runPostgresScript(['url', '--node'])).stdout.trim());
  nodeUrl.search = `?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  await kubectlOk(['create', 'namespace', ns]);
  await kubectlOk(['label', 'namespace', ns, 'podscope-test=true']);
  await serviceAccount(ns, 'person', [...READ_PODS, ...EXEC_PODS]);
  pod = await createPod({ prefix: 'app', image: APP_IMAGE, namespace: ns });
  const r = await installPodscope({
    namespace: ns,
    release,
    env: { PODSCOPE_DATABASE_URL: nodeUrl.toString() },
  });
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /Open: http:\/\/10\.213\.0\.1:\d+\/c\/podscope-local\/ns\/demo\n/);
  assert.doesNotMatch(r.out, /\?token=/, 'no shared access token');
  demoUserCommand =
    /^ {2}(\S+ --kubeconfig \S+ -n demo create token podscope-demo-user .*)$/m.exec(r.out)?.[1] ?? '';
  assert.ok(demoUserCommand, r.out);
  const pods = { items: await releasePods(ns, release) };
  podIps = pods.items.map((p) => p.status!.podIP!);
  assert.equal(new Set(podIps).size, 2);
  await waitPodRunning(pod, ns);
});
after(async () => {
  await helm(['uninstall', release, '--namespace', ns, '--wait']);
  await kubectl(['delete', 'namespace', ns, '--wait=false']);
  await schemas?.dropAll();
});

describe('token login in the cluster, as the chart installs it', () => {
  test('signed in on one replica, 20 requests alternating between the two are the same person', async () => {
    const r = await signIn(replica(0), await tokenOf(ns, 'person'));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.user?.username, user);
    for (let i = 0; i < 20; i++) {
      const res = await new SignedInClient(replica(i + 1), r.cookie!).fetch(
        `/api/clusters/${CLUSTER}/namespaces/${ns}/pods`,
      );
      assert.equal(res.status, 200, `request ${i} on ${replica(i + 1)}: ${await res.clone().text()}`);
      const pods = (await res.json()) as { name: string }[];
      assert.ok(pods.some((p) => p.name === pod));
    }
  });

  test("the person's RBAC decides, not the chart's ServiceAccount (which may list pods everywhere)", async () => {
    const r = await signIn(replica(0), await tokenOf(ns, 'person'));
    const other = await new SignedInClient(replica(1), r.cookie!).getJson<{ error: string }>(
      `/api/clusters/${CLUSTER}/namespaces/demo/pods`,
    );
    assert.equal(other.status, 403, JSON.stringify(other.body));
    assert.match(other.body.error, new RegExp(`${user}.* cannot list resource "pods"`));
    // The demo user the install made may read demo.
    const [kubectlBin, ...args] = demoUserCommand.split(' ');
    const demoToken = await new Promise<string>((resolve, reject) =>
      execFile(kubectlBin!, args, (err, stdout) => (err ? reject(err) : resolve(stdout.trim()))),
    );
    const demo = await signIn(replica(1), demoToken);
    assert.equal(demo.status, 200, JSON.stringify(demo.body));
    const list = await new SignedInClient(replica(0), demo.cookie!).fetch(
      `/api/clusters/${CLUSTER}/namespaces/demo/pods`,
    );
    assert.equal(list.status, 200);
  });

  test('a terminal through the other replica runs as the person and the shared audit names them', async () => {
    const r = await signIn(replica(0), await tokenOf(ns, 'person'));
    const t = new TerminalClient(terminalUrl(replica(1).replace(/^http/, 'ws'), ns, pod), {
      cookie: r.cookie!,
      origin: replica(1),
    });
    await t.ready();
    t.type('echo in-cluster-$((6 * 7))\r');
    await t.outputMatches(/in-cluster-42/);
    t.type('exit\r');
    await t.closed;
    const rows = await schemas.sql<{ user_name: string; user_groups: string[] }>(
      `SELECT user_name, user_groups FROM ${schema}.sessions WHERE namespace = $1 AND kind = 'exec'`,
      [ns],
    );
    assert.ok(rows.rows.length >= 1);
    for (const row of rows.rows) {
      assert.equal(row.user_name, user);
      assert.ok(row.user_groups.includes(`system:serviceaccounts:${ns}`));
    }
  });

  test('a logout on one replica ends the session on the other', async () => {
    const r = await signIn(replica(0), await tokenOf(ns, 'person'));
    assert.equal((await new SignedInClient(replica(1), r.cookie!).fetch('/api/clusters')).status, 200);
    assert.equal((await new SignedInClient(replica(0), r.cookie!).logout()).status, 200);
    const after = await new SignedInClient(replica(1), r.cookie!).fetch('/api/clusters');
    assert.equal(after.status, 401);
  });
});
