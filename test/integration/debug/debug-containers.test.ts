// Debug (ephemeral) containers on the real cluster: they join the target's namespaces, are reused while
// running, shown as finished when done, can run as a chosen user, and bad requests change nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DebugContainerCreated, DebugContainerView } from '../../../src/shared/debug/debug-api.js';
import type { SessionWithCommands } from '../../../src/server/audit/audit-store.js';
import { APP_IMAGE, DEBUG_IMAGE, getJson as kubectlJson, waitFor } from '../../support/cluster.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../../support/podscope.js';
import { createPod, deletePod, execIn, NS, request, waitContainerRunning } from './debug-helpers.js';

let podscope: RunningPodscope;
const pods: string[] = [];
let healthy: string;
let nonroot: string;
const marker = `app-marker-${process.pid}`;

before(async () => {
  podscope = await startPodscope();
  healthy = await createPod('dbg-healthy', {
    containers: [
      {
        name: 'app',
        image: APP_IMAGE,
        imagePullPolicy: 'Never',
        command: ['sh', '-c', `exec sleep 100000 # ${marker}`],
      },
    ],
  });
  nonroot = await createPod('dbg-nonroot', {
    securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 },
    containers: [{ name: 'app', image: APP_IMAGE, imagePullPolicy: 'Never', command: ['sleep', '100000'] }],
  });
  pods.push(healthy, nonroot);
  await Promise.all([waitContainerRunning(healthy, 'app'), waitContainerRunning(nonroot, 'app')]);
});
after(async () => {
  await Promise.all(pods.map((p) => deletePod(p)));
  await podscope.close();
});

const url = (pod: string) => `/api/clusters/${CLUSTER}/namespaces/${NS}/pods/${pod}/debug-containers`;
const ephemeralCount = async (pod: string) =>
  (
    (await kubectlJson<{ spec: { ephemeralContainers?: unknown[] } }>(['-n', NS, 'get', 'pod', pod])).spec
      .ephemeralContainers ?? []
  ).length;

describe('debug container on a healthy pod', () => {
  let first: DebugContainerCreated;

  test('is created running, targeting the app, and sees the app’s processes', async () => {
    const r = await request<DebugContainerCreated>(podscope, 'POST', url(healthy), { target: 'app' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    first = r.body;
    assert.equal(first.container, 'podscope-debug-app-1');
    assert.equal(first.reused, false);
    assert.equal(first.state, 'running');
    const ps = await execIn(healthy, first.container, ['ps', '-eo', 'pid,user,args']);
    assert.match(ps, new RegExp(`sleep 100000`), ps);
    assert.match(
      ps,
      /^\s*1\s+root\s+sleep 100000/m,
      'PID 1 is the app’s process: the debug container shares its PID namespace',
    );
    // general profile: strace can attach to the app's process
    const strace = await execIn(healthy, first.container, ['timeout', '2', 'strace', '-p', '1']).catch(
      (e: Error) => e.message,
    );
    assert.doesNotMatch(strace, /Operation not permitted/, strace);
  });

  test('the same request reuses the running one instead of adding another', async () => {
    const before = await ephemeralCount(healthy);
    const r = await request<DebugContainerCreated>(podscope, 'POST', url(healthy), {
      target: 'app',
      profile: 'general',
    });
    assert.equal(r.status, 200);
    assert.equal(r.body.reused, true);
    assert.equal(r.body.container, first.container);
    assert.equal(await ephemeralCount(healthy), before);
  });

  test('another profile gets its own clearly named container', async () => {
    const r = await request<DebugContainerCreated>(podscope, 'POST', url(healthy), {
      target: 'app',
      profile: 'netadmin',
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.container, 'podscope-debug-app-2');
    const caps = await execIn(healthy, r.body.container, ['grep', 'CapEff', '/proc/self/status']);
    // NET_ADMIN is bit 12, NET_RAW bit 13
    const eff = BigInt(`0x${caps.trim().split(/\s+/)[1]}`);
    assert.ok((eff >> 12n) & 1n && (eff >> 13n) & 1n, caps);
  });

  test('a finished one is listed as finished and never reused', async () => {
    // End the first debug container's shell (its main process); the container then terminates.
    const ps = await execIn(healthy, first.container, ['ps', '-eo', 'pid,args']);
    const bash = ps.split('\n').find((l) => /^\s*\d+\s+bash\s*$/.test(l));
    assert.ok(bash, ps);
    await execIn(healthy, 'podscope-debug-app-2', ['kill', '-9', bash.trim().split(/\s+/)[0]!]).catch(
      () => '',
    );
    await waitFor('debug container finished', async () => {
      const list = (await podscope.getJson<{ containers: DebugContainerView[] }>(url(healthy))).body
        .containers;
      return list.find((c) => c.name === first.container)?.state === 'finished' ? list : undefined;
    });
    const list = (await podscope.getJson<{ containers: DebugContainerView[] }>(url(healthy))).body.containers;
    assert.deepEqual(
      list.map((c) => [c.name, c.state, c.profile, c.podscope]),
      [
        ['podscope-debug-app-1', 'finished', 'general', true],
        ['podscope-debug-app-2', 'running', 'netadmin', true],
      ],
    );
    const r = await request<DebugContainerCreated>(podscope, 'POST', url(healthy), { target: 'app' });
    assert.equal(r.status, 201);
    assert.equal(r.body.container, 'podscope-debug-app-3');
  });

  test('each creation has an audit record naming target, image and profile', async () => {
    const s = (await podscope.getJson<SessionWithCommands>(`/api/audit/sessions/${first.auditSession}`)).body;
    assert.equal(s.kind, 'debug');
    assert.equal(s.pod, healthy);
    assert.equal(s.container, 'podscope-debug-app-1');
    assert.equal(s.details['target'], 'app');
    assert.equal(s.details['image'], DEBUG_IMAGE);
    assert.equal(s.details['profile'], 'general');
    assert.notEqual(s.endedAt, null);
    // Seen running by an exec that got through, or by the pod's status, whichever came first.
    assert.ok(['exec', 'status'].includes(s.outcome?.['startedBy'] as string), JSON.stringify(s.outcome));
  });
});

describe('a debug container that cannot start', () => {
  test('is reported with the reason from the pod (the exec probes never mistake it for running)', async () => {
    const missing = 'podscope.local/debug-missing:1';
    const other = await startPodscope({ debug: { images: [DEBUG_IMAGE, missing] } });
    try {
      const r = await request<{ error: string }>(other, 'POST', url(healthy), {
        target: 'app',
        image: missing,
      });
      assert.equal(r.status, 422, JSON.stringify(r.body));
      assert.match(r.body.error, /cannot start \((ErrImagePull|ImagePullBackOff)\)/);
    } finally {
      await other.close();
    }
  });
});

describe('debug container on a runAsNonRoot pod (kubectl cannot choose a user)', () => {
  test('runs as the app’s user by default, so the root tools image is accepted', async () => {
    const r = await request<DebugContainerCreated>(podscope, 'POST', url(nonroot), { target: 'app' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.match(r.body.user, /user 1000, the app's user/);
    assert.equal((await execIn(nonroot, r.body.container, ['id', '-u'])).trim(), '1000');
  });
  test('a chosen user is used', async () => {
    const r = await request<DebugContainerCreated>(podscope, 'POST', url(nonroot), {
      target: 'app',
      runAsUser: 4242,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal((await execIn(nonroot, r.body.container, ['id', '-u'])).trim(), '4242');
  });
  test('root is refused with a reason, and nothing is added', async () => {
    const before = await ephemeralCount(nonroot);
    const r = await request<{ error: string }>(podscope, 'POST', url(nonroot), {
      target: 'app',
      runAsUser: 0,
    });
    assert.equal(r.status, 400);
    assert.match(r.body.error, /requires non-root users/);
    assert.equal(await ephemeralCount(nonroot), before);
  });
});

describe('bad debug requests are refused and change nothing', () => {
  const cases: [string, unknown, number, RegExp][] = [
    [
      'image not on the allowed list',
      { target: 'app', image: 'alpine:latest' },
      400,
      /not allowed for debugging; choose one of: podscope\.local\/debug-tools:1/,
    ],
    ['unknown profile', { target: 'app', profile: 'root' }, 400, /Profile "root" is unknown/],
    [
      'runAsUser out of range',
      { target: 'app', runAsUser: 2 ** 31 },
      400,
      /runAsUser" must be a whole number/,
    ],
    ['unknown target container', { target: 'db' }, 400, /no app container "db"/],
    ['missing target', {}, 400, /"target" is required/],
    ['unknown field', { target: 'app', privileged: true }, 400, /Unknown field "privileged"/],
  ];
  for (const [what, body, status, error] of cases) {
    test(what, async () => {
      const before = await ephemeralCount(healthy);
      const r = await request<{ error: string }>(podscope, 'POST', url(healthy), body);
      assert.equal(r.status, status, JSON.stringify(r.body));
      assert.match(r.body.error, error);
      assert.equal(await ephemeralCount(healthy), before);
    });
  }
  test('unknown pod → 404', async () => {
    const r = await request<{ error: string }>(podscope, 'POST', url('no-such-pod'), { target: 'app' });
    assert.equal(r.status, 404);
    assert.match(r.body.error, /Pod "no-such-pod" was not found/);
  });
});
