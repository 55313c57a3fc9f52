import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLoginRequired, isSignedOutClose } from './login-required.js';

describe('isLoginRequired', () => {
  it('is a 401 whose body has the code login-required, nothing else', () => {
    assert.equal(isLoginRequired(401, '{"status":401,"error":"Sign in","code":"login-required"}'), true);
    assert.equal(isLoginRequired(401, '{"status":401,"error":"bad","code":"bad-token"}'), false);
    assert.equal(isLoginRequired(401, '{"status":401,"error":"Podscope needs its access token"}'), false);
    assert.equal(isLoginRequired(403, '{"code":"login-required"}'), false);
    assert.equal(isLoginRequired(401, '<html>proxy</html>'), false);
    assert.equal(isLoginRequired(401, ''), false);
    assert.equal(isLoginRequired(401, 'null'), false);
  });
});

describe('isSignedOutClose', () => {
  it('is the close code of a stream whose login session ended (4401), not a restart or a drop', () => {
    assert.equal(isSignedOutClose(4401), true);
    for (const code of [1000, 1001, 1006, 1008, 1011, 1012, 4400, 4403])
      assert.equal(isSignedOutClose(code), false);
  });
});
