import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newSessionId } from './login-session.js';
import {
  cookieSettingsFor,
  sessionClearCookie,
  sessionCookieName,
  sessionIdFromCookie,
  sessionSetCookie,
} from './session-cookie.js';

const http = cookieSettingsFor(new URL('http://10.0.0.1:30742/'));
const https = cookieSettingsFor(new URL('https://podscope.example.com/'));

describe('the session cookie', () => {
  it('is Secure (with the __Host- prefix) only when the public URL is https', () => {
    assert.equal(cookieSettingsFor(null).secure, false);
    assert.equal(http.secure, false);
    assert.equal(https.secure, true);
    assert.equal(sessionCookieName(http), 'podscope-session');
    assert.equal(sessionCookieName(https), '__Host-podscope-session');
  });

  it('is HttpOnly, SameSite=Strict, for the whole site, and ends with the browser', () => {
    const id = newSessionId();
    assert.equal(sessionSetCookie(http, id), `podscope-session=${id}; Path=/; HttpOnly; SameSite=Strict`);
    assert.equal(
      sessionSetCookie(https, id),
      `__Host-podscope-session=${id}; Path=/; HttpOnly; SameSite=Strict; Secure`,
    );
    assert.equal(
      sessionClearCookie(https),
      '__Host-podscope-session=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict; Secure',
    );
  });

  it('is read from a Cookie header among others, and only when its value has the shape of an id', () => {
    const id = newSessionId();
    assert.equal(sessionIdFromCookie(http, `a=1; podscope-session=${id}; b=2`), id);
    assert.equal(sessionIdFromCookie(http, `podscope-session=${id}`), id);
    assert.equal(
      sessionIdFromCookie(https, `podscope-session=${id}`),
      undefined,
      'the plain name is not read over https',
    );
    assert.equal(sessionIdFromCookie(https, `__Host-podscope-session=${id}`), id);
    assert.equal(sessionIdFromCookie(http, undefined), undefined);
    assert.equal(sessionIdFromCookie(http, 'podscope-session='), undefined);
    assert.equal(sessionIdFromCookie(http, 'podscope-session=../../etc/passwd'), undefined);
    assert.equal(sessionIdFromCookie(http, `podscope-token-7420=${id}`), undefined);
  });
});
