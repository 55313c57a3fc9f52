import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  hashSessionId,
  isSessionIdShape,
  judgeSession,
  jwtExpiry,
  newSessionId,
  newSessionTimes,
  touchDue,
  TOUCH_INTERVAL_MS,
} from './login-session.js';

const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);
const MIN = 60_000;
const timeouts = { idleMs: 60 * MIN, absoluteMs: 12 * 60 * MIN };
const jwt = (payload: object) =>
  `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;

describe('session ids', () => {
  it('are 256 random bits, URL-safe, never the same twice, and keyed by their SHA-256', () => {
    const ids = new Set(Array.from({ length: 1000 }, newSessionId));
    assert.equal(ids.size, 1000);
    for (const id of ids) {
      assert.equal(Buffer.from(id, 'base64url').length, 32);
      assert.ok(isSessionIdShape(id));
    }
    assert.equal(hashSessionId('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('a cookie value of any other shape is not a session id', () => {
    for (const v of [
      undefined,
      '',
      'x',
      `${newSessionId()}x`,
      newSessionId().slice(1),
      `${newSessionId().slice(1)}=`,
      "' OR 1=1",
    ]) {
      assert.equal(isSessionIdShape(v), false, String(v));
    }
  });
});

describe('session deadlines', () => {
  it('a new session gets its idle and absolute deadlines', () => {
    const t = newSessionTimes(new Date(T0), timeouts, null);
    assert.deepEqual(t, {
      createdAt: new Date(T0),
      lastSeenAt: new Date(T0),
      idleExpiresAt: new Date(T0 + 60 * MIN),
      expiresAt: new Date(T0 + 12 * 60 * MIN),
    });
  });

  it('a token that expires sooner brings both deadlines forward; a later one changes nothing', () => {
    const soon = newSessionTimes(new Date(T0), timeouts, new Date(T0 + 30 * MIN));
    assert.deepEqual(soon.expiresAt, new Date(T0 + 30 * MIN));
    assert.deepEqual(soon.idleExpiresAt, new Date(T0 + 30 * MIN));
    const late = newSessionTimes(new Date(T0), timeouts, new Date(T0 + 48 * 60 * MIN));
    assert.deepEqual(late.expiresAt, new Date(T0 + 12 * 60 * MIN));
  });

  it('a session is valid strictly before each deadline', () => {
    const t = { idleExpiresAt: new Date(T0 + 60 * MIN), expiresAt: new Date(T0 + 120 * MIN) };
    assert.deepEqual(judgeSession(t, new Date(T0 + 60 * MIN - 1)), { kind: 'valid' });
    assert.deepEqual(judgeSession(t, new Date(T0 + 60 * MIN)), { kind: 'expired', why: 'idle' });
    assert.deepEqual(
      judgeSession({ ...t, idleExpiresAt: new Date(T0 + 200 * MIN) }, new Date(T0 + 120 * MIN)),
      {
        kind: 'expired',
        why: 'absolute',
      },
    );
  });

  it('a use pushes the idle deadline back at most once a minute, never past the absolute deadline', () => {
    const t = { lastSeenAt: new Date(T0), expiresAt: new Date(T0 + 90 * MIN) };
    assert.equal(touchDue(t, new Date(T0 + TOUCH_INTERVAL_MS - 1), timeouts), null);
    assert.deepEqual(touchDue(t, new Date(T0 + TOUCH_INTERVAL_MS), timeouts), new Date(T0 + 61 * MIN));
    assert.deepEqual(touchDue(t, new Date(T0 + 45 * MIN), timeouts), new Date(T0 + 90 * MIN));
  });
});

describe('jwtExpiry', () => {
  it("reads a JWT's exp, and nothing from what is not one", () => {
    assert.deepEqual(jwtExpiry(jwt({ exp: T0 / 1000 })), new Date(T0));
    assert.equal(jwtExpiry(jwt({ sub: 'x' })), null);
    assert.equal(jwtExpiry(jwt({ exp: 'tomorrow' })), null);
    assert.equal(jwtExpiry(jwt({ exp: -5 })), null);
    assert.equal(jwtExpiry('opaque-static-token'), null);
    assert.equal(jwtExpiry('a.%%%.c'), null);
    assert.equal(jwtExpiry(`a.${Buffer.from('[1]').toString('base64url')}.c`), null);
  });
});
