import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { debugFixture } from '../../../test/support/debug-fixtures.js';
import {
  buildDebugContainer,
  chooseUser,
  containerStartOutcome,
  debugContainerViews,
  findReusableDebugContainer,
  nextDebugContainerName,
  FALLBACK_NON_ROOT_UID,
  PROFILE_ENV,
  type DebugContainerRequest,
} from './debug-container.js';
import type { Pod } from './types.js';

const fixture = debugFixture;

const TOOLS = 'podscope.local/debug-tools:1';
const req = (over: Partial<DebugContainerRequest> = {}): DebugContainerRequest => ({
  target: 'app',
  image: TOOLS,
  profile: 'general',
  ...over,
});

function build(pod: Pod, over: Partial<DebugContainerRequest> = {}) {
  const r = buildDebugContainer(pod, req(over), 'podscope-debug-app-1');
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

describe('buildDebugContainer: profiles as kubectl defines them', () => {
  test('general adds SYS_PTRACE, targets the container, waits on a TTY', () => {
    const { container } = build(fixture('web'));
    assert.equal(container.targetContainerName, 'app');
    assert.equal(container.image, TOOLS);
    assert.equal(container.stdin, true);
    assert.equal(container.tty, true);
    assert.equal(container.command, undefined, "runs the image's own shell");
    assert.deepEqual(container.securityContext, { capabilities: { add: ['SYS_PTRACE'] } });
    assert.deepEqual(container.env, [{ name: PROFILE_ENV, value: 'general' }]);
  });
  test('baseline adds nothing', () => {
    assert.equal(build(fixture('web'), { profile: 'baseline' }).container.securityContext, undefined);
  });
  test('restricted: non-root, drop ALL, no escalation, RuntimeDefault seccomp, and a non-root user', () => {
    const { container, user } = build(fixture('web'), { profile: 'restricted' });
    assert.deepEqual(container.securityContext, {
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      allowPrivilegeEscalation: false,
      seccompProfile: { type: 'RuntimeDefault' },
      runAsUser: FALLBACK_NON_ROOT_UID,
    });
    assert.match(user.reason, /profile requires non-root/);
  });
  test('netadmin adds NET_ADMIN and NET_RAW', () => {
    assert.deepEqual(build(fixture('web'), { profile: 'netadmin' }).container.securityContext, {
      capabilities: { add: ['NET_ADMIN', 'NET_RAW'] },
    });
  });
  test('sysadmin is privileged', () => {
    assert.deepEqual(build(fixture('web'), { profile: 'sysadmin' }).container.securityContext, {
      privileged: true,
    });
  });
  test('an unknown target container is refused with the names there are', () => {
    const r = buildDebugContainer(fixture('multi'), req({ target: 'nope' }), 'x');
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.error : '', /no app container "nope".*: \w+, \w+/);
  });
});

describe('chooseUser: unlike kubectl, the debug container can run as a chosen user', () => {
  const web = fixture('web');
  const nonroot = fixture('web-nonroot');
  const app = (p: Pod) => p.spec!.containers[0]!;
  test("a normal pod keeps the image's user unless one is asked for", () => {
    const r = chooseUser(web, app(web), req());
    assert.deepEqual(r, { ok: true, value: { reason: "the image's own user" } });
    const asked = chooseUser(web, app(web), req({ runAsUser: 1234, runAsGroup: 55 }));
    assert.deepEqual(asked.ok && asked.value, {
      runAsUser: 1234,
      runAsGroup: 55,
      reason: 'user 1234, as requested',
    });
  });
  test("a runAsNonRoot pod gets the app's user and group by default", () => {
    const r = chooseUser(nonroot, app(nonroot), req());
    assert.ok(r.ok);
    assert.equal(r.value.runAsUser, 1000);
    assert.equal(r.value.runAsGroup, 3000);
    assert.equal(r.value.runAsNonRoot, true);
    assert.match(r.value.reason, /the app's user, because the pod requires non-root/);
  });
  test('a runAsNonRoot pod refuses root', () => {
    const r = chooseUser(nonroot, app(nonroot), req({ runAsUser: 0 }));
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.error : '', /requires non-root users/);
  });
  test('the restricted profile refuses root even on a normal pod', () => {
    const r = chooseUser(web, app(web), req({ profile: 'restricted', runAsUser: 0 }));
    assert.match(!r.ok ? r.error : '', /restricted profile cannot run as root/);
  });
  test('a container-level runAsNonRoot without a user falls back to nobody', () => {
    const pod = fixture('web');
    app(pod).securityContext = { runAsNonRoot: true };
    const r = chooseUser(pod, app(pod), req());
    assert.equal(r.ok && r.value.runAsUser, FALLBACK_NON_ROOT_UID);
  });
  test('out-of-range users are refused', () => {
    for (const runAsUser of [-1, 2 ** 31, 1.5]) {
      const r = chooseUser(web, app(web), req({ runAsUser }));
      assert.match(!r.ok ? r.error : '', /runAsUser must be a whole number from 0 to 2147483647/);
    }
  });
  test('the user lands in the container spec', () => {
    const { container } = build(nonroot);
    assert.deepEqual(container.securityContext, {
      capabilities: { add: ['SYS_PTRACE'] },
      runAsUser: 1000,
      runAsGroup: 3000,
      runAsNonRoot: true,
    });
  });
});

describe('naming and reuse', () => {
  test('names are podscope-debug-<target>-<n>, skipping names in use', () => {
    const pod = fixture('noshell');
    assert.equal(nextDebugContainerName(pod, 'app'), 'podscope-debug-app-1');
    pod.spec!.ephemeralContainers!.push({ name: 'podscope-debug-app-1' }, { name: 'podscope-debug-app-2' });
    assert.equal(nextDebugContainerName(pod, 'app'), 'podscope-debug-app-3');
  });
  test('a long target name is cut so the name stays a 63-character DNS label', () => {
    const name = nextDebugContainerName(fixture('web'), 'a'.repeat(60));
    assert.ok(name.length <= 63);
    assert.match(name, /^podscope-debug-a+-1$/);
  });

  function withDebug(state: 'running' | 'terminated', over: Partial<DebugContainerRequest> = {}) {
    const pod = fixture('noshell');
    const { container } = build(pod, over);
    pod.spec!.ephemeralContainers!.push(container);
    pod.status!.ephemeralContainerStatuses!.push({
      name: container.name,
      state:
        state === 'running'
          ? { running: { startedAt: '2026-11-25T20:55:00Z' } }
          : { terminated: { exitCode: 0, reason: 'Completed', finishedAt: '2026-11-25T20:56:00Z' } },
    });
    return pod;
  }

  test('a running Podscope debug container with the same settings is reused', () => {
    const pod = withDebug('running');
    assert.equal(findReusableDebugContainer(pod, build(pod).container), 'podscope-debug-app-1');
  });
  test('a finished one is not reused', () => {
    const pod = withDebug('terminated');
    assert.equal(findReusableDebugContainer(pod, build(pod).container), undefined);
  });
  test('different profile, image or user means a new one', () => {
    const pod = withDebug('running');
    assert.equal(findReusableDebugContainer(pod, build(pod, { profile: 'netadmin' }).container), undefined);
    assert.equal(
      findReusableDebugContainer(pod, build(pod, { image: 'podscope.local/app:1' }).container),
      undefined,
    );
    assert.equal(findReusableDebugContainer(pod, build(pod, { runAsUser: 1000 }).container), undefined);
  });
  test('a running container someone else made (kubectl debug) is never reused', () => {
    const pod = fixture('noshell');
    const probe = pod.spec!.ephemeralContainers!.find((c) => c.name === 'probe1')!;
    const wanted = { ...probe, name: 'podscope-debug-app-1', env: [{ name: PROFILE_ENV, value: 'general' }] };
    assert.equal(findReusableDebugContainer(pod, wanted), undefined);
  });
  test('views show running and finished debug containers, and who made them', () => {
    const views = debugContainerViews(withDebug('running'));
    assert.deepEqual(
      views.map((v) => [v.name, v.state, v.reason, v.profile, v.podscope]),
      [
        ['dbg-1j7-0fcx1', 'finished', 'Completed', null, false],
        ['podscope-debug-app-1', 'running', null, 'general', true],
        ['probe1', 'running', null, null, false],
      ],
    );
  });
});

describe('containerStartOutcome: waiting for a new container', () => {
  const pod = (state: object | undefined): Pod => ({
    status: { ephemeralContainerStatuses: state ? [{ name: 'd', state }] : [] },
  });
  test('no status or ContainerCreating: keep waiting', () => {
    assert.equal(containerStartOutcome(pod(undefined), 'd'), undefined);
    assert.equal(containerStartOutcome(pod({ waiting: { reason: 'ContainerCreating' } }), 'd'), undefined);
  });
  test('running: done', () => {
    assert.deepEqual(containerStartOutcome(pod({ running: {} }), 'd'), { ok: true });
  });
  test('a config error (runAsNonRoot vs a root image) fails with kubelet’s message', () => {
    const r = containerStartOutcome(
      pod({
        waiting: {
          reason: 'CreateContainerConfigError',
          message: 'container has runAsNonRoot and image will run as root',
        },
      }),
      'd',
    );
    assert.match(r && !r.ok ? r.error : '', /CreateContainerConfigError\): container has runAsNonRoot/);
  });
  test('exited at once: fails with the exit code', () => {
    const r = containerStartOutcome(pod({ terminated: { exitCode: 127, reason: 'Error' } }), 'd');
    assert.match(r && !r.ok ? r.error : '', /"d" exited at once \(Error, exit code 127\)/);
  });
  test('an unschedulable pod fails with the scheduler’s message', () => {
    const p: Pod = {
      status: {
        phase: 'Pending',
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message: '0/1 nodes are available',
          },
        ],
      },
    };
    const r = containerStartOutcome(p, 'app');
    assert.match(r && !r.ok ? r.error : '', /cannot be scheduled: 0\/1 nodes are available/);
  });
  test('an app container of a copy is found too', () => {
    assert.deepEqual(
      containerStartOutcome(
        { status: { containerStatuses: [{ name: 'app', state: { running: {} } }] } },
        'app',
      ),
      { ok: true },
    );
  });
});
