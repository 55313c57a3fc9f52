import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import Fastify from 'fastify';
import { loggerOptions, redactUrl, requestId, REDACTED } from './log-options.js';

describe('redactUrl', () => {
  test('the token parameter (any case, encoded name) loses its value; the rest stays', () => {
    assert.equal(redactUrl('/?token=abc123'), `/?token=${REDACTED}`);
    assert.equal(
      redactUrl('/c/x/ns/demo?tab=logs&token=abc&q=1'),
      `/c/x/ns/demo?tab=logs&token=${REDACTED}&q=1`,
    );
    assert.equal(redactUrl('/?TOKEN=abc'), `/?TOKEN=${REDACTED}`);
    assert.equal(redactUrl('/?%74oken=abc'), `/?%74oken=${REDACTED}`);
    assert.equal(redactUrl('/?access_token=abc'), `/?access_token=${REDACTED}`);
    assert.equal(redactUrl('/api/pods?tokens=1'), '/api/pods?tokens=1');
    assert.equal(redactUrl('/api/pods'), '/api/pods');
    assert.equal(redactUrl('/?token'), `/?token=${REDACTED}`);
    assert.equal(redactUrl('/?%E0%A4%A=1&token=x'), `/?%E0%A4%A=1&token=${REDACTED}`);
  });
});

describe('requestId', () => {
  test("a proxy's plain X-Request-Id is kept; anything else gets a fresh UUID", () => {
    assert.equal(requestId('abc-123_x.y:z'), 'abc-123_x.y:z');
    assert.equal(requestId(['first', 'second']), 'first');
    for (const bad of [undefined, '', 'a b', 'x'.repeat(65), 'line\nbreak', '{"json":1}']) {
      assert.match(requestId(bad), /^[0-9a-f]{8}-[0-9a-f]{4}-/, String(bad));
    }
  });
});

test('log lines are JSON with time, level and reqId, and carry no token, cookie or Authorization', async () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((l) => l !== ''),
      );
      done();
    },
  });
  const app = Fastify(loggerOptions('info', stream));
  app.get('/', async (req) => {
    // What careless code might log: the headers whole, the request, a token field.
    req.log.info({ headers: req.headers }, 'headers');
    req.log.info({ req: { headers: req.headers }, token: 'SECRET-TOKEN-1' }, 'nested');
    req.log.warn({ err: new Error('failed'), authorization: req.headers.authorization }, 'failure');
    return { ok: true };
  });
  const res = await app.inject({
    method: 'GET',
    url: '/?token=SECRET-TOKEN-1&tab=logs',
    headers: {
      authorization: 'Bearer SECRET-TOKEN-1',
      cookie: 'podscope_token=SECRET-TOKEN-1; other=SECRET-COOKIE-2',
      'x-request-id': 'trace-42',
    },
  });
  assert.equal(res.statusCode, 200);
  await app.close();
  const all = lines.join('\n');
  assert.doesNotMatch(all, /SECRET-TOKEN-1|SECRET-COOKIE-2/);
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const request = parsed.filter((l) => l['reqId'] === 'trace-42');
  assert.ok(request.length >= 4, all);
  for (const l of parsed) {
    assert.match(String(l['time']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(['info', 'warn'].includes(String(l['level'])), String(l['level']));
  }
  const incoming = request.find((l) => l['msg'] === 'incoming request') as { req: { url: string } };
  assert.equal(incoming.req.url, `/?token=${REDACTED}&tab=logs`);
  const headers = request.find((l) => l['msg'] === 'headers') as { headers: Record<string, string> };
  assert.equal(headers.headers['authorization'], REDACTED);
  assert.equal(headers.headers['cookie'], REDACTED);
  assert.equal(headers.headers['x-request-id'], 'trace-42');
  const failure = request.find((l) => l['msg'] === 'failure') as { err: { message: string } };
  assert.equal(failure.err.message, 'failed');
});
