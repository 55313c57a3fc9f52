// The cluster supports what Podscope builds on: logs, previous logs, exec, ephemeral debug, real RBAC.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { V1Pod, V1PodList } from '@kubernetes/client-node';
import {
  DEBUG_IMAGE,
  getJson,
  kubectl,
  nobodyKubeconfig,
  uniqueName,
  waitFor,
} from '../../support/cluster.js';

async function webPod(): Promise<string> {
  return waitFor('a running web pod', async () => {
    const list = await getJson<V1PodList>(['-n', 'demo', 'get', 'pods', '-l', 'app=web']);
    return list.items.find((p) => p.status?.containerStatuses?.[0]?.state?.running)?.metadata?.name;
  });
}

describe('kubectl against the local cluster', () => {
  test('logs returns the container output, including multi-byte UTF-8', async () => {
    const name = await webPod();
    const out = await waitFor('json line', async () => {
      const r = await kubectl(['-n', 'demo', 'logs', name, '--tail=20']);
      return r.stdout.includes('"order served"') ? r.stdout : undefined;
    });
    assert.match(out, /Zoë Ångström/);
    assert.match(out, /\u001b\[32mINFO/);
  });

  test('logs --previous returns the crashed instance output', async () => {
    const out = await waitFor(
      'previous logs',
      async () => {
        const r = await kubectl(['-n', 'demo', 'logs', 'crashloop', '--previous']);
        return r.code === 0 && r.stdout.includes('FATAL') ? r.stdout : undefined;
      },
      120_000,
    );
    assert.match(out, /payments v2\.3\.1 starting/);
  });

  test('exec propagates the exit code', async () => {
    const name = await webPod();
    const r = await kubectl(['-n', 'demo', 'exec', name, '-c', 'app', '--', 'sh', '-c', 'echo out; exit 7']);
    assert.equal(r.code, 7);
    assert.equal(r.stdout, 'out\n');
  });

  test('kubectl debug --target puts the tools image into the app process namespace', async () => {
    const dbg = uniqueName('dbg');
    const r = await kubectl([
      '-n',
      'demo',
      'debug',
      'noshell',
      `--container=${dbg}`,
      '--target=app',
      `--image=${DEBUG_IMAGE}`,
      '--image-pull-policy=Never',
      '--profile=general',
      '--',
      'ps',
      '-eo',
      'pid,args',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = await waitFor('debug container output', async () => {
      const p = await getJson<V1Pod>(['-n', 'demo', 'get', 'pod', 'noshell']);
      const s = p.status?.ephemeralContainerStatuses?.find((c) => c.name === dbg);
      if (!s?.state?.terminated) return undefined;
      return (await kubectl(['-n', 'demo', 'logs', 'noshell', '-c', dbg])).stdout;
    });
    // PID 1 of the shared namespace is the app's own binary.
    assert.match(out, /^\s*1\s+\/app\s*$/m, out);
  });

  test('RBAC is enforced: a user with no bindings is forbidden', async () => {
    const r = await kubectl(['-n', 'demo', 'get', 'pods'], { kubeconfig: nobodyKubeconfig });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /forbidden/i);
    assert.match(r.stderr, /User "podscope-nobody"/);
    const canI = await kubectl(['auth', 'can-i', 'create', 'pods/exec', '-n', 'demo'], {
      kubeconfig: nobodyKubeconfig,
    });
    assert.equal(canI.stdout.trim(), 'no');
  });
});
