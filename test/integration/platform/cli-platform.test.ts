// The CLI's platform flags, through the real CLI (src/server/cli.ts through tsx): --in-cluster outside a
// pod, --cluster-name, and --token-file, the access token replicas share.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { generateToken } from '../../../src/server/access/access-token.js';
import { adminKubeconfig, repoRoot } from '../../support/cluster.js';

const dir = mkdtempSync(path.join(tmpdir(), 'podscope-cli-platform-'));
const running: ChildProcess[] = [];
after(() => {
  for (const c of running) c.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI with `args`, outside any pod (no KUBERNETES_SERVICE_* in its environment). */
function cli(args: string[]) {
  const env = { ...process.env };
  delete env['KUBERNETES_SERVICE_HOST'];
  delete env['KUBERNETES_SERVICE_PORT'];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/server/cli.ts', '--data-dir', path.join(dir, 'data'), '--port', '0', ...args],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env },
  );
  running.push(child);
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const started = new Promise<string | null>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (/Access token: .*\n/.test(out)) resolve(out);
    });
    void exit.then(() => resolve(null));
  });
  return { stdout: () => out, stderr: () => err, exit, started };
}

test('--in-cluster outside a pod exits 2 saying what is missing', async () => {
  const c = cli(['--in-cluster']);
  assert.equal(await c.exit, 2);
  assert.match(c.stderr(), /--in-cluster needs to run in a pod: KUBERNETES_SERVICE_HOST.*token are missing/);
});

test('--in-cluster with --kubeconfig, or --cluster-name without --in-cluster, exits 2', async () => {
  const both = cli(['--in-cluster', '--kubeconfig', adminKubeconfig]);
  assert.equal(await both.exit, 2);
  assert.match(both.stderr(), /cannot be combined with --kubeconfig or --context/);
  const name = cli(['--kubeconfig', adminKubeconfig, '--cluster-name', 'prod']);
  assert.equal(await name.exit, 2);
  assert.match(name.stderr(), /--cluster-name names the in-cluster cluster: it needs --in-cluster/);
});

test('a bad --token-file, or one with --no-token, exits 2 before listening', async () => {
  const missing = cli(['--kubeconfig', adminKubeconfig, '--token-file', path.join(dir, 'nope')]);
  assert.equal(await missing.exit, 2);
  assert.match(missing.stderr(), /cannot read the token file .*nope: ENOENT/);
  const short = path.join(dir, 'short');
  writeFileSync(short, 'abc\n');
  const weak = cli(['--kubeconfig', adminKubeconfig, '--token-file', short]);
  assert.equal(await weak.exit, 2);
  assert.match(weak.stderr(), /must hold one token of 22 to 512 characters/);
  const both = cli(['--kubeconfig', adminKubeconfig, '--token-file', short, '--no-token']);
  assert.equal(await both.exit, 2);
  assert.match(both.stderr(), /--no-token and --token-file exclude each other/);
});

test('--token-file: the token is not printed, and two servers started with it accept the same token', async () => {
  const token = generateToken();
  const file = path.join(dir, 'token');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  const servers = [
    cli(['--kubeconfig', adminKubeconfig, '--token-file', file]),
    cli(['--kubeconfig', adminKubeconfig, '--token-file', file]),
  ];
  for (const s of servers) {
    const out = await s.started;
    assert.ok(out, s.stderr());
    assert.doesNotMatch(out, new RegExp(token), 'the shared token stays out of the output');
    assert.match(out, new RegExp(`Access token: the one in ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const base = /Podscope is running at (http:\/\/127\.0\.0\.1:\d+)\/\n/.exec(out)?.[1];
    assert.ok(base, out);
    const ok = await fetch(`${base}/api/clusters`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);
    const wrong = await fetch(`${base}/api/clusters`, {
      headers: { authorization: `Bearer ${generateToken()}` },
    });
    assert.equal(wrong.status, 401);
  }
});
