import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callbackUriAllowed, postLogoutUriAllowed, REGISTERED_REDIRECT_URIS } from './redirect-rules.js';

describe('where the provider sends people back', () => {
  it('accepts the callback path on any port of the hosts Podscope runs on, http or https', () => {
    for (const uri of [
      'http://127.0.0.1:40123/auth/callback',
      'http://localhost:7420/auth/callback',
      'https://10.213.0.1:30742/auth/callback',
      'http://127.0.0.1/auth/callback',
      'http://127.0.0.1:8080/podscope/auth/callback',
      ...REGISTERED_REDIRECT_URIS,
    ]) {
      assert.equal(callbackUriAllowed(uri), true, uri);
    }
  });

  it('refuses other hosts, schemes, paths, queries, fragments and credentials', () => {
    for (const uri of [
      'http://evil.example:7420/auth/callback',
      'http://127.0.0.2:7420/auth/callback',
      'http://localhost.evil.example/auth/callback',
      'http://10.213.0.1.nip.io/auth/callback',
      'javascript://127.0.0.1/auth/callback',
      'ftp://127.0.0.1/auth/callback',
      'http://127.0.0.1:7420/auth/callback/',
      'http://127.0.0.1:7420/auth/callbackx',
      'http://127.0.0.1:7420/',
      'http://127.0.0.1:7420/auth/callback?next=http://evil.example',
      'http://127.0.0.1:7420/auth/callback#x',
      'http://user:pw@127.0.0.1:7420/auth/callback',
      'not a url',
      '',
    ]) {
      assert.equal(callbackUriAllowed(uri), false, uri);
    }
  });

  it('lets a sign-out return to any page of Podscope on those hosts, and nowhere else', () => {
    assert.equal(postLogoutUriAllowed('http://127.0.0.1:40123/'), true);
    assert.equal(postLogoutUriAllowed('https://10.213.0.1:30742/signed-out?x=1'), true);
    assert.equal(postLogoutUriAllowed('https://evil.example/'), false);
    assert.equal(postLogoutUriAllowed('http://127.0.0.1:40123/#frag'), false);
  });
});
