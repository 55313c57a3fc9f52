// The test environment's OpenID provider (cluster/oidc.sh) and the API server's trust in it: discovery
// over HTTPS with the cluster scripts' CA, a person signing in through the real form, their ID token
// accepted by the API server as a bearer credential (username = email, groups = groups) with the RBAC
// bindings of cluster/demo/01-people.yaml, and every kind of bad token refused.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { apiServerUrl, repoRoot, stateDir } from '../../support/cluster.js';
import {
  authorizeUrl,
  formAction,
  mintIdToken,
  oidcEnv,
  pageAlert,
  pkcePair,
  ProviderBrowser,
  providerTokens,
  rawRequest,
  tamperedToken,
  TEST_PEOPLE,
  tokenClaims,
  type OidcEnv,
  type TestUserName,
} from '../../support/oidc.js';

const clusterCa = readFileSync(path.join(stateDir, 'pki', 'ca.crt'), 'utf8');
let env: OidcEnv;
const idTokens = new Map<TestUserName, string>();

/** POST to the API server with `token` as the only credential. */
async function asBearer(token: string, apiPath: string, body: object) {
  const res = await rawRequest(new URL(apiPath, apiServerUrl()), {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json',
    },
    body: JSON.stringify(body),
    ca: clusterCa,
  });
  return { status: res.status, body: JSON.parse(res.body) as Record<string, unknown> };
}

async function whoAmI(token: string) {
  const r = await asBearer(token, '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'SelfSubjectReview',
  });
  const userInfo = (r.body.status as { userInfo?: { username?: string; groups?: string[] } } | undefined)
    ?.userInfo;
  return { status: r.status, username: userInfo?.username, groups: userInfo?.groups ?? [] };
}

interface Access {
  verb: string;
  resource: string;
  subresource?: string;
  namespace?: string;
}

async function allowed(token: string, a: Access): Promise<boolean> {
  const r = await asBearer(token, '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    spec: { resourceAttributes: { group: '', ...a } },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return (r.body.status as { allowed: boolean }).allowed;
}

function oidcSh(args: string[]) {
  return new Promise<{ code: number; out: string }>((resolve) => {
    execFile(
      'bash',
      [path.join(repoRoot, 'cluster/oidc.sh'), ...args],
      { timeout: 30_000 },
      (err, stdout, stderr) => resolve({ code: err ? 1 : 0, out: stdout + stderr }),
    );
  });
}

before(async () => {
  env = oidcEnv();
  for (const user of Object.keys(TEST_PEOPLE) as TestUserName[]) {
    idTokens.set(user, (await providerTokens(user)).idToken);
  }
});

describe('the OpenID provider', () => {
  test('serves discovery over HTTPS with a certificate of the CA the cluster scripts made, and no other', async () => {
    const res = await rawRequest(new URL('/.well-known/openid-configuration', env.issuer), { ca: env.ca });
    assert.equal(res.status, 200);
    const doc = JSON.parse(res.body) as Record<string, unknown>;
    assert.equal(doc.issuer, 'https://10.213.0.1:5556');
    assert.deepEqual(doc.code_challenge_methods_supported, ['S256']);
    for (const scope of ['openid', 'email', 'profile', 'groups', 'offline_access']) {
      assert.ok((doc.scopes_supported as string[]).includes(scope), scope);
    }
    await assert.rejects(
      rawRequest(new URL('/.well-known/openid-configuration', env.issuer), { ca: clusterCa }),
      /self[- ]signed|unable to verify|certificate/i,
      "the cluster's own CA does not vouch for it",
    );
    const jwks = JSON.parse((await rawRequest(new URL(String(doc.jwks_uri)), { ca: env.ca })).body) as {
      keys: { kid: string; d?: string }[];
    };
    const kept = JSON.parse(readFileSync(env.files.signingKeysFile, 'utf8')) as { keys: { kid: string }[] };
    assert.deepEqual(
      jwks.keys.map((k) => k.kid),
      kept.keys.map((k) => k.kid),
      'it signs with the kept keys',
    );
    assert.ok(
      jwks.keys.every((k) => k.d === undefined),
      'only public keys are published',
    );
  });

  test('`cluster/oidc.sh env` names the issuer, CA, client and secret file the tests read', async () => {
    const r = await oidcSh(['env']);
    assert.equal(r.code, 0, r.out);
    assert.equal(
      r.out,
      [
        `PODSCOPE_OIDC_ISSUER=${env.issuer}`,
        `PODSCOPE_OIDC_CA_FILE=${env.caFile}`,
        `PODSCOPE_OIDC_CLIENT_ID=podscope`,
        `PODSCOPE_OIDC_CLIENT_SECRET_FILE=${env.clientSecretFile}`,
        '',
      ].join('\n'),
    );
    const status = await oidcSh(['status']);
    assert.equal(status.code, 0, status.out);
    assert.match(status.out, /^oidc-provider +running \(pid \d+, \d+ MiB, https:\/\/10\.213\.0\.1:5556\)$/m);
  });

  test('a person signs in through the real form and gets an ID token with their email and groups', () => {
    for (const [user, token] of idTokens) {
      const claims = tokenClaims(token);
      assert.equal(claims.iss, env.issuer);
      assert.equal(claims.aud, 'podscope');
      assert.equal(claims.email, TEST_PEOPLE[user].email);
      assert.equal(claims.email_verified, true);
      assert.deepEqual(claims.groups, TEST_PEOPLE[user].groups);
    }
  });

  test('a wrong password shows the form again with an error, and issues no code', async () => {
    const { challenge } = pkcePair();
    const redirectUri = 'http://127.0.0.1:9/auth/callback';
    const url = authorizeUrl(env.issuer, { redirectUri, state: 'wrong-pw', challenge });
    const browser = new ProviderBrowser(env.ca);
    const start = await browser.request(url);
    assert.equal(start.status, 303);
    const page = new URL(String(start.headers.location), url);
    const form = await browser.request(page);
    assert.equal(form.status, 200);
    const action = formAction(form.body, page, 'login');
    assert.ok(action, form.body);
    for (const password of ['wrong', 'victor-password', '']) {
      const refused = await browser.request(action, { form: { username: 'dana', password } });
      assert.equal(refused.status, 401, password);
      assert.equal(refused.headers.location, undefined, 'no redirect, so no code');
      assert.equal(pageAlert(refused.body), 'Wrong user name or password. Try again.');
      assert.ok(formAction(refused.body, page, 'login'), 'the form is there to try again');
      assert.doesNotMatch(refused.body, /code=/);
    }
    // The same interaction still completes with the right password (the refusals consumed nothing).
    const ok = await browser.request(action, { form: { username: 'dana', password: 'dana-password' } });
    assert.equal(ok.status, 303);
  });
});

describe('the API server trusts the provider', () => {
  test('SelfSubjectReview with an ID token: the email is the username, the groups claim the groups', async () => {
    const dana = await whoAmI(idTokens.get('dana')!);
    assert.equal(dana.status, 201);
    assert.equal(dana.username, 'dana@podscope.test');
    assert.deepEqual(
      dana.groups.filter((g) => g !== 'system:authenticated'),
      ['dev-team'],
    );
    assert.ok(dana.groups.includes('system:authenticated'));
    const nora = await whoAmI(idTokens.get('nora')!);
    assert.equal(nora.username, 'nora@podscope.test');
    assert.deepEqual(nora.groups, ['system:authenticated']);
  });

  test("the people's RBAC bindings: SelfSubjectAccessReview as each of them", async () => {
    const terminal = { verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'demo' };
    const cases: [TestUserName, Access, boolean][] = [
      ['dana', terminal, true],
      ['dana', { ...terminal, verb: 'get' }, true],
      [
        'dana',
        { verb: 'patch', resource: 'pods', subresource: 'ephemeralcontainers', namespace: 'demo' },
        true,
      ],
      ['dana', { verb: 'create', resource: 'pods', namespace: 'demo' }, true],
      ['dana', { verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'default' }, false],
      ['dana', { verb: 'get', resource: 'nodes' }, false],
      ['victor', { verb: 'list', resource: 'pods', namespace: 'demo' }, true],
      ['victor', { verb: 'get', resource: 'pods', subresource: 'log', namespace: 'demo' }, true],
      ['victor', terminal, false],
      [
        'victor',
        { verb: 'patch', resource: 'pods', subresource: 'ephemeralcontainers', namespace: 'demo' },
        false,
      ],
      ['olga', terminal, true],
      ['olga', { verb: 'get', resource: 'nodes' }, true],
      ['nora', { verb: 'list', resource: 'pods', namespace: 'demo' }, false],
      ['nora', terminal, false],
    ];
    const wrong: string[] = [];
    for (const [user, access, expected] of cases) {
      const got = await allowed(idTokens.get(user)!, access);
      if (got !== expected) wrong.push(`${user} ${JSON.stringify(access)}: ${got}, expected ${expected}`);
    }
    assert.deepEqual(wrong, []);
  });

  test('tampered, expired, wrong-audience, wrong-issuer and foreign-key tokens are refused (401)', async () => {
    const danaClaims = {
      sub: 'dana',
      email: 'dana@podscope.test',
      email_verified: true,
      groups: ['dev-team'],
    };
    // The control: a token minted with the provider's key and right claims is accepted, so each
    // refusal below is due to its one defect.
    const control = await mintIdToken(danaClaims, { key: 'provider' });
    assert.equal((await whoAmI(control)).username, 'dana@podscope.test');
    const cases: [string, string][] = [
      [
        'tampered (email changed, signature kept)',
        tamperedToken(idTokens.get('dana')!, { email: 'olga@podscope.test' }),
      ],
      ['tampered (groups changed)', tamperedToken(idTokens.get('nora')!, { groups: ['platform-admins'] })],
      ['expired', await mintIdToken(danaClaims, { key: 'provider', expiresInSeconds: -600 })],
      ['wrong audience', await mintIdToken(danaClaims, { key: 'provider', audience: 'kubernetes' })],
      ['wrong issuer', await mintIdToken(danaClaims, { key: 'provider', issuer: 'https://10.213.0.1:5557' })],
      ['signed by a foreign key', await mintIdToken(danaClaims, { key: 'foreign' })],
      [
        'email not verified',
        await mintIdToken({ ...danaClaims, email_verified: false }, { key: 'provider' }),
      ],
    ];
    const accepted: string[] = [];
    for (const [name, token] of cases) {
      const r = await whoAmI(token);
      if (r.status !== 401) accepted.push(`${name}: HTTP ${r.status} as ${r.username}`);
    }
    assert.deepEqual(accepted, []);
  });
});
