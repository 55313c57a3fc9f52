import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  parseOidcConfigSection,
  readOidcSecrets,
  resolveOidcSettings,
  type OidcSources,
} from './oidc-settings.js';

const sources = (over: Partial<OidcSources> = {}): OidcSources => ({
  flags: { 'oidc-issuer': 'https://10.213.0.1:5556', 'oidc-client-id': 'podscope' },
  env: {},
  config: null,
  publicUrl: 'https://podscope.example.com',
  ...over,
});

describe('single sign-on settings', () => {
  it('defaults: the scopes, email as username, groups, impersonation, the callback on the public URL', () => {
    assert.deepEqual(resolveOidcSettings(sources()), {
      issuer: 'https://10.213.0.1:5556',
      clientId: 'podscope',
      clientSecretFile: null,
      scopes: ['openid', 'email', 'profile', 'groups', 'offline_access'],
      usernameClaim: 'email',
      groupsClaim: 'groups',
      caFile: null,
      identityMode: 'impersonation',
      providerName: '10.213.0.1:5556',
      publicUrl: new URL('https://podscope.example.com'),
      redirectUri: 'https://podscope.example.com/auth/callback',
    });
  });

  it('flags win over the environment, which wins over the config file', () => {
    const config = parseOidcConfigSection({
      issuer: 'https://config.example.com',
      clientId: 'from-config',
      clientSecretFile: '/config/secret',
      caFile: '/config/ca.crt',
      scopes: ['openid', 'email'],
      usernameClaim: 'preferred_username',
      groupsClaim: 'roles',
      identityMode: 'token',
      providerName: 'Corporate login',
    });
    const env = {
      PODSCOPE_OIDC_ISSUER: 'https://env.example.com',
      PODSCOPE_OIDC_CLIENT_ID: 'from-env',
      PODSCOPE_OIDC_CLIENT_SECRET_FILE: '/env/secret',
      PODSCOPE_OIDC_CA_FILE: '/env/ca.crt',
    };
    const fromConfig = resolveOidcSettings(sources({ flags: {}, config }));
    assert.equal(fromConfig.issuer, 'https://config.example.com');
    assert.equal(fromConfig.clientId, 'from-config');
    assert.equal(fromConfig.clientSecretFile, '/config/secret');
    assert.equal(fromConfig.caFile, '/config/ca.crt');
    assert.deepEqual(fromConfig.scopes, ['openid', 'email']);
    assert.equal(fromConfig.usernameClaim, 'preferred_username');
    assert.equal(fromConfig.groupsClaim, 'roles');
    assert.equal(fromConfig.identityMode, 'token');
    assert.equal(fromConfig.providerName, 'Corporate login');
    const fromEnv = resolveOidcSettings(sources({ flags: {}, env, config }));
    assert.equal(fromEnv.issuer, 'https://env.example.com');
    assert.equal(fromEnv.clientId, 'from-env');
    assert.equal(fromEnv.clientSecretFile, '/env/secret');
    assert.equal(fromEnv.caFile, '/env/ca.crt');
    const fromFlags = resolveOidcSettings(
      sources({
        flags: {
          'oidc-issuer': 'https://flag.example.com/realms/a',
          'oidc-client-id': 'from-flag',
          'oidc-client-secret-file': '/flag/secret',
          'oidc-ca-file': '/flag/ca.crt',
          'oidc-scopes': 'openid groups, email',
          'oidc-username-claim': 'upn',
          'oidc-groups-claim': 'https://example.com/claims/groups',
          'oidc-identity-mode': 'impersonation',
        },
        env,
        config,
      }),
    );
    assert.equal(fromFlags.issuer, 'https://flag.example.com/realms/a');
    assert.equal(fromFlags.clientId, 'from-flag');
    assert.equal(fromFlags.clientSecretFile, '/flag/secret');
    assert.equal(fromFlags.caFile, '/flag/ca.crt');
    assert.deepEqual(fromFlags.scopes, ['openid', 'groups', 'email']);
    assert.equal(fromFlags.usernameClaim, 'upn');
    assert.equal(fromFlags.groupsClaim, 'https://example.com/claims/groups');
    assert.equal(fromFlags.identityMode, 'impersonation');
    // An empty environment variable counts as unset.
    assert.equal(
      resolveOidcSettings(sources({ flags: {}, env: { PODSCOPE_OIDC_ISSUER: '' }, config })).issuer,
      'https://config.example.com',
    );
  });

  it('refuses what cannot work, saying what to fix', () => {
    const cases: [Partial<OidcSources>, RegExp][] = [
      [{ flags: { 'oidc-client-id': 'podscope' } }, /needs the provider: --oidc-issuer URL/],
      [{ flags: { 'oidc-issuer': 'https://a.example' } }, /needs the client id/],
      [{ flags: { 'oidc-issuer': 'http://a.example', 'oidc-client-id': 'p' } }, /must be an https URL/],
      [{ flags: { 'oidc-issuer': 'not a url', 'oidc-client-id': 'p' } }, /issuer URL/],
      [
        { flags: { 'oidc-issuer': 'https://a.example/?x=1', 'oidc-client-id': 'p' } },
        /must not have a query/,
      ],
      [{ flags: { 'oidc-issuer': 'https://a.example', 'oidc-client-id': 'has space' } }, /client id/],
      [{ publicUrl: undefined }, /needs --public-url URL.*never builds that from request headers/],
      [{ publicUrl: 'ftp://podscope.example.com' }, /takes an http\(s\) URL/],
      [{ publicUrl: 'https://podscope.example.com/scope' }, /without a path/],
    ];
    for (const [over, message] of cases) {
      assert.throws(() => resolveOidcSettings(sources(over)), message, JSON.stringify(over));
    }
    const withFlags = (extra: Record<string, string>) =>
      sources({ flags: { 'oidc-issuer': 'https://a.example', 'oidc-client-id': 'p', ...extra } });
    assert.throws(
      () => resolveOidcSettings(withFlags({ 'oidc-scopes': 'email groups' })),
      /must include openid/,
    );
    assert.throws(() => resolveOidcSettings(withFlags({ 'oidc-scopes': 'openid "x"' })), /is not a scope/);
    assert.throws(() => resolveOidcSettings(withFlags({ 'oidc-scopes': 'openid openid' })), /twice/);
    assert.throws(() => resolveOidcSettings(withFlags({ 'oidc-username-claim': 'a b' })), /not a claim name/);
    assert.throws(
      () => resolveOidcSettings(withFlags({ 'oidc-username-claim': 'groups' })),
      /username and groups claims must differ/,
    );
    assert.throws(
      () => resolveOidcSettings(withFlags({ 'oidc-identity-mode': 'both' })),
      /--oidc-identity-mode is impersonation or token \(got "both"\)/,
    );
  });

  it('the config section: known fields only, typed', () => {
    assert.throws(() => parseOidcConfigSection({ issuerUrl: 'x' }), /unknown field "issuerUrl"/);
    assert.throws(() => parseOidcConfigSection('https://x'), /must be an object/);
    assert.throws(() => parseOidcConfigSection({ scopes: 'openid email' }), /list of strings/);
    assert.throws(
      () => parseOidcConfigSection({ clientId: '' }),
      /auth.oidc.clientId must be a non-empty string/,
    );
    assert.throws(
      () => parseOidcConfigSection({ identityMode: 'passthrough' }),
      /auth.oidc.identityMode is impersonation or token/,
    );
  });

  it('reads the client secret (one line) and the CA (PEM) files', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'oidc-settings-'));
    const secret = path.join(dir, 'secret');
    const ca = path.join(dir, 'ca.crt');
    writeFileSync(secret, 's3cret-value\n');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    assert.deepEqual(readOidcSecrets({ clientSecretFile: secret, caFile: ca }), {
      clientSecret: 's3cret-value',
      ca: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    });
    assert.deepEqual(readOidcSecrets({ clientSecretFile: null, caFile: null }), {
      clientSecret: null,
      ca: null,
    });
    writeFileSync(secret, 'two\nlines\n');
    assert.throws(() => readOidcSecrets({ clientSecretFile: secret, caFile: null }), /must hold one line/);
    writeFileSync(ca, 'not pem');
    assert.throws(() => readOidcSecrets({ clientSecretFile: null, caFile: ca }), /holds no PEM certificate/);
    assert.throws(
      () => readOidcSecrets({ clientSecretFile: path.join(dir, 'missing'), caFile: null }),
      /cannot read the OpenID client secret file .*missing/,
    );
  });
});
