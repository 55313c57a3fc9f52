import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decideAccess, refusalPage, type AccessPolicy, type AccessRequest } from './access-decision.js';
import { buildHostAllowlist } from './host-allowlist.js';

const TOKEN = 'the-token-of-this-start';
const PORT = 7420;
const policy: AccessPolicy = {
  hosts: buildHostAllowlist({ bindHost: '127.0.0.1' }),
  allowedOrigins: [],
  token: TOKEN,
};
const COOKIE = `podscope-token-${PORT}=${TOKEN}`;
const SET_COOKIE = `podscope-token-${PORT}=${TOKEN}; Path=/; HttpOnly; SameSite=Strict`;

function request(over: Partial<AccessRequest>): AccessRequest {
  return {
    method: 'GET',
    url: '/api/clusters',
    serverPort: PORT,
    host: `127.0.0.1:${PORT}`,
    cookie: COOKIE,
    webSocket: false,
    runsCommand: false,
    rawBody: false,
    ...over,
  };
}

const SAME = `http://127.0.0.1:${PORT}`;
const JSON_BODY = { contentType: 'application/json' };

// [what, request, expected kind/status]
const rows: [string, Partial<AccessRequest>, 'allow' | 'redirect' | 401 | 403 | 415][] = [
  // 1. Host
  ['our Host with the cookie', {}, 'allow'],
  ['localhost and [::1] are ours too', { host: `localhost:${PORT}` }, 'allow'],
  ['a foreign Host (DNS rebinding)', { host: `attacker.example:${PORT}` }, 403],
  [
    'a foreign Host even with the right token',
    { host: 'attacker.example', cookie: undefined, authorization: `Bearer ${TOKEN}` },
    403,
  ],
  ['a foreign Host on a WebSocket', { host: `attacker.example:${PORT}`, webSocket: true }, 403],
  ['no Host at all', { host: undefined }, 403],
  // 2. Token
  ['no cookie, no bearer', { cookie: undefined }, 401],
  ['a wrong cookie', { cookie: `podscope-token-${PORT}=guess` }, 401],
  ['the cookie of another port’s Podscope', { cookie: `podscope-token-7421=${TOKEN}` }, 401],
  ['no cookie on a WebSocket', { cookie: undefined, webSocket: true }, 401],
  ['the right bearer', { cookie: undefined, authorization: `Bearer ${TOKEN}` }, 'allow'],
  ['a wrong bearer, even with a good cookie', { authorization: 'Bearer nope' }, 401],
  ['a wrong ?token=', { cookie: undefined, url: '/?token=nope' }, 401],
  ['no cookie on a static asset', { cookie: undefined, url: '/assets/index.js' }, 401],
  ['no cookie on the index page', { cookie: undefined, url: '/', accept: 'text/html' }, 401],
  [
    'the right ?token= on a page is exchanged and redirected',
    { cookie: undefined, url: `/c/x?token=${TOKEN}` },
    'redirect',
  ],
  // 3. Cross-site
  ['POST from our own page (Origin)', { method: 'POST', origin: SAME, ...JSON_BODY }, 'allow'],
  ['POST from localhost page', { method: 'POST', origin: `http://localhost:${PORT}`, ...JSON_BODY }, 'allow'],
  ['POST from another site (Origin)', { method: 'POST', origin: 'https://evil.example', ...JSON_BODY }, 403],
  ['POST with Origin null (sandboxed frame)', { method: 'POST', origin: 'null', ...JSON_BODY }, 403],
  [
    'POST from another site (Sec-Fetch-Site only)',
    { method: 'POST', secFetchSite: 'cross-site', ...JSON_BODY },
    403,
  ],
  [
    'POST from a sibling site (same-site is not same-origin)',
    { method: 'POST', secFetchSite: 'same-site', ...JSON_BODY },
    403,
  ],
  [
    'POST with Sec-Fetch-Site same-origin',
    { method: 'POST', secFetchSite: 'same-origin', ...JSON_BODY },
    'allow',
  ],
  ['POST from a script (neither header)', { method: 'POST', ...JSON_BODY }, 'allow'],
  ['DELETE from another site', { method: 'DELETE', origin: 'https://evil.example' }, 403],
  ['DELETE from our page', { method: 'DELETE', origin: SAME }, 'allow'],
  ['PUT upload from another site', { method: 'PUT', rawBody: true, secFetchSite: 'cross-site' }, 403],
  [
    'PUT upload from our page, raw body',
    { method: 'PUT', rawBody: true, origin: SAME, contentType: 'application/octet-stream' },
    'allow',
  ],
  ['file listing GET from another site', { runsCommand: true, secFetchSite: 'cross-site' }, 403],
  ['file download GET from another site', { runsCommand: true, origin: 'https://evil.example' }, 403],
  ['file download GET typed in the address bar', { runsCommand: true, secFetchSite: 'none' }, 'allow'],
  ['file listing GET from our page', { runsCommand: true, secFetchSite: 'same-origin' }, 'allow'],
  [
    'a plain GET from another site is a read (SOP and the cookie guard it)',
    { secFetchSite: 'cross-site' },
    'allow',
  ],
  ['WebSocket from another site', { webSocket: true, origin: 'https://evil.example' }, 403],
  [
    'WebSocket from a rebound page (its Origin agrees with its Host)',
    { webSocket: true, origin: `http://attacker.example:${PORT}` },
    403,
  ],
  ['WebSocket from our page', { webSocket: true, origin: SAME }, 'allow'],
  // 4. Bodies
  [
    'POST text/plain (a cross-site form could send it)',
    { method: 'POST', origin: SAME, contentType: 'text/plain' },
    415,
  ],
  [
    'POST form-urlencoded',
    { method: 'POST', origin: SAME, contentType: 'application/x-www-form-urlencoded' },
    415,
  ],
  ['POST without a body or Content-Type', { method: 'POST', origin: SAME }, 415],
  [
    'POST application/json; charset=utf-8',
    { method: 'POST', origin: SAME, contentType: 'application/json; charset=utf-8' },
    'allow',
  ],
  ['PATCH text/plain', { method: 'PATCH', origin: SAME, contentType: 'text/plain' }, 415],
  // 0. Health probes: the kubelet sends no token and addresses the pod IP
  ['a probe of /healthz', { url: '/healthz', cookie: undefined, host: `10.214.0.7:${PORT}` }, 'allow'],
  ['a probe of /readyz', { url: '/readyz', cookie: undefined, host: undefined }, 'allow'],
  ['a HEAD probe', { method: 'HEAD', url: '/readyz', cookie: undefined }, 'allow'],
  ['a POST to /readyz', { method: 'POST', url: '/readyz', cookie: undefined, origin: SAME }, 401],
  ['a WebSocket on /healthz', { url: '/healthz', cookie: undefined, webSocket: true }, 401],
  ['a path below /healthz', { url: '/healthz/x', cookie: undefined }, 401],
  ['/api/healthz', { url: '/api/healthz', cookie: undefined }, 401],
];

describe('decideAccess', () => {
  for (const [what, over, expected] of rows) {
    test(`${what} → ${expected}`, () => {
      const d = decideAccess(policy, request(over));
      if (expected === 'allow' || expected === 'redirect') assert.equal(d.kind, expected, JSON.stringify(d));
      else assert.deepEqual(d.kind === 'refuse' ? d.status : d, expected);
    });
  }

  test('the token exchange on a page sets the cookie and redirects to the URL without the token', () => {
    assert.deepEqual(
      decideAccess(policy, request({ cookie: undefined, url: `/c/x/ns/demo?tab=logs&token=${TOKEN}` })),
      { kind: 'redirect', location: '/c/x/ns/demo?tab=logs', setCookie: SET_COOKIE },
    );
  });

  test('the token exchange on an API request or a WebSocket sets the cookie and strips the parameter', () => {
    for (const over of [
      { url: `/api/clusters?token=${TOKEN}` },
      { url: `/api/x/watch?token=${TOKEN}`, webSocket: true },
    ]) {
      assert.deepEqual(decideAccess(policy, request({ cookie: undefined, ...over })), {
        kind: 'allow',
        tokenInQuery: true,
        setCookie: SET_COOKIE,
      });
    }
  });

  test('a page loaded without the cookie is answered with an HTML page when the browser asks for one', () => {
    const d = decideAccess(policy, request({ cookie: undefined, url: '/', accept: 'text/html,*/*' }));
    assert.equal(d.kind === 'refuse' && d.page, true);
    const api = decideAccess(policy, request({ cookie: undefined, accept: 'text/html' }));
    assert.equal(api.kind === 'refuse' && api.page, false, 'the API answers JSON');
  });

  test('the sentences say what to do', () => {
    const noToken = decideAccess(policy, request({ cookie: undefined }));
    assert.match(
      noToken.kind === 'refuse' ? noToken.message : '',
      /open the URL printed by podscope when it started \(http:\/\/127\.0\.0\.1:7420\/\?token=…\)/,
    );
    const host = decideAccess(policy, request({ host: 'attacker.example:7420' }));
    assert.match(
      host.kind === 'refuse' ? host.message : '',
      /only answers requests addressed to localhost:7420, 127\.0\.0\.1:7420, \[::1\]:7420; this one was addressed to "attacker\.example:7420".*--allowed-host/,
    );
    const csrf = decideAccess(
      policy,
      request({ method: 'POST', origin: 'https://evil.example', ...JSON_BODY }),
    );
    assert.match(
      csrf.kind === 'refuse' ? csrf.message : '',
      /refuses this POST request from another site's page \(Origin "https:\/\/evil\.example"\)/,
    );
    const body = decideAccess(policy, request({ method: 'POST', origin: SAME }));
    assert.match(
      body.kind === 'refuse' ? body.message : '',
      /JSON body sent with "Content-Type: application\/json" \(this one had none\)/,
    );
  });

  test('with --no-token nothing asks for a token, but the host and cross-site rules still hold', () => {
    const open: AccessPolicy = { ...policy, token: null };
    assert.equal(decideAccess(open, request({ cookie: undefined })).kind, 'allow');
    // A ?token= is then nobody's business but still kept away from the route's parameters.
    assert.deepEqual(decideAccess(open, request({ cookie: undefined, url: '/api/x?token=whatever' })), {
      kind: 'allow',
      tokenInQuery: true,
    });
    const rebinding = decideAccess(open, request({ host: 'attacker.example:7420' }));
    assert.equal(rebinding.kind === 'refuse' && rebinding.status, 403);
    const csrf = decideAccess(open, request({ method: 'POST', secFetchSite: 'cross-site', ...JSON_BODY }));
    assert.equal(csrf.kind === 'refuse' && csrf.status, 403);
  });

  test('an explicitly configured origin may call the server', () => {
    const dev: AccessPolicy = { ...policy, allowedOrigins: ['http://localhost:5173'] };
    const r = request({
      method: 'POST',
      origin: 'http://localhost:5173',
      secFetchSite: 'same-site',
      ...JSON_BODY,
    });
    assert.equal(decideAccess(dev, r).kind, 'allow');
    assert.equal(decideAccess(policy, r).kind, 'refuse');
  });
});

test('the refusal page escapes the sentence and links back to the same page', () => {
  const html = refusalPage(401, 'a <b> & "c"', '/c/x?tab=logs&y=<1>');
  assert.match(html, /<p>a &#60;b&#62; &#38; &#34;c&#34;<\/p>/);
  assert.match(html, /<a href="\/c\/x\?tab=logs&#38;y=&#60;1&#62;">/);
  assert.doesNotMatch(refusalPage(403, 'x', '/'), /<a /);
});
