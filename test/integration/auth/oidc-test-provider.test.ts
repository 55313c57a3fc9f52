// A provider of a test's own (startTestProvider): the same people and client as the cluster's, HTTPS
// with the same CA, and token lifetimes short enough to watch expiry and refresh — as openid-client, the
// library Podscope's login uses, sees it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as client from 'openid-client';
import {
  fetchTrusting,
  providerTokens,
  startTestProvider,
  tokenClaims,
  type TestProviderInstance,
} from '../../support/oidc.js';

let provider: TestProviderInstance;

before(async () => {
  provider = await startTestProvider({ idTokenTtlSeconds: 5, accessTokenTtlSeconds: 5 });
});
after(() => provider.close());

test('serves its own issuer on a random port, with ID tokens of the lifetime asked for', async () => {
  assert.match(provider.issuer, /^https:\/\/127\.0\.0\.1:\d+$/);
  const tokens = await providerTokens('victor', {
    issuer: provider.issuer,
    ca: provider.ca,
    clientSecret: provider.clientSecret,
  });
  const claims = tokenClaims(tokens.idToken);
  assert.equal(claims.iss, provider.issuer);
  assert.equal(claims.email, 'victor@podscope.test');
  assert.deepEqual(claims.groups, ['viewers']);
  assert.equal(Number(claims.exp) - Number(claims.iat), 5);
  assert.equal(tokens.refreshToken, undefined, 'no refresh token without offline_access');
});

test('counts token requests by grant type: one code exchange, then each refresh', async () => {
  const codes = provider.tokenRequests('authorization_code');
  const tokens = await providerTokens('dana', {
    issuer: provider.issuer,
    ca: provider.ca,
    clientSecret: provider.clientSecret,
    offlineAccess: true,
  });
  assert.ok(tokens.refreshToken, 'offline_access gives a refresh token');
  assert.equal(provider.tokenRequests('authorization_code'), codes + 1);
  assert.equal(provider.tokenRequests('refresh_token'), 0);
  const config = await client.discovery(
    new URL(provider.issuer),
    provider.clientId,
    undefined,
    client.ClientSecretPost(provider.clientSecret),
    { [client.customFetch]: fetchTrusting(provider.ca) },
  );
  const refreshed = await client.refreshTokenGrant(config, tokens.refreshToken);
  assert.equal(provider.tokenRequests('refresh_token'), 1);
  assert.notEqual(refreshed.refresh_token, tokens.refreshToken, 'refresh tokens rotate');
  const claims = tokenClaims(refreshed.id_token!);
  assert.equal(claims.email, 'dana@podscope.test');
  assert.ok(Number(claims.iat) >= Number(tokenClaims(tokens.idToken).iat));
});
