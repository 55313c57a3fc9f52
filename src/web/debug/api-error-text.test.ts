import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiErrorText } from './api-error-text.js';

test("the server's sentence is shown as is", () => {
  assert.equal(
    apiErrorText(413, 'Payload Too Large', '{"status":413,"error":"The file is too big."}'),
    'The file is too big.',
  );
});

test('a body without a sentence falls back to the status', () => {
  assert.equal(apiErrorText(502, 'Bad Gateway', '<html>oops</html>'), 'The server answered 502 Bad Gateway.');
  assert.equal(apiErrorText(500, '', '{"error":""}'), 'The server answered 500.');
  assert.equal(apiErrorText(404, '', ''), 'The server answered 404.');
});

test('no answer at all is a connection problem', () => {
  assert.match(apiErrorText(0, '', ''), /Cannot reach the Podscope server/);
});
