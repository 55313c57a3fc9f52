import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FLOW_TTL_MS,
  FlowError,
  flowClearCookie,
  flowCookieName,
  flowSetCookie,
  openFlow,
  safeReturnTo,
  sealFlow,
  type LoginFlow,
} from './oidc-flow.js';
import { CredentialSealer, parseSessionKeyFile } from './session-crypto.js';

const sealer = new CredentialSealer(
  parseSessionKeyFile('flow-test-key-0123456789abcdefghijklmnopqrstuv', 'k'),
);
const otherKey = new CredentialSealer(
  parseSessionKeyFile('another-key-0123456789abcdefghijklmnopqrstuvwx', 'k'),
);
const T0 = Date.UTC(2026, 10, 30, 22, 0, 0);
const flow: LoginFlow = {
  state: 'cXvW2m7u3bkA1N8ZBqYh0R9sLtD4eFgH',
  nonce: 'Pn3o8qLr0sT5uV2wX7yZ1aB6cD9eF4gH',
  codeVerifier: 'v3rIfIeR_0123456789-abcdefghijklmnopqrstuvwxyzAB',
  returnTo: '/c/podscope-local/ns/demo?tab=logs',
  expiresAt: T0 + FLOW_TTL_MS,
};
const plain = { secure: false };
const secure = { secure: true };
const cookieOf = (setCookie: string) => setCookie.split(';')[0]!;

describe('the sign-in flow cookie', () => {
  it('is HttpOnly and SameSite=Lax (the callback is a top-level GET from the provider), Secure and __Host- over HTTPS, 10 minutes', () => {
    const sealed = sealFlow(sealer, flow);
    assert.equal(flowCookieName(plain), 'podscope-login-flow');
    assert.equal(
      flowSetCookie(plain, sealed),
      `podscope-login-flow=${sealed}; Max-Age=600; Path=/; HttpOnly; SameSite=Lax`,
    );
    assert.equal(
      flowSetCookie(secure, sealed),
      `__Host-podscope-login-flow=${sealed}; Max-Age=600; Path=/; HttpOnly; SameSite=Lax; Secure`,
    );
    assert.equal(
      flowClearCookie(secure),
      '__Host-podscope-login-flow=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax; Secure',
    );
    // Sealed: nothing of the flow can be read from the cookie.
    for (const secret of [flow.state, flow.nonce, flow.codeVerifier, 'podscope-local']) {
      assert.ok(!sealed.includes(secret));
      assert.ok(!Buffer.from(sealed.split('.')[3]!, 'base64url').toString('latin1').includes(secret));
    }
  });

  it('opens on any replica with the same key, within its time', () => {
    const header = `a=1; ${cookieOf(flowSetCookie(plain, sealFlow(sealer, flow)))}; b=2`;
    const replicaB = new CredentialSealer(
      parseSessionKeyFile('flow-test-key-0123456789abcdefghijklmnopqrstuv', 'k'),
    );
    assert.deepEqual(openFlow(replicaB, plain, header, new Date(T0 + 1000)), flow);
    assert.throws(
      () => openFlow(sealer, plain, header, new Date(T0 + FLOW_TTL_MS)),
      /took longer than 10 minutes/,
    );
  });

  it('refuses a missing, changed, foreign or misplaced cookie', () => {
    const sealed = sealFlow(sealer, flow);
    const at = new Date(T0);
    const refuses = (header: string | undefined, settings = plain, s = sealer) =>
      assert.throws(() => openFlow(s, settings, header, at), FlowError);
    refuses(undefined);
    refuses('podscope-login-flow=');
    refuses(`podscope-login-flow=${sealed}`, secure); // the Secure name is another cookie
    refuses(`podscope-login-flow=${sealed}`, plain, otherKey);
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[3]!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    parts[3] = flipped.toString('base64url');
    refuses(`podscope-login-flow=${parts.join('.')}`);
    // A session credential sealed for a row is not a flow (another binding).
    refuses(`podscope-login-flow=${sealer.seal(JSON.stringify(flow), 'a'.repeat(64))}`);
    // A sealed value that is not a flow.
    refuses(`podscope-login-flow=${sealFlow(sealer, { ...flow, state: 'short' })}`);
  });

  it('returns only to a path of this server, never into the sign-in itself', () => {
    const cases: [unknown, string][] = [
      ['/c/x/ns/demo?tab=logs#top', '/c/x/ns/demo?tab=logs#top'],
      ['/', '/'],
      [undefined, '/'],
      [42, '/'],
      ['https://evil.example/', '/'],
      ['//evil.example/x', '/'],
      ['/\\evil.example', '/'],
      ['\\\\evil.example', '/'],
      ['/a\nb', '/'],
      ['javascript:alert(1)', '/'],
      ['/auth/callback?code=x', '/'],
      ['/auth/login', '/'],
      ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
      [`/${'a'.repeat(3000)}`, '/'],
    ];
    for (const [raw, want] of cases) assert.equal(safeReturnTo(raw), want, String(raw));
  });
});
