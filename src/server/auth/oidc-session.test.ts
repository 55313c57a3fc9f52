import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ClaimError,
  credentialFrom,
  oidcSessionExpiry,
  parseCredential,
  personFromClaims,
  refreshDecision,
  refreshMarginMs,
  serializeCredential,
  type OidcCredential,
} from './oidc-session.js';

const ISSUER = 'https://10.213.0.1:5556';
const impersonation = {
  issuer: ISSUER,
  usernameClaim: 'email',
  groupsClaim: 'groups',
  identityMode: 'impersonation' as const,
};
const token = { ...impersonation, identityMode: 'token' as const };
const dana = { sub: 'dana', email: 'dana@podscope.test', email_verified: true, groups: ['dev-team'] };

describe('the person an ID token names', () => {
  it('username from the username claim, groups from the groups claim, subject <issuer>#<sub>, email', () => {
    assert.deepEqual(personFromClaims(dana, impersonation), {
      subject: 'https://10.213.0.1:5556#dana',
      sub: 'dana',
      username: 'dana@podscope.test',
      email: 'dana@podscope.test',
      groups: ['dev-team'],
    });
    assert.deepEqual(personFromClaims({ sub: 'n', email: 'nora@podscope.test' }, impersonation).groups, []);
    assert.deepEqual(personFromClaims({ ...dana, groups: 'one' }, impersonation).groups, ['one']);
    assert.deepEqual(personFromClaims({ ...dana, groups: ['a', 'b', 'a'] }, impersonation).groups, [
      'a',
      'b',
    ]);
    const byName = personFromClaims(
      { sub: 'x', preferred_username: 'victor', roles: ['viewers'] },
      { ...impersonation, usernameClaim: 'preferred_username', groupsClaim: 'roles' },
    );
    assert.equal(byName.username, 'victor');
    assert.equal(byName.email, null);
    assert.deepEqual(byName.groups, ['viewers']);
  });

  it('refuses what Kubernetes would misread or what could reach beyond the person', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...dana, sub: undefined }, /no subject/],
      [{ ...dana, email: undefined }, /no "email" claim/],
      [{ ...dana, email: 'system:admin' }, /starts with "system:"/],
      [{ ...dana, groups: ['dev-team', 'system:masters'] }, /"system:masters" starts with "system:"/],
      [{ ...dana, email_verified: false }, /not verified your email/],
      [{ ...dana, groups: [1] }, /not a list of group names/],
      [{ ...dana, groups: { a: 1 } }, /not a list of group names/],
      [{ ...dana, email: 'dana\r\nImpersonate-Group: x@podscope.test' }, /cannot be a Kubernetes user name/],
      [{ ...dana, groups: ['bad\ngroup'] }, /cannot be a Kubernetes group name/],
      [{ ...dana, email: 'dänä@podscope.test' }, /cannot be a Kubernetes user name here/],
      [{ ...dana, groups: Array.from({ length: 501 }, (_, i) => `g${i}`) }, /at most 500/],
    ];
    for (const [claims, message] of cases) {
      assert.throws(
        () => personFromClaims(claims, impersonation),
        (err: unknown) => {
          assert.ok(err instanceof ClaimError);
          assert.match(err.message, message);
          return true;
        },
      );
    }
    // Token mode never puts names in headers: Unicode is fine there.
    assert.equal(
      personFromClaims({ ...dana, email: 'dänä@podscope.test' }, token).username,
      'dänä@podscope.test',
    );
    assert.throws(() => personFromClaims({ ...dana, email: 'system:admin' }, token), ClaimError);
  });
});

const T0 = Date.UTC(2026, 10, 30, 22, 0, 0);
const cred = (over: Partial<OidcCredential> = {}): OidcCredential => ({
  idToken: 'h.p.s',
  refreshToken: 'rt-1',
  idTokenIssuedAt: T0,
  idTokenExpiresAt: T0 + 3600_000,
  refreshExpiresAt: null,
  ...over,
});

describe('refreshing the ID token', () => {
  it('refreshes in the last minute of a token (half the lifetime of a short one); without a refresh token, ends it', () => {
    const at = (ms: number) => new Date(T0 + ms);
    assert.equal(refreshMarginMs(cred()), 60_000);
    assert.equal(refreshDecision(cred(), at(0)), 'use');
    assert.equal(refreshDecision(cred(), at(3600_000 - 60_001)), 'use');
    assert.equal(refreshDecision(cred(), at(3600_000 - 60_000)), 'refresh');
    assert.equal(refreshDecision(cred(), at(3600_000 + 5000)), 'refresh');
    // A 30-second token: refreshed after 15 s, not on every request.
    const short = cred({ idTokenExpiresAt: T0 + 30_000 });
    assert.equal(refreshMarginMs(short), 15_000);
    assert.equal(refreshDecision(short, at(14_999)), 'use');
    assert.equal(refreshDecision(short, at(15_000)), 'refresh');
    // No refresh token: used to its last millisecond, then over.
    const once = cred({ refreshToken: null });
    assert.equal(refreshDecision(once, at(3600_000 - 1)), 'use');
    assert.equal(refreshDecision(once, at(3600_000)), 'expired');
  });

  it('a session never outlives what the provider allows', () => {
    const now = new Date(T0);
    const twelveHours = 12 * 3600_000;
    assert.deepEqual(oidcSessionExpiry(cred(), now, twelveHours), new Date(T0 + twelveHours));
    assert.deepEqual(
      oidcSessionExpiry(cred({ refreshToken: null }), now, twelveHours),
      new Date(T0 + 3600_000),
    );
    assert.deepEqual(
      oidcSessionExpiry(cred({ refreshExpiresAt: T0 + 2 * 3600_000 }), now, twelveHours),
      new Date(T0 + 2 * 3600_000),
    );
  });

  it('the credential of a token response; a refresh without a new refresh token keeps the old one', () => {
    const claims = { iat: T0 / 1000, exp: T0 / 1000 + 300 };
    const first = credentialFrom(
      { id_token: 'id-1', refresh_token: 'rt-1', refresh_expires_in: 1800 },
      claims,
      new Date(T0),
    );
    assert.deepEqual(first, {
      idToken: 'id-1',
      refreshToken: 'rt-1',
      idTokenIssuedAt: T0,
      idTokenExpiresAt: T0 + 300_000,
      refreshExpiresAt: T0 + 1800_000,
    });
    const later = new Date(T0 + 240_000);
    const kept = credentialFrom({ id_token: 'id-2' }, { exp: T0 / 1000 + 540 }, later, first);
    assert.equal(kept.refreshToken, 'rt-1');
    assert.equal(kept.refreshExpiresAt, T0 + 1800_000);
    assert.equal(kept.idTokenIssuedAt, later.getTime());
    const rotated = credentialFrom(
      { id_token: 'id-3', refresh_token: 'rt-2' },
      { exp: T0 / 1000 + 600 },
      later,
      first,
    );
    assert.equal(rotated.refreshToken, 'rt-2');
    assert.equal(rotated.refreshExpiresAt, null);
    assert.throws(() => credentialFrom({}, claims, later), /no ID token/);
    assert.throws(() => credentialFrom({ id_token: 'x' }, {}, later), /no expiry/);
  });

  it('round-trips through the sealed text, and refuses anything else', () => {
    const c = cred({ refreshExpiresAt: T0 + 1 });
    assert.deepEqual(parseCredential(serializeCredential(c)), c);
    assert.deepEqual(
      parseCredential(serializeCredential(cred({ refreshToken: null }))),
      cred({ refreshToken: null }),
    );
    for (const bad of [
      '',
      'eyJ...',
      '{}',
      JSON.stringify({ ...c, v: 2 }),
      JSON.stringify({ v: 1, ...c, idTokenExpiresAt: 'soon' }),
    ]) {
      assert.throws(() => parseCredential(bad), /not a single sign-on credential/);
    }
  });
});
