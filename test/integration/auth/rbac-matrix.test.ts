// The RBAC matrix: the four test people × Podscope's actions in `demo`, through Podscope's real API
// against the real API server, each cell with its expected outcome from the bindings in
// cluster/demo/01-people.yaml — 0 unauthorized successes, 0 wrongly refused — in both identity modes of
// single sign-on (`--auth oidc`: impersonation and token pass-through), each person signed in through
// the provider's real form. "Read others' audit": dana's terminal session, listed and opened (detail and
// recording) by each person, with `audit.auditorGroups: ["platform-admins"]` — her own for dana,
// everyone's for olga, a 404 (and absent from the list) for the others.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SqliteAuditStore } from '../../../src/server/audit/sqlite-audit-store.js';
import type { IdentityMode } from '../../../src/server/auth/oidc-settings.js';
import { DEFAULT_CONFIG } from '../../../src/server/config/podscope-config.js';
import type { AuditSessionPage } from '../../../src/shared/audit/api.js';
import { APP_IMAGE, kubectl, uniqueName, waitFor } from '../../support/cluster.js';
import { oidcEnv, TEST_PEOPLE, type TestUserName } from '../../support/oidc.js';
import { freePort, oidcLoginOptions, signInWithProvider } from '../../support/oidc-login.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../../support/podscope.js';
import type { SignedInClient } from '../../support/token-login.js';
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
  "read others' audit",
] as const;
type Action = (typeof ACTIONS)[number];
type Outcome = 'allowed' | 'refused';

const ALL = Object.fromEntries(ACTIONS.map((a) => [a, 'allowed'])) as Record<Action, Outcome>;
const NONE = Object.fromEntries(ACTIONS.map((a) => [a, 'refused'])) as Record<Action, Outcome>;

/**
 * What each person may do in `demo`, from their bindings: dana `edit` + debug containers (terminal, files
 * and copies need pods/exec and create pods, which `edit` has; node debug needs rights outside demo);
 * victor `view` (read only); olga `cluster-admin`; nora nothing. Dana runs first, so by the others' turn
 * she has made a debug container: victor's cell checks that reusing one is refused too. "Read others'
 * audit" is dana's terminal session: hers (she reads it), olga's as a member of the auditor group
 * `platform-admins`; victor and nora get a 404 and do not see it listed.
 */
const EXPECTED: Record<TestUserName, Record<Action, Outcome>> = {
  dana: { ...ALL, 'node debug': 'refused' },
  victor: { ...NONE, 'list pods': 'allowed', 'read logs': 'allowed' },
  olga: ALL,
  nora: NONE,
};
const PEOPLE = Object.keys(EXPECTED) as TestUserName[];
const IDENTITY_MODES: readonly IdentityMode[] = ['impersonation', 'token'];

const config = {
  ...DEFAULT_CONFIG,
  auth: { ...DEFAULT_CONFIG.auth, loginAttempts: { perClient: 1000, windowMs: 60_000 } },
  audit: { ...DEFAULT_CONFIG.audit, auditorGroups: ['platform-admins'] },
};

/** A person signed in to Podscope through the provider's form, as a browser would be. */
interface Person {
  user: TestUserName;
  client: SignedInClient;
}

interface Cell {
  outcome: Outcome | 'error';
  detail: string;
  /** The terminal's audit session. */
  sessionId?: string;
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
  const sessionId = String(t.message('ready')!.sessionId);
  t.type(`echo "matrix-$((6 * 7))"\r`);
  await t.outputMatches(/matrix-42/);
  t.type('exit\r');
  await t.closed;
  return { outcome: 'allowed', detail: 'ran a command', sessionId };
}

/**
 * Dana's terminal session as `person` reads the audit: listed (the pod's exec sessions), its detail and
 * its recording. Allowed: all three; refused: absent from the list and 404 twice; anything else: error.
 */
async function readAudit(person: Person, sessionId: string | undefined, pod: string): Promise<Cell> {
  if (sessionId === undefined) return { outcome: 'error', detail: "dana's terminal session did not run" };
  const list = await person.client.fetch(`/api/audit/sessions?${new URLSearchParams({ pod, kind: 'exec' })}`);
  if (list.status !== 200)
    return { outcome: 'error', detail: `list: HTTP ${list.status} ${await list.text()}` };
  const page = (await list.json()) as AuditSessionPage;
  const listed = page.sessions.some((s) => s.id === sessionId);
  const detail = await person.client.fetch(`/api/audit/sessions/${sessionId}`);
  const recording = await person.client.fetch(`/api/audit/sessions/${sessionId}/recording.cast`);
  const recordingText = await recording.text();
  await detail.body?.cancel();
  const summary = `scope ${page.scope}, listed ${listed}, detail ${detail.status}, recording ${recording.status}`;
  if (listed && detail.status === 200 && recording.status === 200 && recordingText.includes('matrix-42'))
    return { outcome: 'allowed', detail: summary };
  if (!listed && detail.status === 404 && recording.status === 404)
    return { outcome: 'refused', detail: summary };
  return { outcome: 'error', detail: summary };
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
    case "read others' audit":
      throw new Error('the audit column runs after every row (readAudit)');
  }
}

async function cellOf(run: () => Promise<Cell>): Promise<Cell> {
  try {
    return await run();
  } catch (err) {
    return { outcome: 'error', detail: String(err) };
  }
}

const mark = (got: Cell['outcome'] | undefined, expected: Outcome): string => {
  if (got === 'refused' && expected === 'refused') return 'no';
  if (got === 'allowed' && expected === 'allowed') return 'yes';
  return `**${got ?? 'not run'}** (expected ${expected === 'allowed' ? 'yes' : 'no'})`;
};

for (const mode of IDENTITY_MODES) {
  describe(`RBAC matrix — single sign-on, identity mode ${mode}`, () => {
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
      const port = await freePort();
      [podscope] = await Promise.all([
        startPodscope({
          audit,
          config,
          port,
          oidcLogin: oidcLoginOptions(`http://127.0.0.1:${port}`, mode),
        }),
        waitFor(`${pod} running`, async () => {
          const p = await kubectl(['-n', NS, 'get', 'pod', pod, '-o', 'jsonpath={.status.phase}']);
          return p.stdout === 'Running' ? true : undefined;
        }),
      ]);
      const ca = oidcEnv().ca;
      const people = await Promise.all(
        PEOPLE.map(async (user): Promise<Person> => {
          const client = await signInWithProvider(podscope.url, user, ca);
          const me = await client.getJson<{ user: { username: string } | null }>('/api/auth/session');
          assert.equal(me.body.user?.username, TEST_PEOPLE[user].email);
          return { user, client };
        }),
      );
      const row = async (person: Person) => {
        for (const action of ACTIONS) {
          if (action === "read others' audit") continue;
          cells.set(`${person.user}/${action}`, await cellOf(() => runAction(action, person, podscope, pod)));
        }
      };
      // Dana first (her debug container and terminal session are the others' cells), then the rest in
      // parallel, then everyone reads the audit at once.
      const [dana, ...others] = people as [Person, ...Person[]];
      await row(dana);
      await Promise.all(others.map(row));
      const danaSession = cells.get('dana/terminal')?.sessionId;
      await Promise.all(
        people.map(async (person) =>
          cells.set(
            `${person.user}/read others' audit`,
            await cellOf(() => readAudit(person, danaSession, pod)),
          ),
        ),
      );
    });
    after(async () => {
      await podscope?.close();
      await audit.close();
      for (const p of [...created.splice(0), { namespace: NS, pod }]) {
        await kubectl(['-n', p.namespace, 'delete', 'pod', p.pod, '--wait=false', '--grace-period=0']);
      }
      rmSync(dir, { recursive: true, force: true });
    });

    for (const user of PEOPLE) {
      test(`${TEST_PEOPLE[user].email} (${TEST_PEOPLE[user].role}): every action as expected`, (t) => {
        const wrong: string[] = [];
        for (const action of ACTIONS) {
          const cell = cells.get(`${user}/${action}`);
          const expected = EXPECTED[user][action];
          if (cell?.outcome !== expected)
            wrong.push(`${action}: ${cell?.outcome ?? 'not run'}, expected ${expected} (${cell?.detail})`);
        }
        t.diagnostic(
          `${mode} | ${user}: ${ACTIONS.map((a) => `${a} ${mark(cells.get(`${user}/${a}`)?.outcome, EXPECTED[user][a])}`).join('; ')}`,
        );
        assert.deepEqual(wrong, []);
      });
    }

    test('the matrix as a whole: 0 unauthorized successes, 0 wrongly refused', (t) => {
      let unauthorized = 0;
      let wronglyRefused = 0;
      const rows = [
        `| mode | person | ${ACTIONS.join(' | ')} |`,
        `|---|---|${ACTIONS.map(() => '---').join('|')}|`,
      ];
      for (const user of PEOPLE) {
        const marks = ACTIONS.map((a) => {
          const got = cells.get(`${user}/${a}`)?.outcome;
          const expected = EXPECTED[user][a];
          if (got === 'allowed' && expected === 'refused') unauthorized += 1;
          if (got !== 'allowed' && expected === 'allowed') wronglyRefused += 1;
          return mark(got, expected);
        });
        rows.push(`| ${mode} | ${user} | ${marks.join(' | ')} |`);
      }
      t.diagnostic(`\n${rows.join('\n')}`);
      t.diagnostic(`unauthorized successes: ${unauthorized}, wrongly refused: ${wronglyRefused}`);
      assert.equal(cells.size, ACTIONS.length * PEOPLE.length, 'every cell ran');
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
