import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  bearerToken,
  cookieName,
  generateToken,
  readCookie,
  sessionCookie,
  splitTokenParam,
  tokenMatches,
} from './access-token.js';

describe('access token', () => {
  test('a token is 256 random bits, URL-safe, new every time', () => {
    const a = generateToken();
    const b = generateToken();
    assert.match(a, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a, b);
  });

  test('tokenMatches accepts only the exact token', () => {
    const t = generateToken();
    assert.equal(tokenMatches(t, t), true);
    assert.equal(tokenMatches(t, t.slice(0, -1)), false);
    assert.equal(tokenMatches(t, `${t}x`), false);
    assert.equal(tokenMatches(t, t.toUpperCase()), t === t.toUpperCase());
    assert.equal(tokenMatches(t, ''), false);
    assert.equal(tokenMatches(t, undefined), false);
    assert.equal(tokenMatches(t, null), false);
  });

  test('the cookie is HttpOnly, SameSite=Strict, for the whole site, named after the port', () => {
    assert.equal(cookieName(7420), 'podscope-token-7420');
    assert.equal(
      sessionCookie('podscope-token-7420', 'abc'),
      'podscope-token-7420=abc; Path=/; HttpOnly; SameSite=Strict',
    );
  });

  test('readCookie finds the named cookie among others', () => {
    assert.equal(readCookie('a=1; podscope-token-7420=xyz; b=2', 'podscope-token-7420'), 'xyz');
    assert.equal(readCookie('podscope-token-7421=other', 'podscope-token-7420'), undefined);
    assert.equal(readCookie('xpodscope-token-7420=evil', 'podscope-token-7420'), undefined);
    assert.equal(readCookie(undefined, 'x'), undefined);
    assert.equal(readCookie('garbage', 'x'), undefined);
  });

  test('bearerToken reads "Authorization: Bearer TOKEN" only', () => {
    assert.equal(bearerToken('Bearer abc'), 'abc');
    assert.equal(bearerToken('bearer  abc '), 'abc');
    assert.equal(bearerToken('Basic abc'), undefined);
    assert.equal(bearerToken('Bearer a b'), undefined);
    assert.equal(bearerToken('Bearer'), undefined);
    assert.equal(bearerToken(undefined), undefined);
  });
});

describe('splitTokenParam', () => {
  const cases: [string, string | undefined, string][] = [
    ['/', undefined, '/'],
    ['/?token=abc', 'abc', '/'],
    ['/c/x/ns/demo?tab=logs&token=abc&previous=true', 'abc', '/c/x/ns/demo?tab=logs&previous=true'],
    ['/api/clusters?token=abc', 'abc', '/api/clusters'],
    ['/?token=a&token=b', '', '/'], // two tokens: neither counts
    ['/?tokens=abc', undefined, '/?tokens=abc'],
    // The redirect target never leaves this server: no protocol-relative or backslash tricks.
    ['//evil.example/x?token=abc', 'abc', '/evil.example/x'],
    ['/\\evil.example?token=abc', 'abc', '/evil.example'],
    ['\\\\evil.example?token=abc', 'abc', '/evil.example'],
  ];
  for (const [url, token, rest] of cases) {
    test(`${url} → token ${JSON.stringify(token)}, rest ${rest}`, () => {
      assert.deepEqual(splitTokenParam(url), { token, rest });
    });
  }
});
