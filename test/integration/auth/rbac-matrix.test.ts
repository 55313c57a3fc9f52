// The RBAC matrix: the four test people × Podscope's actions in `demo`, through Podscope's real API
// against the real API server, each cell with its expected outcome from the bindings in
// cluster/demo/01-people.yaml — 0 unauthorized successes, 0 wrongly refused. The identity mode is a
// parameter: token pass-through (the person's real ID token from the provider, signed in with token
// login) runs here; impersonation joins IDENTITY_MODES once Podscope's OIDC login does it.
// "Read others' audit" is not a column yet: who may read whose audit is being built (people see their
// own sessions, an auditor group all); until then the audit is checked to name the person.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SqliteAuditStore } from '../../../src/server/audit/sqlite-audit-store.js';
import { DEFAULT_CONFIG } from '../../../src/server/config/podscope-config.js';
import { APP_IMAGE, kubectl, uniqueName, waitFor } from '../../support/cluster.js';
import { providerIdToken, TEST_PEOPLE, type TestUserName } from '../../support/oidc.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../../support/podscope.js';
import { SignedInClient, signIn, testSealer } from '../../support/token-login.js';
import { TerminalClient, terminalUrl } from '../terminal/terminal-client.js';

const NS = 'demo';
const NODE = 'podscope-node';

const ACTIONS = [
  'list pods',
  'read logs',
  'terminal',
  'debug container',
  'copy',
  'node debug',
  'file download',
  'file upload',
] as const;
type Action = (typeof ACTIONS)[number];
type Outcome = 'allowed' | 'refused';

const ALL = Object.fromEntries(ACTIONS.map((a) => [a, 'allowed'])) as Record<Action, Outcome>;
const NONE = Object.fromEntries(ACTIONS.map((a) => [a, 'refused'])) as Record<Action, Outcome>;

/**
 * What each person may do in `demo`, from their bindings: dana `edit` + debug containers (terminal, files
 * and copies need pods/exec and create pods, which `edit` has; node debug needs rights outside demo);
 * victor `view` (read only); olga `cluster-admin`; nora nothing.
 */
const EXPECTED: Record<TestUserName, Record<Action, Outcome>> = {
  dana: { ...ALL, 'node debug': 'refused' },
  victor: { ...NONE, 'list pods': 'allowed', 'read logs': 'allowed' },
  olga: ALL,
  nora: NONE,
};

/** A person signed in to Podscope, as a browser would be. */
interface Person {
  user: TestUserName;
  client: SignedInClient;
}

/** How Podscope acts as the person towards Kubernetes, and how a person signs in for it. */
interface IdentityMode {
  name: string;
  start(audit: SqliteAuditStore): Promise<RunningPodscope>;
  signIn(podscope: RunningPodscope, user: TestUserName): Promise<Person>;
}

const TOKEN_PASS_THROUGH: IdentityMode = {
  name: "token pass-through (token login with the person's ID token)",
  start: (audit) =>
    startPodscope({
      audit,
      config: {
        ...DEFAULT_CONFIG,
        auth: { ...DEFAULT_CONFIG.auth, loginAttempts: { perClient: 1000, windowMs: 60_000 } },
      },
      tokenLogin: { sealer: testSealer(), publicUrl: null },
    }),
  async signIn(podscope, user) {
    const r = await signIn(podscope.url, await providerIdToken(user));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.user?.username, TEST_PEOPLE[user].email);
    return { user, client: new SignedInClient(podscope.url, r.cookie!) };
  },
};

const IDENTITY_MODES: IdentityMode[] = [TOKEN_PASS_THROUGH];

interface Cell {
  outcome: Outcome | 'error';
  detail: string;
}

/** 2xx: allowed; 403: refused (Kubernetes RBAC said no); anything else: the cell failed to run. */
async function outcomeOf(res: Response): Promise<Cell> {
  const text = await res.text();
  if (res.ok) return { outcome: 'allowed', detail: `HTTP ${res.status}` };
  if (res.status === 403) return { outcome: 'refused', detail: `HTTP 403 ${text.slice(0, 200)}` };
  return { outcome: 'error', detail: `HTTP ${res.status} ${text.slice(0, 300)}` };
}

const created: { namespace: string; pod: string }[] = [];

async function createdPod(res: Response): Promise<Cell> {
  if (res.ok) {
    const body = (await res.clone().json()) as { namespace: string; pod: string };
    created.push({ namespace: body.namespace, pod: body.pod });
  }
  return outcomeOf(res);
}

function postJson(person: Person, apiPath: string, body: object): Promise<Response> {
  return person.client.fetch(apiPath, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function terminal(person: Person, podscope: RunningPodscope, pod: string): Promise<Cell> {
  const t = new TerminalClient(terminalUrl(podscope.wsUrl, NS, pod, { container: 'app' }), {
    cookie: person.client.cookie,
  });
  try {
    await t.until(
      'ready or error',
      () => t.message('ready') !== undefined || t.message('error') !== undefined,
    );
  } catch (err) {
    return { outcome: 'error', detail: String(err) };
  }
  const error = t.message('error');
  if (error) {
    t.close();
    return error.status === 403
      ? { outcome: 'refused', detail: `403 ${error.message}` }
      : { outcome: 'error', detail: JSON.stringify(error) };
  }
  t.type(`echo "matrix-$((6 * 7))"\r`);
  await t.outputMatches(/matrix-42/);
  t.type('exit\r');
  await t.closed;
  return { outcome: 'allowed', detail: 'ran a command' };
}

function runAction(action: Action, person: Person, podscope: RunningPodscope, pod: string): Promise<Cell> {
  const podApi = `/api/clusters/${CLUSTER}/namespaces/${NS}/pods/${pod}`;
  const files = (op: string, q: Record<string, string>) => `${podApi}/files/${op}?${new URLSearchParams(q)}`;
  switch (action) {
    case 'list pods':
      return person.client.fetch(`/api/clusters/${CLUSTER}/namespaces/${NS}/pods`).then(outcomeOf);
    case 'read logs':
      return person.client.fetch(`${podApi}/logs?container=app&tailLines=5`).then(outcomeOf);
    case 'terminal':
      return terminal(person, podscope, pod);
    case 'debug container':
      return postJson(person, `${podApi}/debug-containers`, { target: 'app' }).then(outcomeOf);
    case 'copy':
      return postJson(person, `${podApi}/copies`, { container: 'app' }).then(createdPod);
    case 'node debug':
      return postJson(person, `/api/clusters/${CLUSTER}/nodes/${NODE}/debug`, {}).then(createdPod);
    case 'file download':
      return person.client
        .fetch(files('download', { container: 'app', path: '/etc/hostname' }))
        .then(outcomeOf);
    case 'file upload':
      return person.client
        .fetch(files('upload', { container: 'app', path: `/tmp/matrix-${person.user}.txt` }), {
          method: 'PUT',
          headers: { 'content-type': 'application/octet-stream' },
          body: `uploaded by ${person.user}\n`,
        })
        .then(outcomeOf);
  }
}

for (const mode of IDENTITY_MODES) {
  describe(`RBAC matrix — ${mode.name}`, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'podscope-matrix-'));
    const audit = new SqliteAuditStore(path.join(dir, 'audit.db'));
    const pod = uniqueName('matrix');
    let podscope: RunningPodscope;
    const cells = new Map<string, Cell>();

    before(async () => {
      const manifest = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: pod, namespace: NS, labels: { 'podscope-test': 'true' } },
        spec: {
          terminationGracePeriodSeconds: 0,
          containers: [
            {
              name: 'app',
              image: APP_IMAGE,
              imagePullPolicy: 'Never',
              command: ['sh', '-c', 'echo matrix app up; exec sleep 100000'],
            },
          ],
        },
      };
      const r = await kubectl(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
      assert.equal(r.code, 0, r.stderr);
      await waitFor(`${pod} running`, async () => {
        const p = await kubectl(['-n', NS, 'get', 'pod', pod, '-o', 'jsonpath={.status.phase}']);
        return p.stdout === 'Running' ? true : undefined;
      });
      podscope = await mode.start(audit);
    });
    after(async () => {
      await podscope?.close();
      await audit.close();
      for (const p of [...created.splice(0), { namespace: NS, pod }]) {
        await kubectl(['-n', p.namespace, 'delete', 'pod', p.pod, '--wait=false', '--grace-period=0']);
      }
      rmSync(dir, { recursive: true, force: true });
    });

    for (const user of Object.keys(EXPECTED) as TestUserName[]) {
      test(`${TEST_PEOPLE[user].email} (${TEST_PEOPLE[user].role}): every action as expected`, async (t) => {
        const person = await mode.signIn(podscope, user);
        const wrong: string[] = [];
        for (const action of ACTIONS) {
          const cell = await runAction(action, person, podscope, pod);
          cells.set(`${user}/${action}`, cell);
          const expected = EXPECTED[user][action];
          if (cell.outcome !== expected)
            wrong.push(`${action}: ${cell.outcome}, expected ${expected} (${cell.detail})`);
        }
        t.diagnostic(ACTIONS.map((a) => `${a}: ${cells.get(`${user}/${a}`)!.outcome}`).join('; '));
        assert.deepEqual(wrong, []);
      });
    }

    test('the matrix as a whole: 0 unauthorized successes, 0 wrongly refused', (t) => {
      let unauthorized = 0;
      let wronglyRefused = 0;
      const rows = [`| person | ${ACTIONS.join(' | ')} |`, `|---|${ACTIONS.map(() => '---').join('|')}|`];
      for (const user of Object.keys(EXPECTED) as TestUserName[]) {
        const marks = ACTIONS.map((a) => {
          const got = cells.get(`${user}/${a}`)?.outcome;
          const expected = EXPECTED[user][a];
          if (got === 'allowed' && expected === 'refused') unauthorized += 1;
          if (got !== 'allowed' && expected === 'allowed') wronglyRefused += 1;
          if (got === 'refused' && expected === 'refused') return '403';
          return got === 'allowed' && expected === 'allowed' ? 'yes' : `**${got ?? 'not run'}**`;
        });
        rows.push(`| ${user} | ${marks.join(' | ')} |`);
      }
      t.diagnostic(`\n${rows.join('\n')}`);
      assert.equal(cells.size, ACTIONS.length * Object.keys(EXPECTED).length, 'every cell ran');
      assert.equal(unauthorized, 0, 'unauthorized successes');
      assert.equal(wronglyRefused, 0, 'wrongly refused');
    });

    test("the audit names the person: dana's terminal session is recorded as dana@podscope.test", async () => {
      const { sessions } = await audit.listSessions({ namespace: NS, pod, kind: 'exec' });
      assert.ok(
        sessions.some(
          (s) => s.identity.user === 'dana@podscope.test' && s.identity.groups.includes('dev-team'),
        ),
        JSON.stringify(sessions.map((s) => s.identity)),
      );
    });
  });
}
