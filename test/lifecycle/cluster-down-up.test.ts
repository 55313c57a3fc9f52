// `cluster:down` leaves nothing behind on the host, and `cluster:up` works again afterwards.
// Runs last in `npm test`: it stops the cluster every other test uses.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot, stateDir } from '../support/cluster.js';

const cacheRoot = process.env.PODSCOPE_CACHE ?? '/var/cache/podscope';

function run(cmd: string, args: string[]) {
  return new Promise<{ code: number; out: string }>((resolve) => {
    execFile(
      cmd,
      args,
      { cwd: repoRoot, timeout: 600_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr });
      },
    );
  });
}

/** Processes whose executable or command line belongs to the cluster. */
function clusterProcesses(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      const exe = readlinkSync(`/proc/${pid}/exe`);
      const cgroup = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
      if (exe.startsWith(cacheRoot) || cmdline.includes(stateDir) || cgroup.includes('/kubepods')) {
        found.push(`${pid} ${cmdline}`);
      }
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

function clusterMounts(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter(
      (m) => m.startsWith(stateDir) || m.startsWith('/run/netns/cni-') || m.startsWith('/var/run/netns/cni-'),
    );
}

async function clusterLinks(): Promise<string[]> {
  const r = await run('ip', ['-o', 'link', 'show']);
  return r.out
    .split('\n')
    .map((l) => l.split(': ')[1]?.split('@')[0] ?? '')
    .filter((n) => n.startsWith('podscope') || n.startsWith('veth'));
}

/** kube-proxy's Service rules (chains KUBE-SERVICES, KUBE-SVC-…, KUBE-SEP-…, KUBE-NODEPORTS). */
async function serviceRules(): Promise<string[]> {
  const r = await run('iptables', ['-t', 'nat', '-S']);
  return r.out.split('\n').filter((l) => /KUBE-(SERVICES|SVC-|SEP-|NODEPORTS|POSTROUTING)/.test(l));
}

test('cluster:down removes every process, mount, interface and the state dir', async () => {
  const down = await run('bash', [path.join(repoRoot, 'cluster/down.sh')]);
  assert.equal(down.code, 0, down.out);
  assert.deepEqual(clusterProcesses(), []);
  assert.deepEqual(clusterMounts(), []);
  assert.deepEqual(await clusterLinks(), []);
  assert.deepEqual(await serviceRules(), [], "kube-proxy's Service rules are removed");
  assert.equal(existsSync(stateDir), false, `${stateDir} still exists`);
  assert.equal(existsSync(path.join(cacheRoot)), true, 'the build cache must be kept');
});

test('cluster:up works again after down and reaches a Ready node', async () => {
  const up = await run('bash', [path.join(repoRoot, 'cluster/up.sh')]);
  assert.equal(up.code, 0, up.out);
  assert.match(up.out, /node podscope-node is Ready/);
  const kubectl = path.join(stateDir, 'bin/kubectl');
  const r = await run(kubectl, [
    '--kubeconfig',
    path.join(stateDir, 'kubeconfig'),
    'get',
    'node',
    'podscope-node',
    '-o',
    'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
  ]);
  assert.equal(r.out.trim(), 'True');
});
