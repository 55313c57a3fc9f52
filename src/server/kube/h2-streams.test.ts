// The HTTP/2 transport against a local HTTP/2 server (the real API server: test/integration/logs/
// http2-streams.test.ts): sharing, the server's stream limit, flow control, abort, GOAWAY, fallback.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { H2Streams, isDroppedHttp2, NoHttp2, tlsKey, type H2TlsOptions } from './h2-streams.js';

let cert = '';
let key = '';
before(() => {
  const dir = mkdtempSync(path.join(tmpdir(), 'h2-test-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
      ].concat([
        '-subj',
        '/CN=localhost',
        '-keyout',
        path.join(dir, 'k.pem'),
        '-out',
        path.join(dir, 'c.pem'),
      ]),
      { stdio: 'ignore' },
    );
    cert = readFileSync(path.join(dir, 'c.pem'), 'utf8');
    key = readFileSync(path.join(dir, 'k.pem'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

interface Server {
  target: H2TlsOptions;
  sessions: Set<http2.ServerHttp2Session>;
  /** Each request's headers, in arrival order. */
  requests: http2.IncomingHttpHeaders[];
  open: Set<http2.ServerHttp2Stream>;
  close(): Promise<void>;
}

async function h2Server(
  handle: (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => void,
  settings: http2.Settings = {},
): Promise<Server> {
  const server = http2.createSecureServer({ cert, key, settings });
  const sessions = new Set<http2.ServerHttp2Session>();
  const requests: http2.IncomingHttpHeaders[] = [];
  const open = new Set<http2.ServerHttp2Stream>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', (stream, headers) => {
    requests.push(headers);
    open.add(stream);
    stream.on('close', () => open.delete(stream));
    stream.on('error', () => undefined);
    handle(stream, headers);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    target: { host: '127.0.0.1', port, ca: cert, servername: 'localhost' },
    sessions,
    requests,
    open,
    close: () => {
      for (const s of sessions) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Answers 200 and keeps the stream open (a follow), writing `hello <path>`. */
const holdOpen = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
  stream.respond({ ':status': 200 });
  stream.write(`hello ${headers[':path']}\n`);
};

describe('HTTP/2 streams', () => {
  const servers: Server[] = [];
  const pools: H2Streams[] = [];
  after(async () => {
    for (const p of pools) p.close();
    for (const s of servers) await s.close();
  });
  const setup = async (
    handle: Parameters<typeof h2Server>[0],
    settings?: http2.Settings,
    opts?: ConstructorParameters<typeof H2Streams>[0],
  ) => {
    const server = await h2Server(handle, settings);
    const pool = new H2Streams(opts);
    servers.push(server);
    pools.push(pool);
    return { server, pool };
  };

  test("streams share connections, as many per connection as the server's SETTINGS allow", async () => {
    const { server, pool } = await setup(holdOpen, { maxConcurrentStreams: 3 });
    const stop = new AbortController();
    const responses = await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        pool.request(server.target, 'GET', `/log/${i}`, { 'x-who': `u${i}` }, stop.signal),
      ),
    );
    assert.deepEqual(
      responses.map((r) => r.status),
      Array<number>(7).fill(200),
    );
    assert.equal(server.sessions.size, 3, '7 streams at 3 per connection: 3 connections');
    assert.deepEqual(pool.connections.map((c) => c.active).sort(), [1, 3, 3]);
    // Each request carried its own headers, connections shared or not.
    assert.deepEqual(server.requests.map((h) => h['x-who']).sort(), [
      'u0',
      'u1',
      'u2',
      'u3',
      'u4',
      'u5',
      'u6',
    ]);
    const first = await new Promise<string>((r) =>
      responses[4]!.body.once('data', (d: Buffer) => r(String(d))),
    );
    assert.equal(first, 'hello /log/4\n');
    stop.abort();
    await until('every stream closed at the server', () => server.open.size === 0);
    await until('every stream released', () => pool.connections.every((c) => c.active === 0));
  });

  test('an aborted stream frees its place at once (RST_STREAM); its connection stays for the others', async () => {
    const { server, pool } = await setup(holdOpen, { maxConcurrentStreams: 2 });
    const a = new AbortController();
    const b = new AbortController();
    await pool.request(server.target, 'GET', '/a', {}, a.signal);
    await pool.request(server.target, 'GET', '/b', {}, b.signal);
    assert.equal(server.sessions.size, 1);
    a.abort();
    await until('the aborted stream closed at the server', () => server.open.size === 1);
    const c = await pool.request(server.target, 'GET', '/c', {}, b.signal);
    assert.equal(c.status, 200);
    assert.equal(server.sessions.size, 1, 'the freed place was reused: no new connection');
    b.abort();
    await until('all closed', () => server.open.size === 0);
  });

  test('a request aborted before its answer rejects and frees its place', async () => {
    const { server, pool } = await setup(() => undefined); // never answers
    const stop = new AbortController();
    const pending = pool.request(server.target, 'GET', '/slow', {}, stop.signal);
    await until('the request reached the server', () => server.open.size === 1);
    stop.abort(new Error('the browser left'));
    await assert.rejects(pending, /the browser left/);
    await until('the stream closed at the server', () => server.open.size === 0);
    await until('released', () => pool.connections.every((c) => c.active === 0));
  });

  test('a paused stream holds one window of data and does not stall the others on its connection', async () => {
    const big = Buffer.alloc(4 * 1024 * 1024, 'x');
    const { server, pool } = await setup((stream) => {
      stream.respond({ ':status': 200 });
      stream.end(big);
    });
    const stop = new AbortController();
    const paused = await pool.request(server.target, 'GET', '/paused', {}, stop.signal);
    paused.body.pause();
    await new Promise((r) => setTimeout(r, 300));
    // Several times the connection's default window (64 KiB) through the same connection meanwhile.
    for (let i = 0; i < 3; i++) {
      const other = await pool.request(server.target, 'GET', `/other${i}`, {}, stop.signal);
      let got = 0;
      for await (const chunk of other.body) got += (chunk as Buffer).length;
      assert.equal(got, big.length);
    }
    assert.equal(server.sessions.size, 1);
    assert.ok(
      paused.body.readableLength <= 256 * 1024,
      `paused stream buffered ${paused.body.readableLength} B`,
    );
    stop.abort();
  });

  test('GOAWAY: open streams end or fail as dropped, the next request opens a new connection', async () => {
    const { server, pool } = await setup(holdOpen);
    const stop = new AbortController();
    const res = await pool.request(server.target, 'GET', '/before', {}, stop.signal);
    const ended = new Promise<unknown>((resolve) => {
      res.body.on('error', resolve);
      res.body.on('close', () => resolve('closed'));
      res.body.resume();
    });
    const [session] = server.sessions;
    session!.goaway(http2.constants.NGHTTP2_NO_ERROR);
    await until(
      'the client saw GOAWAY',
      () => pool.connections.length === 0 || pool.connections.every((c) => c.active <= 1),
    );
    session!.destroy();
    const outcome = await ended;
    assert.ok(outcome === 'closed' || isDroppedHttp2(outcome), `ended with ${String(outcome)}`);
    const after = await pool.request(server.target, 'GET', '/after', {}, stop.signal);
    assert.equal(after.status, 200);
    assert.equal(server.sessions.size, 1, 'a fresh connection');
    stop.abort();
  });

  test('a non-2xx answer comes back with its status and body', async () => {
    const { server, pool } = await setup((stream) => {
      stream.respond({ ':status': 403, 'content-type': 'application/json' });
      stream.end('{"message":"forbidden"}');
    });
    const res = await pool.request(server.target, 'GET', '/x', {});
    assert.equal(res.status, 403);
    let body = '';
    for await (const c of res.body) body += String(c);
    assert.equal(body, '{"message":"forbidden"}');
  });

  test('a server that offers only HTTP/1.1 is remembered as such', async () => {
    const server = https.createServer({ cert, key }, (_req, res) => res.end('h1'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const pool = new H2Streams();
      const target = {
        host: '127.0.0.1',
        port: (server.address() as AddressInfo).port,
        ca: cert,
        servername: 'localhost',
      };
      await assert.rejects(pool.request(target, 'GET', '/', {}), NoHttp2);
      assert.equal(pool.unsupported, true);
      pool.close();
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  test('connections are shared only between requests with the same TLS material', () => {
    const base = { host: 'h', port: 6443, ca: 'CA' };
    assert.equal(tlsKey(base), tlsKey({ ...base }));
    assert.notEqual(tlsKey(base), tlsKey({ ...base, cert: 'C', key: 'K' }));
    assert.notEqual(tlsKey({ ...base, cert: 'C', key: 'K' }), tlsKey({ ...base, cert: 'C2', key: 'K' }));
    assert.notEqual(tlsKey(base), tlsKey({ ...base, rejectUnauthorized: false }));
    assert.notEqual(tlsKey(base), tlsKey({ ...base, port: 443 }));
  });
});
