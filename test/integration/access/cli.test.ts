// The real CLI (src/server/cli.ts through tsx, as the crash test runs it): the URL it prints carries a
// new token, a non-loopback --host needs --allow-remote, and --no-token warns.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { adminKubeconfig, repoRoot } from '../../support/cluster.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'podscope-cli-'));
const running: ChildProcess[] = [];
after(() => {
  for (const c of running) c.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
});

interface Cli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the URL once printed, or with null when the CLI exits first. */
  url: Promise<string | null>;
  exit: Promise<number | null>;
}

function cli(args: string[]): Cli {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/server/cli.ts', '--kubeconfig', adminKubeconfig, '--data-dir', dataDir, ...args],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = new Promise<string | null>((resolve) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Podscope is running at (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    void exit.then(() => resolve(null));
  });
  return { child, stdout: () => out, stderr: () => err, url, exit };
}

test('--host 0.0.0.0 without --allow-remote exits 2 with a sentence, before listening', async () => {
  const c = cli(['--host', '0.0.0.0', '--port', '0']);
  assert.equal(await c.exit, 2);
  assert.equal(await c.url, null);
  assert.match(
    c.stderr(),
    /podscope: --host 0\.0\.0\.0 is not a loopback address: whoever reaches it \(and has the token\) would act on your clusters with your kubeconfig's rights\. .*--allow-remote/,
  );
});

test('a malformed --allowed-host or --allowed-origin exits 2', async () => {
  const host = cli(['--allowed-host', 'http://x/']);
  assert.equal(await host.exit, 2);
  assert.match(host.stderr(), /--allowed-host "http:\/\/x\/" is not a host name or address/);
  const origin = cli(['--allowed-origin', 'localhost:5173']);
  assert.equal(await origin.exit, 2);
  assert.match(origin.stderr(), /--allowed-origin takes an origin such as http:\/\/localhost:5173/);
});

test('the printed URL is http://127.0.0.1:PORT/?token=… (new at every start); only it lets a browser in', async () => {
  const first = cli(['--port', '0']);
  const printed = await first.url;
  assert.ok(printed, first.stderr());
  const m = /^http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]{43})$/.exec(printed);
  assert.ok(m, printed);
  const base = `http://127.0.0.1:${m[1]}`;
  assert.equal(first.stderr(), '', 'no warning on a loopback address with a token');

  assert.equal((await fetch(`${base}/api/clusters`)).status, 401);
  const exchange = await fetch(printed, { redirect: 'manual' });
  assert.equal(exchange.status, 302);
  assert.equal(exchange.headers.get('location'), '/');
  assert.match(exchange.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Strict/);
  const cookie = (exchange.headers.get('set-cookie') ?? '').split(';')[0]!;
  assert.equal((await fetch(`${base}/api/clusters`, { headers: { cookie } })).status, 200);
  assert.equal(
    (await fetch(`${base}/api/clusters`, { headers: { authorization: `Bearer ${m[2]}` } })).status,
    200,
  );

  first.child.kill('SIGTERM');
  assert.equal(await first.exit, 0);
  const second = cli(['--port', m[1]!]);
  const again = await second.url;
  assert.ok(again, second.stderr());
  assert.notEqual(again, printed, 'a new token at every start');
  assert.equal(
    (await fetch(`${base}/api/clusters`, { headers: { cookie } })).status,
    401,
    'the old cookie is void',
  );
  second.child.kill('SIGTERM');
  await second.exit;
});

test('--no-token prints the URL without a token and a warning', async () => {
  const c = cli(['--port', '0', '--no-token']);
  const printed = await c.url;
  assert.ok(printed, c.stderr());
  assert.match(printed, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.match(c.stderr(), /warning: --no-token: .*authenticating proxy/);
  assert.equal((await fetch(`${printed}api/clusters`)).status, 200);
  c.child.kill('SIGTERM');
  await c.exit;
});

test('--host 0.0.0.0 --allow-remote starts with a warning; the interface addresses are allowed hosts', async () => {
  const c = cli(['--host', '0.0.0.0', '--port', '0', '--allow-remote']);
  const printed = await c.url;
  assert.ok(printed, c.stderr());
  assert.match(
    c.stderr(),
    /warning: listening on 0\.0\.0\.0 \(--allow-remote\): whoever reaches this address and has the token acts on your clusters with your kubeconfig's rights/,
  );
  const u = new URL(printed);
  const auth = { authorization: `Bearer ${u.searchParams.get('token')}` };
  const external = Object.values(os.networkInterfaces())
    .flat()
    .find((i) => i !== undefined && i.family === 'IPv4' && !i.internal);
  if (external) {
    const viaInterface = await fetch(`http://${external.address}:${u.port}/api/clusters`, { headers: auth });
    assert.equal(viaInterface.status, 200);
  }
  assert.equal((await fetch(`http://127.0.0.1:${u.port}/api/clusters`, { headers: auth })).status, 200);
  c.child.kill('SIGTERM');
  await c.exit;
});
