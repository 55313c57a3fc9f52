// The Helm chart (charts/podscope) through the real helm binary: `helm lint --strict` is clean, and the
// rendered templates say what the chart promises — replicas, probes, a read-only non-root container,
// a least-privilege ClusterRole, the config Podscope itself accepts, secrets never inline.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { loadAllYaml } from '@kubernetes/client-node';
import type {
  V1ClusterRole,
  V1ConfigMap,
  V1Deployment,
  V1Ingress,
  V1PodDisruptionBudget,
  V1Role,
  V1RoleBinding,
  V1Secret,
  V1Service,
} from '@kubernetes/client-node';
import { parseConfig } from '../../../src/server/config/podscope-config.js';
import { repoRoot } from '../../support/cluster.js';
import { helm } from '../../support/helm.js';

const CHART = path.join(repoRoot, 'charts/podscope');
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

/** `helm template` with these --set/--set-json arguments, parsed. */
async function render(...sets: string[]): Promise<Manifest[]> {
  const r = await helm(['template', 'podscope', CHART, '--namespace', 'tools', ...sets]);
  assert.equal(r.code, 0, r.stderr);
  return (loadAllYaml(r.stdout) as (Manifest | null)[]).filter((m): m is Manifest => m !== null);
}

function one<T>(manifests: Manifest[], kind: string): T {
  const found = manifests.filter((m) => m.kind === kind);
  assert.equal(found.length, 1, `one ${kind} (found ${found.length})`);
  return found[0] as T;
}

const container = (d: V1Deployment) => d.spec!.template.spec!.containers[0]!;

/** Two replicas sharing a PostgreSQL. */
const TWO_WITH_DATABASE = ['--set', 'replicaCount=2,database.url=postgresql://u:p@db:5432/podscope'];

describe('the Helm chart', () => {
  test('helm lint --strict has nothing to say, with the defaults and with every option on', async () => {
    const plain = await helm(['lint', '--strict', CHART]);
    assert.equal(plain.code, 0, plain.stdout + plain.stderr);
    assert.match(plain.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    assert.doesNotMatch(plain.stdout, /\[(INFO|WARNING|ERROR)\]/, 'not even a recommendation');
    const full = await helm([
      'lint',
      '--strict',
      CHART,
      '--set',
      'ingress.enabled=true,rbac.nodeDebug=true,database.url=postgresql://u:p@db:5432/podscope',
      '--set',
      'service.type=NodePort,service.nodePort=30742',
    ]);
    assert.equal(full.code, 0, full.stdout + full.stderr);
  });

  test('defaults: exactly these objects, in the release namespace or cluster-scoped with it in their names', async () => {
    const m = await render();
    assert.deepEqual(m.map((x) => `${x.kind}/${x.metadata.name}`).sort(), [
      'ClusterRole/podscope-tools',
      'ClusterRoleBinding/podscope-tools',
      'ConfigMap/podscope',
      'Deployment/podscope',
      'Role/podscope-leader-election',
      'RoleBinding/podscope-leader-election',
      'Secret/podscope-session-key',
      'Service/podscope',
      'ServiceAccount/podscope',
      'ValidatingAdmissionPolicy/podscope-tools-pod-writes',
      'ValidatingAdmissionPolicyBinding/podscope-tools-pod-writes',
    ]);
    const clusterScoped = [
      'ClusterRole',
      'ClusterRoleBinding',
      'ValidatingAdmissionPolicy',
      'ValidatingAdmissionPolicyBinding',
    ];
    for (const x of m) {
      if (!clusterScoped.includes(x.kind)) assert.equal(x.metadata.namespace, 'tools', `${x.kind} namespace`);
    }
  });

  test('the Deployment: 1 replica by default, in-cluster, probes, read-only and non-root, no downtime on rollout', async () => {
    const d = one<V1Deployment>(await render(), 'Deployment');
    assert.equal(d.spec!.replicas, 1);
    assert.deepEqual(d.spec!.strategy!.rollingUpdate, { maxSurge: 1, maxUnavailable: 0 });
    const c = container(d);
    assert.equal(c.image, 'podscope.local/podscope:0.1.0');
    for (const arg of [
      '--in-cluster',
      '--host=0.0.0.0',
      '--allow-remote',
      '--port=7420',
      '--config=/etc/podscope/config.json',
      '--auth=token-login',
      '--session-key-file=/var/run/podscope/session-key/key',
      '--allowed-host=podscope.tools.svc.cluster.local',
    ]) {
      assert.ok(c.args!.includes(arg), `${arg} in ${c.args!.join(' ')}`);
    }
    assert.equal(c.readinessProbe!.httpGet!.path, '/readyz');
    assert.equal(c.livenessProbe!.httpGet!.path, '/healthz');
    assert.equal(c.startupProbe!.httpGet!.path, '/healthz');
    assert.deepEqual(c.securityContext, {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    const pod = d.spec!.template.spec!;
    assert.equal(pod.securityContext!.runAsNonRoot, true);
    assert.equal(pod.securityContext!.runAsUser, 65532);
    assert.deepEqual(
      c.volumeMounts!.map((v) => [v.mountPath, v.readOnly ?? false]),
      [
        ['/etc/podscope', true],
        ['/var/run/podscope/session-key', true],
        ['/data', false],
        ['/tmp', false],
      ],
    );
    assert.ok(c.resources!.requests!['memory'] && c.resources!.limits!['memory'], 'memory request and limit');
    assert.equal(c.env, undefined, 'no database: no PODSCOPE_DATABASE_URL');
  });

  test('the PodDisruptionBudget keeps one replica; none with a single replica', async () => {
    const pdb = one<V1PodDisruptionBudget>(await render(...TWO_WITH_DATABASE), 'PodDisruptionBudget');
    assert.equal(pdb.spec!.minAvailable, 1);
    const single = await render();
    assert.equal(single.filter((x) => x.kind === 'PodDisruptionBudget').length, 0);
  });

  test('several replicas: with a database, or with the shared access token; refused with SQLite for people who sign in', async () => {
    const replicas = async (...sets: string[]) =>
      one<V1Deployment>(await render(...sets), 'Deployment').spec!.replicas;
    assert.equal(await replicas(...TWO_WITH_DATABASE), 2);
    assert.equal(await replicas('--set', 'replicaCount=3,database.existingSecret=pg-credentials'), 3);
    // No sessions to share with one shared access token (each pod's audit is its own, as with one replica).
    assert.equal(await replicas('--set', 'replicaCount=2,auth.mode=access-token'), 2);
    for (const mode of ['token-login', 'oidc']) {
      const oidc =
        mode === 'oidc'
          ? ',auth.oidc.issuer=https://sso.example.com,auth.oidc.clientId=podscope,auth.publicUrl=https://podscope.example.com'
          : '';
      const refused = await helm([
        'template',
        'podscope',
        CHART,
        '--set',
        `replicaCount=2,auth.mode=${mode}${oidc}`,
      ]);
      assert.notEqual(refused.code, 0, `${mode}: ${refused.stdout}`);
      assert.match(
        refused.stderr,
        new RegExp(
          `replicaCount=2 with auth.mode=${mode} needs a database \\(database.url or database.existingSecret`,
        ),
      );
    }
  });

  test('the ClusterRole: named verbs on named resources, no Secrets, no escalation, switches honoured', async () => {
    const role = one<V1ClusterRole>(await render(), 'ClusterRole');
    const grants = role.rules!.flatMap((r) =>
      r.resources!.flatMap((res) => r.verbs.map((v) => `${r.apiGroups![0] || 'core'}/${res}:${v}`)),
    );
    assert.deepEqual(grants.sort(), [
      'apps/daemonsets:get',
      'apps/deployments:get',
      'apps/replicasets:get',
      'apps/statefulsets:get',
      'batch/jobs:get',
      'core/events:list',
      'core/events:watch',
      'core/namespaces:get',
      'core/namespaces:list',
      'core/pods/ephemeralcontainers:patch',
      'core/pods/exec:create',
      'core/pods/exec:get',
      'core/pods/log:get',
      'core/pods:create',
      'core/pods:delete',
      'core/pods:get',
      'core/pods:list',
      'core/pods:patch',
      'core/pods:watch',
    ]);
    const off = one<V1ClusterRole>(
      await render('--set', 'rbac.exec=false,rbac.debugContainers=false,rbac.debugPods=false'),
      'ClusterRole',
    );
    const verbsOn = (r: V1ClusterRole, res: string) =>
      r.rules!.filter((x) => x.resources!.includes(res)).flatMap((x) => x.verbs);
    assert.deepEqual(verbsOn(off, 'pods/exec'), []);
    assert.deepEqual(verbsOn(off, 'pods/ephemeralcontainers'), []);
    assert.deepEqual(verbsOn(off, 'pods').sort(), ['get', 'list', 'watch']);
    const node = one<V1ClusterRole>(await render('--set', 'rbac.nodeDebug=true'), 'ClusterRole');
    assert.deepEqual(verbsOn(node, 'nodes'), ['get']);
  });

  test('the leader-election Role: create Leases in the release namespace, read and renew only its own', async () => {
    const m = await render();
    const role = one<V1Role>(m, 'Role');
    assert.equal(role.metadata!.namespace, 'tools');
    assert.deepEqual(role.rules, [
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        resourceNames: ['podscope-leader'],
        verbs: ['get', 'update'],
      },
    ]);
    const binding = one<V1RoleBinding>(m, 'RoleBinding');
    assert.deepEqual(binding.roleRef, {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: role.metadata!.name,
    });
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'podscope', namespace: 'tools' }]);
  });

  test('the admission policy binds Podscope’s ServiceAccount to its own pods; node pods only with nodeDebug', async () => {
    const m = await render();
    const policy = m.find((x) => x.kind === 'ValidatingAdmissionPolicy') as unknown as {
      spec: { matchConditions: { expression: string }[]; validations: { expression: string }[] };
    };
    assert.equal(
      policy.spec.matchConditions[0]!.expression,
      "request.userInfo.username == 'system:serviceaccount:tools:podscope'",
    );
    assert.match(policy.spec.validations[1]!.expression, /variables\.nodePod/);
    const on = (await render('--set', 'rbac.nodeDebug=true')).find(
      (x) => x.kind === 'ValidatingAdmissionPolicy',
    ) as unknown as typeof policy;
    assert.equal(on.spec.validations[1]!.expression, 'true');
    const none = await render('--set', 'rbac.restrictPodWrites=false');
    assert.equal(none.filter((x) => x.kind.startsWith('ValidatingAdmissionPolicy')).length, 0);
  });

  test('config values become a config file Podscope accepts; a change rolls the pods', async () => {
    const execPolicy = { default: { policy: 'non-root' }, rules: [{ namespace: 'prod', policy: 'no-exec' }] };
    const sets = [
      '--set-json',
      `config.execPolicy=${JSON.stringify(execPolicy)}`,
      '--set-json',
      'config.debug={"images":["registry.example.com/tools:2"],"nodeDebugNamespace":"node-debug"}',
      '--set',
      'config.limits.mergedLogSources=20,config.recording.maxBytes=1048576',
    ];
    const m = await render(...sets);
    const raw = JSON.parse(one<V1ConfigMap>(m, 'ConfigMap').data!['config.json']!) as unknown;
    const parsed = parseConfig(raw);
    assert.deepEqual(parsed.execPolicy.rules, execPolicy.rules);
    assert.deepEqual(parsed.debug, {
      images: ['registry.example.com/tools:2'],
      nodeDebugNamespace: 'node-debug',
    });
    assert.equal(parsed.limits.mergedLogSources, 20);
    assert.equal(parsed.recording.maxBytes, 1048576);
    const defaults = JSON.parse(
      one<V1ConfigMap>(await render('--set', 'auth.mode=access-token'), 'ConfigMap').data!['config.json']!,
    ) as unknown;
    assert.deepEqual(
      defaults,
      { replicas: { leaderElection: { namespace: 'tools', name: 'podscope-leader' } } },
      'empty sections are left out (Podscope defaults them); the Lease of the leader election is set',
    );
    const tuned = parseConfig(
      JSON.parse(
        one<V1ConfigMap>(await render('--set', 'config.replicas.lostAfterSeconds=20'), 'ConfigMap').data![
          'config.json'
        ]!,
      ),
    );
    assert.deepEqual(tuned.replicas, {
      leaderElection: { namespace: 'tools', name: 'podscope-leader' },
      heartbeatSeconds: 5,
      lostAfterSeconds: 20,
      leaseDurationSeconds: 15,
    });
    const checksum = (x: Manifest[]) =>
      one<V1Deployment>(x, 'Deployment').spec!.template.metadata!.annotations!['checksum/config'];
    assert.notEqual(checksum(m), checksum(await render()));
  });

  test('the database URL goes into a Secret and reaches the pod only as PODSCOPE_DATABASE_URL', async () => {
    const url = 'postgresql://podscope:s3cret@db.tools:5432/podscope';
    const m = await render('--set', `database.url=${url}`);
    const secret = m.find((x) => x.kind === 'Secret' && x.metadata.name === 'podscope-database') as V1Secret;
    assert.equal(secret.stringData!['url'], url);
    const c = container(one<V1Deployment>(m, 'Deployment'));
    assert.deepEqual(c.env, [
      {
        name: 'PODSCOPE_DATABASE_URL',
        valueFrom: { secretKeyRef: { name: 'podscope-database', key: 'url' } },
      },
    ]);
    assert.doesNotMatch(JSON.stringify([one<V1ConfigMap>(m, 'ConfigMap'), c]), /s3cret/);
    // Podscope refuses --data-dir with a database URL (the audit goes to one of them).
    assert.ok(!c.args!.some((a) => a.startsWith('--data-dir')), c.args!.join(' '));
    assert.ok(
      container(one<V1Deployment>(await render(), 'Deployment')).args!.includes('--data-dir=/data/podscope'),
      'SQLite in /data without a database',
    );
    const mine = await render('--set', 'database.existingSecret=pg-credentials');
    assert.ok(
      !container(one<V1Deployment>(mine, 'Deployment')).args!.some((a) => a.startsWith('--data-dir')),
    );
    assert.equal(mine.filter((x) => x.metadata.name === 'podscope-database').length, 0);
    assert.equal(
      container(one<V1Deployment>(mine, 'Deployment')).env![0]!.valueFrom!.secretKeyRef!.name,
      'pg-credentials',
    );
  });

  test('token login is the default: a random session key in a Secret (or yours), timeouts in the config', async () => {
    const m = await render();
    const key = one<V1Secret>(m, 'Secret');
    assert.equal(key.metadata!.name, 'podscope-session-key');
    assert.match(Buffer.from(key.data!['key']!, 'base64').toString(), /^[A-Za-z0-9]{64}$/);
    const c = container(one<V1Deployment>(m, 'Deployment'));
    assert.ok(!c.args!.some((a) => a.startsWith('--token-file')), 'no shared access token');
    assert.ok(!c.args!.some((a) => a.startsWith('--public-url')), 'no public URL known');
    const config = parseConfig(JSON.parse(one<V1ConfigMap>(m, 'ConfigMap').data!['config.json']!) as unknown);
    assert.deepEqual(config.auth, {
      timeouts: { idleMs: 3_600_000, absoluteMs: 43_200_000 },
      loginAttempts: { perClient: 10, windowMs: 60_000 },
      streamCheckMs: 15_000,
      oidc: null,
    });
    const tuned = await render(
      '--set',
      'auth.idleTimeoutMinutes=15,auth.absoluteTimeoutMinutes=480,auth.loginAttempts.perClient=50,auth.streamCheckSeconds=5',
      '--set',
      'auth.sessionKeySecret=my-key,auth.publicUrl=https://scope.corp.example',
    );
    assert.equal(tuned.filter((x) => x.kind === 'Secret').length, 0);
    const d = one<V1Deployment>(tuned, 'Deployment');
    const vol = d.spec!.template.spec!.volumes!.find((v) => v.name === 'session-key');
    assert.equal(vol!.secret!.secretName, 'my-key');
    assert.ok(container(d).args!.includes('--public-url=https://scope.corp.example'));
    const tunedConfig = parseConfig(
      JSON.parse(one<V1ConfigMap>(tuned, 'ConfigMap').data!['config.json']!) as unknown,
    );
    assert.deepEqual(tunedConfig.auth.timeouts, { idleMs: 900_000, absoluteMs: 28_800_000 });
    assert.equal(tunedConfig.auth.loginAttempts.perClient, 50);
    assert.equal(tunedConfig.auth.streamCheckMs, 5000);
    // The Ingress host is the public URL when none is given; https with TLS (a Secure cookie).
    const ingress = await render(
      '--set',
      'ingress.enabled=true,ingress.host=scope.example',
      '--set-json',
      'ingress.tls=[{"secretName":"t"}]',
    );
    assert.ok(
      container(one<V1Deployment>(ingress, 'Deployment')).args!.includes(
        '--public-url=https://scope.example',
      ),
    );
    const bad = await helm(['template', 'podscope', CHART, '--set', 'auth.mode=sso']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /auth.mode is token-login, oidc or access-token \(got "sso"\)/);
  });

  const OIDC = [
    '--set',
    'auth.mode=oidc,auth.oidc.issuer=https://10.213.0.1:5556,auth.oidc.clientId=podscope',
    '--set',
    'auth.publicUrl=https://scope.example.com',
  ];

  test('single sign-on (auth.mode=oidc): settings in the config file, the client secret and CA mounted from your objects, the session key as for token login', async () => {
    const m = await render(
      ...OIDC,
      '--set',
      'auth.oidc.clientSecret.secretName=oidc-client,auth.oidc.clientSecret.key=secret',
      '--set',
      'auth.oidc.ca.configMapName=oidc-ca,auth.oidc.providerName=Corp login',
    );
    const c = container(one<V1Deployment>(m, 'Deployment'));
    for (const arg of [
      '--auth=oidc',
      '--session-key-file=/var/run/podscope/session-key/key',
      '--public-url=https://scope.example.com',
    ]) {
      assert.ok(c.args!.includes(arg), arg);
    }
    assert.ok(!c.args!.some((a) => a.startsWith('--token-file')), 'no shared access token');
    assert.ok(
      !c.args!.some((a) => /secret/i.test(a) && !a.startsWith('--session-key-file')),
      'no secret in args',
    );
    const config = parseConfig(JSON.parse(one<V1ConfigMap>(m, 'ConfigMap').data!['config.json']!) as unknown);
    assert.deepEqual(config.auth.oidc, {
      issuer: 'https://10.213.0.1:5556',
      clientId: 'podscope',
      clientSecretFile: '/var/run/podscope/oidc-client/client-secret',
      caFile: '/var/run/podscope/oidc-ca/ca.crt',
      scopes: ['openid', 'email', 'profile', 'groups', 'offline_access'],
      usernameClaim: 'email',
      groupsClaim: 'groups',
      identityMode: 'impersonation',
      providerName: 'Corp login',
    });
    const d = one<V1Deployment>(m, 'Deployment');
    const vols = d.spec!.template.spec!.volumes!;
    const client = vols.find((v) => v.name === 'oidc-client')!;
    assert.equal(client.secret!.secretName, 'oidc-client');
    assert.deepEqual(client.secret!.items, [{ key: 'secret', path: 'client-secret' }]);
    assert.equal(vols.find((v) => v.name === 'oidc-ca')!.configMap!.name, 'oidc-ca');
    assert.ok(vols.some((v) => v.name === 'session-key'));
    assert.deepEqual(
      c.volumeMounts!.filter((v) => v.name.startsWith('oidc')).map((v) => v.mountPath),
      ['/var/run/podscope/oidc-client', '/var/run/podscope/oidc-ca'],
    );
    // Without a client secret and CA: a public client, the system's CAs.
    const bare = await render(...OIDC);
    const bareConfig = parseConfig(
      JSON.parse(one<V1ConfigMap>(bare, 'ConfigMap').data!['config.json']!) as unknown,
    );
    assert.equal(bareConfig.auth.oidc?.clientSecretFile, undefined);
    assert.equal(bareConfig.auth.oidc?.caFile, undefined);
    assert.ok(
      !one<V1Deployment>(bare, 'Deployment').spec!.template.spec!.volumes!.some((v) =>
        v.name.startsWith('oidc'),
      ),
    );
    // Refused with a sentence: what is missing.
    for (const [sets, message] of [
      [['--set', 'auth.mode=oidc'], /auth.mode=oidc needs auth.oidc.issuer/],
      [['--set', 'auth.mode=oidc,auth.oidc.issuer=https://x'], /needs auth.oidc.clientId/],
      [['--set', 'auth.mode=oidc,auth.oidc.issuer=https://x,auth.oidc.clientId=p'], /needs auth.publicUrl/],
      [
        [...OIDC, '--set', 'auth.oidc.identityMode=both'],
        /identityMode is impersonation or token \(got "both"\)/,
      ],
    ] as [string[], RegExp][]) {
      const r = await helm(['template', 'podscope', CHART, ...sets]);
      assert.notEqual(r.code, 0, sets.join(' '));
      assert.match(r.stderr, message);
    }
    const lint = await helm(['lint', '--strict', CHART, ...OIDC]);
    assert.equal(lint.code, 0, lint.stdout + lint.stderr);
  });

  test('the impersonate rules: users and groups only, only with identityMode=impersonation', async () => {
    const impersonate = (r: V1ClusterRole) =>
      r
        .rules!.filter((x) => x.verbs.includes('impersonate'))
        .flatMap((x) => x.resources!.map((res) => `${x.apiGroups!.join('|') || 'core'}/${res}`));
    assert.deepEqual(impersonate(one<V1ClusterRole>(await render(), 'ClusterRole')), []);
    assert.deepEqual(
      impersonate(one<V1ClusterRole>(await render('--set', 'auth.mode=access-token'), 'ClusterRole')),
      [],
    );
    const role = one<V1ClusterRole>(await render(...OIDC), 'ClusterRole');
    assert.deepEqual(impersonate(role).sort(), ['core/groups', 'core/users']);
    const rule = role.rules!.find((x) => x.verbs.includes('impersonate'))!;
    assert.deepEqual(rule.verbs, ['impersonate'], 'nothing else rides on the rule');
    assert.equal(rule.resourceNames, undefined);
    // Never uids, userextras or serviceaccounts.
    assert.ok(!role.rules!.some((x) => x.resources!.some((r) => /uids|userextras|serviceaccounts/.test(r))));
    const token = one<V1ClusterRole>(
      await render(...OIDC, '--set', 'auth.oidc.identityMode=token'),
      'ClusterRole',
    );
    assert.deepEqual(impersonate(token), []);
  });

  test('the access token (auth.mode=access-token): a random one in a Secret, or the Secret named by auth.existingSecret', async () => {
    const plain = await render('--set', 'auth.mode=access-token');
    const token = one<V1Secret>(plain, 'Secret');
    assert.match(Buffer.from(token.data!['token']!, 'base64').toString(), /^[A-Za-z0-9]{43}$/);
    assert.ok(
      container(one<V1Deployment>(plain, 'Deployment')).args!.includes(
        '--token-file=/var/run/podscope/token/token',
      ),
    );
    const mine = await render('--set', 'auth.mode=access-token,auth.existingSecret=my-token');
    assert.equal(mine.filter((x) => x.kind === 'Secret').length, 0);
    const vol = one<V1Deployment>(mine, 'Deployment').spec!.template.spec!.volumes!.find(
      (v) => v.name === 'token',
    );
    assert.equal(vol!.secret!.secretName, 'my-token');
  });

  test('Service without affinity; an optional Ingress whose host Podscope answers to', async () => {
    const svc = one<V1Service>(await render(), 'Service');
    assert.equal(svc.spec!.sessionAffinity, undefined);
    assert.equal(svc.spec!.type, 'ClusterIP');
    const m = await render(
      '--set',
      'ingress.enabled=true,ingress.host=podscope.corp.example,ingress.className=nginx',
    );
    const ing = one<V1Ingress>(m, 'Ingress');
    assert.equal(ing.spec!.rules![0]!.host, 'podscope.corp.example');
    assert.equal(ing.spec!.ingressClassName, 'nginx');
    assert.ok(
      container(one<V1Deployment>(m, 'Deployment')).args!.includes('--allowed-host=podscope.corp.example'),
    );
    const np = one<V1Service>(
      await render('--set', 'service.type=NodePort,service.nodePort=30742'),
      'Service',
    );
    assert.equal(np.spec!.ports![0]!.nodePort, 30742);
  });

  test('shutdown: the drain deadline fits in the grace period after the preStop delay; too short is refused', async () => {
    const d = one<V1Deployment>(await render(), 'Deployment');
    const pod = d.spec!.template.spec!;
    const c = container(d);
    assert.equal(pod.terminationGracePeriodSeconds, 30);
    assert.deepEqual(c.lifecycle!.preStop!.sleep, { seconds: 5 });
    assert.ok(c.args!.includes('--shutdown-timeout=20'), c.args!.join(' '));
    const longer = container(
      one<V1Deployment>(
        await render('--set', 'terminationGracePeriodSeconds=120,shutdownDelaySeconds=10'),
        'Deployment',
      ),
    );
    assert.ok(longer.args!.includes('--shutdown-timeout=105'));
    const tooShort = await helm([
      'template',
      'podscope',
      CHART,
      '--set',
      'terminationGracePeriodSeconds=12,shutdownDelaySeconds=5',
    ]);
    assert.notEqual(tooShort.code, 0);
    assert.match(
      tooShort.stderr,
      /terminationGracePeriodSeconds must be at least shutdownDelaySeconds \+ 10/,
    );
  });

  test('metrics: their own port on the pods with scrape annotations, never on the Service; can be switched off', async () => {
    const m = await render();
    const d = one<V1Deployment>(m, 'Deployment');
    const c = container(d);
    assert.ok(c.args!.includes('--metrics-port=9464'));
    assert.deepEqual(
      c.ports!.map((p) => [p.name, p.containerPort]),
      [
        ['http', 7420],
        ['metrics', 9464],
      ],
    );
    const annotations = d.spec!.template.metadata!.annotations!;
    assert.equal(annotations['prometheus.io/scrape'], 'true');
    assert.equal(annotations['prometheus.io/port'], '9464');
    assert.equal(annotations['prometheus.io/path'], '/metrics');
    const svc = one<V1Service>(m, 'Service');
    assert.deepEqual(
      svc.spec!.ports!.map((p) => p.name),
      ['http'],
    );
    const off = one<V1Deployment>(await render('--set', 'metrics.enabled=false'), 'Deployment');
    assert.ok(!container(off).args!.some((a) => a.startsWith('--metrics-port')));
    assert.deepEqual(
      container(off).ports!.map((p) => p.name),
      ['http'],
    );
    assert.equal(off.spec!.template.metadata!.annotations!['prometheus.io/scrape'], undefined);
  });
});
