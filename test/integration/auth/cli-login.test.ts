// The CLI's token-login flags, through the real CLI (src/server/cli.ts through tsx): what it refuses
// before listening, and a start where a ServiceAccount signs in and the public URL's host is answered.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { adminKubeconfig, kubectl, kubectlOk, repoRoot, uniqueName } from '../../support/cluster.js';
import {
  READ_PODS,
  serviceAccount,
  SignedInClient,
  signIn,
  TEST_SESSION_KEY,
  tokenOf,
} from '../../support/token-login.js';

const dir = mkdtempSync(path.join(tmpdir(), 'podscope-cli-login-'));
const keyFile = path.join(dir, 'session-key');
writeFileSync(keyFile, `${TEST_SESSION_KEY}\n`, { mode: 0o600 });
const running: ChildProcess[] = [];
const ns = uniqueName('clilogin');
after(async () => {
  for (const c of running) c.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
  await kubectl(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
});

function cli(args: string[]) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/server/cli.ts', '--data-dir', path.join(dir, 'data'), '--port', '0', ...args],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.push(child);
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const started = new Promise<string | null>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (/People sign in .*\n/.test(out)) resolve(out);
    });
    void exit.then(() => resolve(null));
  });
  return { stdout: () => out, stderr: () => err, exit, started };
}

const base = ['--kubeconfig', adminKubeconfig];

test('token login is refused before listening without a usable session key, with a shared token, or a bad URL', async () => {
  const cases: [string[], RegExp][] = [
    [['--auth', 'token-login'], /needs --session-key-file FILE.*openssl rand -base64 32/],
    [['--auth', 'sso'], /--auth is access-token, token-login or oidc \(got "sso"\)/],
    [['--auth', 'oidc'], /--auth oidc needs --session-key-file FILE/],
    [['--auth', 'oidc', '--session-key-file', keyFile], /--auth oidc needs the provider: --oidc-issuer URL/],
    [
      ['--auth', 'oidc', '--session-key-file', keyFile, '--oidc-issuer', 'http://login.example.com'],
      /--oidc-issuer must be an https URL/,
    ],
    [
      ['--auth', 'oidc', '--session-key-file', keyFile, '--oidc-issuer', 'https://login.example.com'],
      /needs the client id.*--oidc-client-id/,
    ],
    [
      ['--auth', 'oidc', '--session-key-file', keyFile, '--oidc-issuer', 'https://login.example.com'].concat([
        '--oidc-client-id',
        'podscope',
      ]),
      /--auth oidc needs --public-url URL/,
    ],
    [
      ['--auth', 'oidc', '--session-key-file', keyFile, '--oidc-issuer', 'https://login.example.com'].concat([
        '--oidc-client-id',
        'podscope',
        '--public-url',
        'https://podscope.example.com',
        '--oidc-identity-mode',
        'both',
      ]),
      /--oidc-identity-mode is impersonation or token \(got "both"\)/,
    ],
    [
      ['--auth', 'oidc', '--session-key-file', keyFile, '--oidc-issuer', 'https://login.example.com'].concat([
        '--oidc-client-id',
        'podscope',
        '--public-url',
        'https://podscope.example.com',
        '--oidc-client-secret-file',
        path.join(dir, 'missing'),
      ]),
      /cannot read the OpenID client secret file/,
    ],
    [['--auth', 'token-login', '--oidc-issuer', 'https://x'], /--oidc-issuer goes with --auth oidc/],
    [
      ['--auth', 'token-login', '--session-key-file', keyFile, '--token-file', keyFile],
      /has no shared access token.*drop --token-file/,
    ],
    [['--auth', 'token-login', '--session-key-file', keyFile, '--no-token'], /drop --no-token/],
    [['--session-key-file', keyFile], /--session-key-file goes with --auth token-login or --auth oidc/],
    [
      ['--auth', 'token-login', '--session-key-file', path.join(dir, 'missing')],
      /cannot read the session key file/,
    ],
    [
      ['--auth', 'token-login', '--session-key-file', keyFile, '--public-url', 'ftp://x'],
      /--public-url takes an http\(s\) URL/,
    ],
  ];
  const short = path.join(dir, 'short');
  writeFileSync(short, 'too-short\n');
  cases.push([
    ['--auth', 'token-login', '--session-key-file', short],
    /32 to 1024 printable characters.*openssl rand/,
  ]);
  for (const [args, message] of cases) {
    const c = cli([...base, ...args]);
    assert.equal(await c.exit, 2, `${args.join(' ')}: ${c.stderr()}`);
    assert.match(c.stderr(), message, args.join(' '));
  }
});

test('started with token login, it prints where to sign in (no token in any URL) and a ServiceAccount signs in', async () => {
  await kubectlOk(['create', 'namespace', ns]);
  await kubectlOk(['label', 'namespace', ns, 'podscope-test=true']);
  await serviceAccount(ns, 'reader', READ_PODS);
  const c = cli([
    ...base,
    '--auth',
    'token-login',
    '--session-key-file',
    keyFile,
    '--public-url',
    'https://scope.example',
  ]);
  const out = await c.started;
  assert.ok(out, c.stderr());
  assert.doesNotMatch(out, /token=/);
  assert.match(out, /People sign in with a Kubernetes bearer token at https:\/\/scope\.example\//);
  const url = /Podscope is running at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out)![1]!;
  const r = await signIn(url, await tokenOf(ns, 'reader'));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  // https public URL: a Secure cookie with the __Host- prefix.
  assert.match(
    r.setCookie!,
    /^__Host-podscope-session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Secure$/,
  );
  const me = new SignedInClient(url, r.cookie!);
  const pods = await me.fetch(`/api/clusters`);
  assert.equal(pods.status, 200);
  // The public URL's host is one Podscope answers to (fetch cannot set Host: http.get can).
  const statusWithHost = (host: string) =>
    new Promise<number>((resolve, reject) =>
      http
        .get(`${url}/api/auth/session`, { headers: { host, cookie: r.cookie! } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', reject),
    );
  assert.equal(await statusWithHost('scope.example'), 200);
  assert.equal(await statusWithHost('evil.example'), 403);
});
