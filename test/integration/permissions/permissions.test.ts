// The RBAC-aware UI against the real cluster: what GET …/pods/:pod/permissions says each person may do
// (SelfSubjectAccessReviews made as them) is what Kubernetes then lets them do — each action is refused
// with 403 exactly where the answer says "not allowed", and done where it says "allowed" — because the
// server still enforces everything. People are ServiceAccounts with RoleBindings made here, signed in
// with Podscope's token login; exec policy rules name a ServiceAccount group
// (`system:serviceaccounts:<namespace>`); who-am-I and the workable namespaces in both modes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_CONFIG, parseConfig } from '../../../src/server/config/podscope-config.js';
import type { NamespaceInfo } from '../../../src/shared/api.js';
import type { DebugPodCreated } from '../../../src/shared/debug/debug-api.js';
import {
  POD_ACTIONS,
  type PodAction,
  type PodPermissionsView,
  type WhoAmIView,
} from '../../../src/shared/permissions/api.js';
import type { ExecPolicyView } from '../../../src/shared/terminal/api.js';
import {
  APP_IMAGE,
  kubectl,
  kubectlOk,
  serviceAccountKubeconfig,
  uniqueName,
} from '../../support/cluster.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../../support/podscope.js';
import { SignedInClient, signIn, testSealer, tokenOf } from '../../support/token-login.js';
import { TerminalClient, terminalUrl } from '../terminal/terminal-client.js';
import { createPod, waitPodRunning } from '../terminal/test-pods.js';

const ns = uniqueName('perm');
/** Where the "outsider" ServiceAccount lives: its group is not the namespace's own. */
const other = uniqueName('perm-other');
const dir = mkdtempSync(path.join(tmpdir(), 'podscope-perm-'));
const OWN_TEAM = `system:serviceaccounts:${ns}`;
let pod: string;
let node: string;
let podscope: RunningPodscope;
const made: { pod: string; namespace: string }[] = [];

type Person = 'viewer' | 'editor' | 'nobody' | 'outsider';
const homeOf = (who: Person) => (who === 'outsider' ? other : ns);
const tokens = {} as Record<Person, string>;
const people = {} as Record<Person, SignedInClient>;

/** What `edit` lacks for Podscope's actions (see required-access.ts): the exec and debug subresources. */
const EXTRA_RULES = [
  { apiGroups: [''], resources: ['pods/exec'], verbs: ['get', 'create'] },
  { apiGroups: [''], resources: ['pods/ephemeralcontainers'], verbs: ['get', 'patch', 'update'] },
];

/** A ServiceAccount, bound in `ns` to a built-in ClusterRole (and, for editors, the extra Role). */
async function person(who: Person, clusterRole: 'view' | 'edit' | null): Promise<void> {
  const home = homeOf(who);
  const subject = { kind: 'ServiceAccount', name: who, namespace: home };
  const items: object[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: who, namespace: home } },
  ];
  if (clusterRole !== null) {
    items.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: `${who}-${clusterRole}`, namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole },
      subjects: [subject],
    });
  }
  if (clusterRole === 'edit') {
    items.push(
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: `${who}-debug`, namespace: ns },
        rules: EXTRA_RULES,
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: `${who}-debug`, namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${who}-debug` },
        subjects: [subject],
      },
    );
  }
  const r = await kubectl(['apply', '-f', '-'], {
    input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }),
  });
  if (r.code !== 0) throw new Error(`could not make ${who}: ${r.stderr}`);
  tokens[who] = await tokenOf(home, who);
}

const execPolicy = {
  rules: [
    { name: 'own team gets root', namespace: ns, groups: [OWN_TEAM], policy: 'root-allowed' },
    { name: 'everyone else non-root', namespace: ns, policy: 'non-root', user: 1000 },
  ],
};

before(async () => {
  for (const n of [ns, other]) {
    await kubectlOk(['create', 'namespace', n]);
    await kubectlOk(['label', 'namespace', n, 'podscope-test=true']);
  }
  await person('viewer', 'view');
  await person('editor', 'edit');
  await person('nobody', null);
  await person('outsider', 'edit');
  pod = await createPod({ prefix: 'app', image: APP_IMAGE, namespace: ns });
  node = (await kubectlOk(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
  podscope = await startPodscope({
    config: {
      ...parseConfig({ execPolicy }),
      auth: { ...DEFAULT_CONFIG.auth, loginAttempts: { perClient: 1000, windowMs: 60_000 } },
    },
    // Node pods go to the test namespace, where the people's bindings are.
    debug: { nodeDebugNamespace: ns, leaseGraceMs: 2000 },
    tokenLogin: { sealer: testSealer(), publicUrl: null },
  });
  for (const who of ['viewer', 'editor', 'nobody', 'outsider'] as const) {
    const r = await signIn(podscope.url, tokens[who]);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    people[who] = new SignedInClient(podscope.url, r.cookie!);
  }
  await waitPodRunning(pod, ns);
});

after(async () => {
  await podscope?.close();
  for (const m of made) await kubectl(['-n', m.namespace, 'delete', 'pod', m.pod, '--wait=false']);
  await kubectl(['delete', 'namespace', ns, other, '--wait=false']);
  rmSync(dir, { recursive: true, force: true });
});

const podPath = () => `/api/clusters/${CLUSTER}/namespaces/${ns}/pods/${pod}`;
const json = { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' };

async function permissionsOf(who: Person): Promise<PodPermissionsView> {
  const r = await people[who].getJson<PodPermissionsView>(`${podPath()}/permissions`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

/** Does the action for real, through Podscope, as `who`: the HTTP status it ends with (200 for a terminal that opened). */
async function attempt(who: Person, action: PodAction): Promise<{ status: number; text: string }> {
  const client = people[who];
  const done = async (res: Response) => ({ status: res.status, text: await res.text() });
  switch (action) {
    case 'logs':
      return done(await client.fetch(`${podPath()}/logs?container=app&tailLines=5`));
    case 'terminal': {
      const t = new TerminalClient(terminalUrl(podscope.wsUrl, ns, pod, { command: ['id', '-u'] }), {
        cookie: client.cookie,
      });
      await t.until(
        'ready or an error',
        () => t.message('ready') !== undefined || t.message('error') !== undefined,
      );
      const err = t.message('error');
      t.ws.close();
      return err ? { status: err.status, text: err.message } : { status: 200, text: 'ready' };
    }
    case 'debug-container':
      return done(
        await client.fetch(`${podPath()}/debug-containers`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ target: 'app' }),
        }),
      );
    case 'pod-copy':
    case 'node-debug': {
      const res =
        action === 'pod-copy'
          ? await client.fetch(`${podPath()}/copies`, {
              method: 'POST',
              headers: json,
              body: JSON.stringify({ container: 'app' }),
            })
          : await client.fetch(`/api/clusters/${CLUSTER}/nodes/${node}/debug`, {
              method: 'POST',
              headers: json,
              body: '{}',
            });
      const text = await res.text();
      if (res.status === 201) {
        const created = JSON.parse(text) as DebugPodCreated;
        made.push({ pod: created.pod, namespace: created.namespace });
      }
      return { status: res.status, text };
    }
    case 'file-download':
      return done(await client.fetch(`${podPath()}/files/download?container=app&path=/etc/hostname`));
    case 'file-upload':
      return done(
        await client.fetch(
          `${podPath()}/files/upload?container=app&path=/tmp/from-${who}.txt&overwrite=true`,
          {
            method: 'PUT',
            headers: { 'content-type': 'application/octet-stream', 'sec-fetch-site': 'same-origin' },
            body: `written by ${who}\n`,
          },
        ),
      );
  }
}

/** Who may do what: RBAC (view / edit+exec / nothing) and, for the outsider, the exec policy's non-root rule. */
const EXPECTED: Record<Person, Record<PodAction, boolean>> = {
  viewer: {
    logs: true,
    terminal: false,
    'debug-container': false,
    'pod-copy': false,
    'node-debug': false,
    'file-download': false,
    'file-upload': false,
  },
  editor: {
    logs: true,
    terminal: true,
    'debug-container': true,
    'pod-copy': true,
    'node-debug': true,
    'file-download': true,
    'file-upload': true,
  },
  nobody: {
    logs: false,
    terminal: false,
    'debug-container': false,
    'pod-copy': false,
    'node-debug': false,
    'file-download': false,
    'file-upload': false,
  },
  // Node pods run as root in the host's namespaces: refused under the non-root rule.
  outsider: {
    logs: true,
    terminal: true,
    'debug-container': true,
    'pod-copy': true,
    'node-debug': false,
    'file-download': true,
    'file-upload': true,
  },
};

describe('the permissions endpoint tells the truth', () => {
  for (const who of ['viewer', 'editor', 'nobody', 'outsider'] as const) {
    test(`${who}: every action is refused with 403 exactly where the answer says "not allowed"`, async () => {
      const said = await permissionsOf(who);
      assert.deepEqual(
        Object.fromEntries(POD_ACTIONS.map((a) => [a, said.actions[a].allowed])),
        EXPECTED[who],
        JSON.stringify(said.actions, null, 1),
      );
      for (const action of POD_ACTIONS) {
        const p = said.actions[action];
        assert.equal(p.offered, true, action);
        const r = await attempt(who, action);
        if (p.allowed) {
          assert.ok(
            r.status >= 200 && r.status < 300,
            `${who} ${action}: allowed, but ${r.status} ${r.text}`,
          );
          assert.equal(p.reason, null);
        } else {
          assert.equal(
            r.status,
            403,
            `${who} ${action}: not allowed (${p.reason}), but ${r.status} ${r.text}`,
          );
          assert.ok(p.reason, `${who} ${action}: a refusal needs a reason`);
        }
      }
    });
  }

  test('the reason names what is missing: the viewer and the terminal', async () => {
    const { actions } = await permissionsOf('viewer');
    assert.equal(actions.terminal.deniedBy, 'rbac');
    assert.equal(
      actions.terminal.reason,
      `You may not create pods/exec or get pods/exec in namespace "${ns}".`,
    );
    assert.deepEqual(actions.terminal.missing, ['create pods/exec', 'get pods/exec']);
    assert.match(actions['debug-container'].reason!, /patch pods\/ephemeralcontainers/);
    assert.match(
      actions['pod-copy'].reason!,
      /^You may not create pods, patch pods, create pods\/exec or get pods\/exec/,
    );
    assert.equal(actions.logs.reason, null);
    const nobody = await permissionsOf('nobody');
    assert.equal(nobody.actions.logs.reason, `You may not get pods/log in namespace "${ns}".`);
  });

  test('the exec policy refuses what RBAC allows, and says so', async () => {
    const { actions } = await permissionsOf('outsider');
    assert.equal(actions['node-debug'].deniedBy, 'policy');
    assert.match(
      actions['node-debug'].reason!,
      /Node debugging is not allowed here: a node debug pod runs as root/,
    );
    assert.match(actions['node-debug'].reason!, /everyone else non-root/);
  });

  test('the server still enforces: a viewer’s direct exec call gets Kubernetes’ own 403', async () => {
    const r = await attempt('viewer', 'file-download');
    assert.equal(r.status, 403);
    assert.match(r.text, /pods\/exec/);
  });
});

describe('exec policy rules that name groups', () => {
  const policyOf = async (who: Person) => {
    const r = await people[who].getJson<ExecPolicyView>(`${podPath()}/terminal/policy?container=app`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };

  const uidIn = async (who: Person) => {
    const t = new TerminalClient(terminalUrl(podscope.wsUrl, ns, pod, { command: ['id', '-u'] }), {
      cookie: people[who].cookie,
    });
    await t.ready();
    await t.closed;
    return t.output.trim();
  };

  test('a member of the named group gets the group rule (root), named before connecting', async () => {
    const p = await policyOf('editor');
    assert.equal(p.policy, 'root-allowed');
    assert.equal(p.rule, 'own team gets root');
    assert.match(p.reason, new RegExp(`you are in ${OWN_TEAM.replace(/[.:]/g, '\\$&')}`));
    assert.equal(await uidIn('editor'), '0');
  });

  test('everyone else falls through to the next rule (non-root, uid 1000)', async () => {
    const p = await policyOf('outsider');
    assert.equal(p.policy, 'non-root');
    assert.equal(p.user, 1000);
    assert.equal(p.rule, 'everyone else non-root');
    assert.equal(await uidIn('outsider'), '1000');
  });

  test('local mode matches the kubeconfig user’s groups, asked of Kubernetes (SelfSubjectReview)', async () => {
    for (const [who, rule] of [
      ['editor', 'own team gets root'],
      ['outsider', 'everyone else non-root'],
    ] as const) {
      const local = await startPodscope({
        kubeconfig: await serviceAccountKubeconfig(homeOf(who), who, path.join(dir, `${who}.kubeconfig`)),
        config: parseConfig({ execPolicy }),
      });
      try {
        const r = await local.getJson<ExecPolicyView>(`${podPath()}/terminal/policy?container=app`);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.body.rule, rule);
      } finally {
        await local.close();
      }
    }
  });
});

describe('who am I, and the namespaces a person can work in', () => {
  test('who am I: the signed-in person as Kubernetes names them', async () => {
    const r = await people.viewer.getJson<WhoAmIView>(`/api/clusters/${CLUSTER}/whoami`);
    assert.equal(r.status, 200);
    assert.equal(r.body.username, `system:serviceaccount:${ns}:viewer`);
    assert.ok(r.body.groups.includes(OWN_TEAM));
    assert.equal(r.body.via, 'signed-in');
  });

  test('namespaces: a person who may not list them gets the ones Podscope knows and they may work in', async () => {
    // The config names `ns`; the viewer may list pods there. Nobody may list pods anywhere.
    const viewer = await people.viewer.getJson<NamespaceInfo[]>(`/api/clusters/${CLUSTER}/namespaces`);
    assert.equal(viewer.status, 200);
    assert.deepEqual(
      viewer.body.map((n) => n.name),
      [ns],
    );
    const nobody = await people.nobody.getJson<NamespaceInfo[]>(`/api/clusters/${CLUSTER}/namespaces`);
    assert.deepEqual(nobody.body, []);
  });

  test('local mode: the kubeconfig user; its context namespace is offered only if they can work there', async () => {
    const kubeconfig = await serviceAccountKubeconfig(
      other,
      'outsider',
      path.join(dir, 'outsider-ns.kubeconfig'),
    );
    const local = await startPodscope({ kubeconfig, config: parseConfig({ execPolicy }) });
    try {
      const me = await local.getJson<WhoAmIView>(`/api/clusters/${CLUSTER}/whoami`);
      assert.equal(me.body.username, `system:serviceaccount:${other}:outsider`);
      assert.equal(me.body.via, 'kubeconfig');
      // Its context names `other`, where it has no rights; the config names `ns`, where it has.
      const list = await local.getJson<NamespaceInfo[]>(`/api/clusters/${CLUSTER}/namespaces`);
      assert.deepEqual(
        list.body.map((n) => n.name),
        [ns],
      );
    } finally {
      await local.close();
    }
  });

  test('local mode with the admin kubeconfig: every namespace is workable, and who-am-I is kubectl’s answer', async () => {
    const admin = await startPodscope();
    try {
      const list = await admin.getJson<NamespaceInfo[]>(`/api/clusters/${CLUSTER}/namespaces`);
      const all = (await kubectlOk(['get', 'namespaces', '-o', 'jsonpath={.items[*].metadata.name}']))
        .trim()
        .split(/\s+/);
      for (const name of ['demo', 'kube-system', ns]) assert.ok(all.includes(name));
      // Namespaces being deleted by other tests may come and go between the two lists.
      for (const name of ['demo', 'kube-system', ns]) {
        assert.ok(
          list.body.some((n) => n.name === name),
          name,
        );
      }
      const me = await admin.getJson<WhoAmIView>(`/api/clusters/${CLUSTER}/whoami`);
      const kubectlSays = JSON.parse(await kubectlOk(['auth', 'whoami', '-o', 'json'])) as {
        status: { userInfo: { username: string; groups?: string[] } };
      };
      assert.equal(me.body.username, kubectlSays.status.userInfo.username);
      assert.deepEqual(me.body.groups, kubectlSays.status.userInfo.groups ?? []);
      assert.equal(me.body.via, 'kubeconfig');
    } finally {
      await admin.close();
    }
  });
});
