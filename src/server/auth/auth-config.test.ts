import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  attemptWindowStart,
  DEFAULT_AUTH_CONFIG,
  parseAuthConfig,
  retryAfterSeconds,
} from './auth-config.js';

describe('the auth config section', () => {
  it('defaults: 60 min idle, 12 h absolute, 10 login attempts per minute per client', () => {
    assert.deepEqual(parseAuthConfig(undefined), DEFAULT_AUTH_CONFIG);
    assert.deepEqual(DEFAULT_AUTH_CONFIG, {
      timeouts: { idleMs: 3_600_000, absoluteMs: 43_200_000 },
      loginAttempts: { perClient: 10, windowMs: 60_000 },
      streamCheckMs: 15_000,
      oidc: null,
    });
  });

  it('reads every field', () => {
    assert.deepEqual(
      parseAuthConfig({
        idleTimeoutMinutes: 15,
        absoluteTimeoutMinutes: 480,
        loginAttempts: { perClient: 5, windowSeconds: 300 },
        streamCheckSeconds: 2,
      }),
      {
        timeouts: { idleMs: 900_000, absoluteMs: 28_800_000 },
        loginAttempts: { perClient: 5, windowMs: 300_000 },
        streamCheckMs: 2000,
        oidc: null,
      },
    );
    assert.deepEqual(
      parseAuthConfig({ oidc: { issuer: 'https://login.example.com', identityMode: 'token' } }).oidc,
      { issuer: 'https://login.example.com', identityMode: 'token' },
    );
  });

  it('refuses unknown fields, non-integers, and an idle timeout longer than the absolute one', () => {
    assert.throws(() => parseAuthConfig({ idleTimeout: 5 }), /unknown field "idleTimeout"/);
    assert.throws(() => parseAuthConfig({ idleTimeoutMinutes: 1.5 }), /whole number/);
    assert.throws(() => parseAuthConfig({ idleTimeoutMinutes: 0 }), /from 1/);
    assert.throws(
      () => parseAuthConfig({ idleTimeoutMinutes: 90, absoluteTimeoutMinutes: 60 }),
      /cannot be longer/,
    );
    assert.throws(() => parseAuthConfig({ loginAttempts: { perClient: '10' } }), /perClient/);
    assert.throws(() => parseAuthConfig({ streamCheckSeconds: 0 }), /streamCheckSeconds must be .* from 1/);
    assert.throws(() => parseAuthConfig({ streamCheckSeconds: 0.5 }), /streamCheckSeconds/);
    assert.throws(() => parseAuthConfig([]), /must be an object/);
  });
});

describe('login attempt windows', () => {
  it('are fixed windows every replica computes alike, with the seconds left for Retry-After', () => {
    const now = new Date(Date.UTC(2026, 0, 1, 10, 0, 42, 500));
    assert.deepEqual(attemptWindowStart(now, 60_000), new Date(Date.UTC(2026, 0, 1, 10, 0, 0)));
    assert.equal(retryAfterSeconds(now, 60_000), 18);
    assert.equal(retryAfterSeconds(new Date(Date.UTC(2026, 0, 1, 10, 0, 59, 999)), 60_000), 1);
  });
});
