// Only the user's own browser can drive the server. Each row is a request another page, a rebound DNS
// name or another local program could make, and the status it must get; requests that would change
// something are followed by a check that nothing happened (no ephemeral container, no file, no audit).
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { SqliteAuditStore } from '../../../src/server/audit/sqlite-audit-store.js';
import { getJson as kubectlJson } from '../../support/cluster.js';
import { createTestPod, deleteTestPod, waitRunning } from '../../support/pods.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../../support/podscope.js';
import { execIn } from '../debug/debug-helpers.js';

let podscope: RunningPodscope;
let audit: SqliteAuditStore;
let pod: string;
let port: number;
const dir = mkdtempSync(path.join(tmpdir(), 'podscope-access-'));
const webRoot = path.join(dir, 'web');

before(async () => {
  // A stand-in for dist/web: the access rules do not depend on what the app contains.
  mkdirSync(path.join(webRoot, 'assets'), { recursive: true });
  writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><title>Podscope</title><p>the app</p>\n');
  writeFileSync(path.join(webRoot, 'assets', 'app.js'), 'console.log("app");\n');
  audit = new SqliteAuditStore(path.join(dir, 'audit.db'));
  podscope = await startPodscope({ webRoot, audit });
  port = Number(new URL(podscope.url).port);
  pod = await createTestPod({ prefix: 'access', script: 'sleep 100000' });
  await waitRunning(pod);
});
after(async () => {
  await podscope?.close();
  await audit?.close();
  if (pod) await deleteTestPod(pod);
  rmSync(dir, { recursive: true, force: true });
});

type Auth = 'bearer' | 'cookie' | 'none' | 'wrong-bearer' | 'wrong-cookie';

function authHeaders(auth: Auth): Record<string, string> {
  const token = podscope.token!;
  switch (auth) {
    case 'bearer':
      return { authorization: `Bearer ${token}` };
    case 'cookie':
      return { cookie: `podscope-token-${port}=${token}` };
    case 'wrong-bearer':
      return { authorization: 'Bearer not-the-token' };
    case 'wrong-cookie':
      return { cookie: `podscope-token-${port}=not-the-token` };
    case 'none':
      return {};
  }
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** One HTTP request with exactly these headers (fetch() would not let a test set Host). */
function raw(method: string, urlPath: string, headers: Record<string, string>, body?: string | Buffer) {
  return new Promise<RawResponse>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The status a WebSocket upgrade gets: 101 when it opens. */
function upgrade(urlPath: string, headers: Record<string, string>) {
  return new Promise<{ status: number; text: string }>((resolve) => {
    const ws = new WebSocket(`${podscope.wsUrl}${urlPath}`, { headers });
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    ws.on('open', () => {
      resolve({ status: 101, text: '' });
      ws.close();
    });
    ws.on('error', () => undefined);
  });
}

const EVIL = 'https://evil.example';
const podPath = () => `/api/clusters/${CLUSTER}/namespaces/demo/pods/${pod}`;
const json = { 'content-type': 'application/json' };

interface Row {
  what: string;
  method: string;
  path: () => string;
  auth: Auth;
  headers?: () => Record<string, string>;
  body?: string;
  status: number;
  error?: RegExp;
}

const HOST_SENTENCE =
  /only answers requests addressed to localhost:\d+, 127\.0\.0\.1:\d+, \[::1\]:\d+; this one was addressed to "attacker\.example:\d+"/;
const TOKEN_SENTENCE = /open the URL printed by podscope when it started/;
const CROSS_SITE = /refuses .* from another site's page/;

const httpRows: Row[] = [
  // DNS rebinding: the attacker's page, its name now pointing at 127.0.0.1, calls "its own" server.
  {
    what: 'API read with a foreign Host',
    method: 'GET',
    path: () => '/api/clusters',
    auth: 'bearer',
    headers: () => ({ host: `attacker.example:${port}` }),
    status: 403,
    error: HOST_SENTENCE,
  },
  {
    what: 'index page with a foreign Host',
    method: 'GET',
    path: () => '/',
    auth: 'cookie',
    headers: () => ({ host: `attacker.example:${port}` }),
    status: 403,
    error: HOST_SENTENCE,
  },
  {
    what: 'our Host on another port',
    method: 'GET',
    path: () => '/api/clusters',
    auth: 'bearer',
    headers: () => ({ host: `127.0.0.1:${port + 1}` }),
    status: 403,
  },
  {
    what: 'localhost is ours',
    method: 'GET',
    path: () => '/api/clusters',
    auth: 'bearer',
    headers: () => ({ host: `localhost:${port}` }),
    status: 200,
  },
  // The token.
  {
    what: 'API read without a token',
    method: 'GET',
    path: () => '/api/clusters',
    auth: 'none',
    status: 401,
    error: TOKEN_SENTENCE,
  },
  {
    what: 'API read with a wrong bearer',
    method: 'GET',
    path: () => '/api/clusters',
    auth: 'wrong-bearer',
    status: 401,
  },
  {
    what: 'API read with a wrong cookie',
    method: 'GET',
    path: () => '/api/clusters',
    auth: 'wrong-cookie',
    status: 401,
    error: TOKEN_SENTENCE,
  },
  {
    what: 'API read with a wrong ?token=',
    method: 'GET',
    path: () => '/api/clusters?token=guess',
    auth: 'none',
    status: 401,
  },
  {
    what: 'API read with the bearer',
    method: 'GET',
    path: () => '/api/clusters',
    auth: 'bearer',
    status: 200,
  },
  {
    what: 'API read with the cookie',
    method: 'GET',
    path: () => '/api/clusters',
    auth: 'cookie',
    status: 200,
  },
  {
    what: 'a static asset without a token',
    method: 'GET',
    path: () => '/assets/app.js',
    auth: 'none',
    status: 401,
  },
  {
    what: 'a static asset with the cookie',
    method: 'GET',
    path: () => '/assets/app.js',
    auth: 'cookie',
    status: 200,
  },
  // Cross-site requests that change something or run a command.
  {
    what: 'POST debug container from another site (Origin)',
    method: 'POST',
    path: () => `${podPath()}/debug-containers`,
    auth: 'bearer',
    headers: () => ({ ...json, origin: EVIL }),
    body: '{"target":"app"}',
    status: 403,
    error: CROSS_SITE,
  },
  {
    what: 'POST debug container from another site (Sec-Fetch-Site)',
    method: 'POST',
    path: () => `${podPath()}/debug-containers`,
    auth: 'cookie',
    headers: () => ({ ...json, 'sec-fetch-site': 'cross-site' }),
    body: '{"target":"app"}',
    status: 403,
    error: CROSS_SITE,
  },
  {
    what: 'POST node debug from a sandboxed frame (Origin null)',
    method: 'POST',
    path: () => `/api/clusters/${CLUSTER}/nodes/any/debug`,
    auth: 'cookie',
    headers: () => ({ ...json, origin: 'null' }),
    body: '{}',
    status: 403,
  },
  {
    what: 'DELETE debug pod from another site',
    method: 'DELETE',
    path: () => `/api/clusters/${CLUSTER}/namespaces/demo/debug-pods/${pod}`,
    auth: 'cookie',
    headers: () => ({ origin: EVIL }),
    status: 403,
  },
  {
    what: 'file listing GET from another site (Sec-Fetch-Site)',
    method: 'GET',
    path: () => `${podPath()}/files?container=app&path=/etc`,
    auth: 'cookie',
    headers: () => ({ 'sec-fetch-site': 'cross-site' }),
    status: 403,
    error: CROSS_SITE,
  },
  {
    what: 'file listing GET from another site (Origin)',
    method: 'GET',
    path: () => `${podPath()}/files?container=app&path=/etc`,
    auth: 'cookie',
    headers: () => ({ origin: EVIL }),
    status: 403,
  },
  {
    what: 'file download GET from another site (Sec-Fetch-Site)',
    method: 'GET',
    path: () => `${podPath()}/files/download?container=app&path=/etc/hostname`,
    auth: 'cookie',
    headers: () => ({ 'sec-fetch-site': 'cross-site' }),
    status: 403,
  },
  {
    what: 'file download GET from a sibling site (same-site)',
    method: 'GET',
    path: () => `${podPath()}/files/download?container=app&path=/etc/hostname`,
    auth: 'cookie',
    headers: () => ({ 'sec-fetch-site': 'same-site' }),
    status: 403,
  },
  {
    what: 'file upload PUT from another site',
    method: 'PUT',
    path: () => `${podPath()}/files/upload?container=app&path=/tmp/from-evil`,
    auth: 'cookie',
    headers: () => ({ 'content-type': 'application/octet-stream', origin: EVIL }),
    body: 'evil',
    status: 403,
  },
  // Bodies.
  {
    what: 'POST text/plain (a form or no-preflight fetch from any page)',
    method: 'POST',
    path: () => `${podPath()}/debug-containers`,
    auth: 'bearer',
    headers: () => ({ 'content-type': 'text/plain' }),
    body: '{"target":"app"}',
    status: 415,
    error: /JSON body sent with "Content-Type: application\/json"/,
  },
  {
    what: 'POST without a body',
    method: 'POST',
    path: () => `/api/clusters/${CLUSTER}/nodes/any/debug`,
    auth: 'bearer',
    status: 415,
    error: /this one had none/,
  },
  {
    what: 'POST application/json with an empty body',
    method: 'POST',
    path: () => `/api/clusters/${CLUSTER}/nodes/any/debug`,
    auth: 'bearer',
    headers: () => json,
    body: '',
    status: 400,
  },
  // What our own page sends still works (the browser tests drive the real UI).
  {
    what: 'file listing from our page (Sec-Fetch-Site same-origin)',
    method: 'GET',
    path: () => `${podPath()}/files?container=app&path=/etc`,
    auth: 'cookie',
    headers: () => ({ 'sec-fetch-site': 'same-origin' }),
    status: 200,
  },
  {
    what: 'file download from our page (Origin)',
    method: 'GET',
    path: () => `${podPath()}/files/download?container=app&path=/etc/hostname`,
    auth: 'cookie',
    headers: () => ({ origin: podscope.url, 'sec-fetch-site': 'same-origin' }),
    status: 200,
  },
  {
    what: 'file download typed in the address bar (Sec-Fetch-Site none)',
    method: 'GET',
    path: () => `${podPath()}/files/download?container=app&path=/etc/hostname`,
    auth: 'cookie',
    headers: () => ({ 'sec-fetch-site': 'none' }),
    status: 200,
  },
];

describe('HTTP requests', () => {
  for (const row of httpRows) {
    test(`${row.what}: ${row.method} → ${row.status}`, async () => {
      const res = await raw(
        row.method,
        row.path(),
        { ...authHeaders(row.auth), ...(row.headers?.() ?? {}) },
        row.body,
      );
      assert.equal(res.status, row.status, res.text.slice(0, 500));
      if (row.error) assert.match((JSON.parse(res.text) as { error: string }).error, row.error);
    });
  }

  test('nothing the refused requests asked for happened: no ephemeral container, no file, no audit record', async () => {
    const p = await kubectlJson<{ spec: { ephemeralContainers?: unknown[] } }>([
      '-n',
      'demo',
      'get',
      'pod',
      pod,
    ]);
    assert.equal(p.spec.ephemeralContainers, undefined);
    assert.doesNotMatch(await execIn(pod, 'app', ['ls', '-a', '/tmp']), /from-evil/);
    const kinds = (await audit.listSessions()).sessions.map((s) => s.kind);
    // Only the allowed requests were audited: the listing and the two downloads.
    assert.deepEqual([...kinds].sort(), ['file-download', 'file-download', 'file-list']);
  });
});

const wsRows: {
  what: string;
  path: () => string;
  auth: Auth;
  headers?: () => Record<string, string>;
  status: number;
  error?: RegExp;
}[] = [
  {
    what: 'a foreign Host (DNS rebinding)',
    path: () => `/api/clusters/${CLUSTER}/namespaces/demo/pods/watch`,
    auth: 'bearer',
    headers: () => ({ host: `attacker.example:${port}`, origin: `http://attacker.example:${port}` }),
    status: 403,
    error: HOST_SENTENCE,
  },
  {
    what: 'no token',
    path: () => `/api/clusters/${CLUSTER}/namespaces/demo/pods/watch`,
    auth: 'none',
    status: 401,
    error: TOKEN_SENTENCE,
  },
  {
    what: 'a wrong cookie',
    path: () => `${podPath()}/terminal?container=app`,
    auth: 'wrong-cookie',
    status: 401,
  },
  {
    what: 'a terminal from another site (Origin), with the cookie',
    path: () => `${podPath()}/terminal?container=app`,
    auth: 'cookie',
    headers: () => ({ origin: EVIL }),
    status: 403,
    error: CROSS_SITE,
  },
  {
    what: 'a terminal from another site (Sec-Fetch-Site)',
    path: () => `${podPath()}/terminal?container=app`,
    auth: 'cookie',
    headers: () => ({ 'sec-fetch-site': 'cross-site' }),
    status: 403,
  },
  {
    what: 'our own page, with the cookie',
    path: () => `/api/clusters/${CLUSTER}/namespaces/demo/pods/watch`,
    auth: 'cookie',
    headers: () => ({ origin: podscope.url }),
    status: 101,
  },
  {
    what: 'a script with the bearer',
    path: () => `/api/clusters/${CLUSTER}/namespaces/demo/pods/watch`,
    auth: 'bearer',
    status: 101,
  },
  {
    what: 'a script with ?token=',
    path: () => `/api/clusters/${CLUSTER}/namespaces/demo/pods/watch?token=${podscope.token}`,
    auth: 'none',
    status: 101,
  },
];

describe('WebSocket upgrades', () => {
  for (const row of wsRows) {
    test(`${row.what} → ${row.status}`, async () => {
      const res = await upgrade(row.path(), { ...authHeaders(row.auth), ...(row.headers?.() ?? {}) });
      assert.equal(res.status, row.status, res.text);
      if (row.error) assert.match((JSON.parse(res.text) as { error: string }).error, row.error);
    });
  }

  test('no terminal was opened by a refused upgrade', async () => {
    assert.equal((await audit.listSessions()).sessions.filter((s) => s.kind === 'exec').length, 0);
  });
});

describe('the token exchange', () => {
  test('the printed URL sets an HttpOnly, SameSite=Strict, Path=/ cookie and redirects to the page without the token (302)', async () => {
    const res = await raw('GET', `/c/${CLUSTER}/ns/demo?tab=logs&token=${podscope.token}`, {
      accept: 'text/html',
    });
    assert.equal(res.status, 302);
    assert.equal(res.headers.location, `/c/${CLUSTER}/ns/demo?tab=logs`);
    const cookie = res.headers['set-cookie']?.[0] ?? '';
    assert.equal(cookie, `podscope-token-${port}=${podscope.token}; Path=/; HttpOnly; SameSite=Strict`);
    const page = await raw('GET', res.headers.location, {
      accept: 'text/html',
      cookie: cookie.split(';')[0]!,
    });
    assert.equal(page.status, 200);
    assert.match(page.text, /the app/);
  });

  test('the redirect never leaves the server (//host and backslash paths)', async () => {
    const res = await raw('GET', `//evil.example/x?token=${podscope.token}`, {});
    assert.equal(res.status, 302);
    assert.equal(res.headers.location, '/evil.example/x');
  });

  test('an API request with ?token= is answered (200) with the cookie; the route never sees the parameter', async () => {
    // This route refuses any query parameter, so a leftover "token" would be a 400.
    const res = await raw('GET', `/api/clusters/${CLUSTER}/namespaces/demo/pods?token=${podscope.token}`, {});
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers['set-cookie']?.[0] ?? '', /HttpOnly; SameSite=Strict/);
  });

  test('the index page without the cookie is a 401 page with the sentence, and a link back to the same page', async () => {
    const res = await raw('GET', '/c/x/ns/demo?tab=logs', { accept: 'text/html,*/*' });
    assert.equal(res.status, 401);
    assert.match(res.headers['content-type'] ?? '', /^text\/html/);
    assert.match(res.text, /open the URL printed by podscope when it started/);
    assert.match(res.text, /<a href="\/c\/x\/ns\/demo\?tab=logs">/);
    assert.doesNotMatch(res.text, /the app/);
  });

  test('a Podscope started with another token does not accept this one', async () => {
    const other = await startPodscope({ webRoot });
    try {
      const res = await raw('GET', '/api/clusters', {});
      assert.equal(res.status, 401);
      const theirs = await fetch(`${other.url}/api/clusters`, { headers: podscope.headers });
      assert.equal(theirs.status, 401);
      assert.equal((await other.fetch('/api/clusters')).status, 200);
    } finally {
      await other.close();
    }
  });
});

describe('security headers', () => {
  const expected = {
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
  };
  const cases: [string, () => Promise<RawResponse>, number][] = [
    ['the index page', () => raw('GET', '/', authHeaders('cookie')), 200],
    ['an API answer', () => raw('GET', '/api/clusters', authHeaders('bearer')), 200],
    ['an API error', () => raw('GET', '/api/nope', authHeaders('bearer')), 404],
    ['a refusal', () => raw('GET', '/api/clusters', {}), 401],
    [
      'a URL the router refuses before any hook (malformed %-escape)',
      () => raw('GET', '/api/clusters/%E0%A4%A/x', {}),
      400,
    ],
  ];
  for (const [what, get, status] of cases) {
    test(`${what} (${status}) carries the CSP and the other headers`, async () => {
      const res = await get();
      assert.equal(res.status, status);
      for (const [name, value] of Object.entries(expected)) assert.equal(res.headers[name], value, name);
      const csp = String(res.headers['content-security-policy']);
      for (const directive of [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        `connect-src 'self' ws://127.0.0.1:${port} wss://127.0.0.1:${port}`,
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
      ]) {
        assert.ok(csp.split('; ').includes(directive), `${directive} in ${csp}`);
      }
    });
  }
});
