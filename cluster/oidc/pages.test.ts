import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { consentPage, errorPage, escapeHtml, loginPage, PAGE_HEADERS } from './pages.js';

describe('the provider pages', () => {
  it('escape everything they show', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const page = loginPage({ uid: 'u1', clientId: '<script>', login: '"><img src=x>', error: '<b>' });
    assert.doesNotMatch(page, /<script>|<img|<b>/);
    assert.match(page, /value="&quot;&gt;&lt;img src=x&gt;"/);
    assert.doesNotMatch(errorPage('<x>', '<y>'), /<x>|<y>/);
  });

  it('sign-in: a labelled user name and password, posted to the interaction, no error unless one is given', () => {
    const page = loginPage({ uid: 'abc_-1', clientId: 'podscope' });
    assert.match(page, /<html lang="en">/);
    assert.match(page, /<form method="post" action="\/interaction\/abc_-1\/login"/);
    assert.match(
      page,
      /<label for="username">[^<]+<\/label>\s*<input id="username" name="username"[^>]*autocomplete="username"/,
    );
    assert.match(
      page,
      /<label for="password">[^<]+<\/label>\s*<input id="password" name="password" type="password"/,
    );
    assert.doesNotMatch(page, /role="alert"|aria-invalid/);
  });

  it('sign-in after a failure: the error as an alert the fields point to, the name kept, the password not', () => {
    const page = loginPage({
      uid: 'u',
      clientId: 'podscope',
      login: 'dana',
      error: 'Wrong user name or password.',
    });
    assert.match(page, /<p class="error" id="login-error" role="alert">Wrong user name or password.<\/p>/);
    assert.match(page, /name="username"[^>]*value="dana" aria-describedby="login-error" aria-invalid="true"/);
    assert.match(page, /name="password"[^>]*aria-describedby="login-error"/);
    assert.doesNotMatch(page, /name="password"[^>]*value=/);
  });

  it('consent: what is shared, in words, with Allow and Deny forms', () => {
    const page = consentPage({
      uid: 'u',
      clientId: 'podscope',
      who: 'dana@podscope.test',
      scopes: ['email', 'groups', 'custom'],
      claims: [],
    });
    assert.match(page, /<li>your email address<\/li>/);
    assert.match(page, /<li>the groups you belong to<\/li>/);
    assert.match(page, /<li>scope custom<\/li>/);
    assert.match(page, /action="\/interaction\/u\/confirm"[\s\S]*Allow/);
    assert.match(page, /action="\/interaction\/u\/abort"[\s\S]*Deny/);
  });

  it('load nothing from elsewhere and cannot be framed', () => {
    assert.match(PAGE_HEADERS['content-security-policy']!, /default-src 'none'.*frame-ancestors 'none'/);
    assert.doesNotMatch(loginPage({ uid: 'u', clientId: 'c' }), /<script|https?:\/\//);
  });
});
