import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { OpenStreams, streamKind, type StreamKind } from './open-streams.js';

describe('streamKind', () => {
  const base = '/api/clusters/podscope-local/namespaces/demo';
  const cases: [string, StreamKind][] = [
    [`${base}/pods/web-1/logs/stream?container=app&follow=true`, 'logs'],
    [`${base}/workloads/deployment/web/logs/stream`, 'merged-logs'],
    [`${base}/logs/stream?selector=app%3Dweb`, 'merged-logs'],
    [`${base}/events/watch`, 'events'],
    [`${base}/events/watch?pod=web-1`, 'events'],
    [`${base}/pods/watch`, 'pods'],
    [`${base}/pods/web-1/watch`, 'pods'],
    [`${base}/pods/web-1/terminal?command=sh`, 'terminal'],
    [`${base}/debug-pods/web-1-debug-x1y2z/lease`, 'debug-lease'],
    ['/api/clusters/podscope-local/namespaces/demo/pods', 'other'],
    ['/', 'other'],
    ['/api/clusters/x/namespaces/y/pods/a/b/logs/stream', 'other'],
  ];
  for (const [url, kind] of cases) {
    test(`${url} → ${kind}`, () => assert.equal(streamKind(url), kind));
  }
});

async function server(): Promise<{ wss: WebSocketServer; url: string }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  return { wss, url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}/` };
}

describe('OpenStreams', () => {
  test('counts sockets by kind and bytes each way; closeAll sends the code and reason to every browser', async () => {
    const { wss, url } = await server();
    const events: string[] = [];
    const bytes = { in: 0, out: 0 };
    const streams = new OpenStreams({
      opened: (k) => events.push(`open ${k}`),
      closed: (k) => events.push(`close ${k}`),
      bytes: (_k, d, n) => (bytes[d] += n),
    });
    let n = 0;
    wss.on('connection', (ws) => {
      streams.track(ws, n++ === 0 ? 'logs' : 'terminal');
      ws.on('message', () => ws.send('pong-é')); // 7 bytes of UTF-8
    });
    const clients = [new WebSocket(url), new WebSocket(url)];
    const closed = clients.map(
      (c) =>
        new Promise<{ code: number; reason: string }>((resolve) =>
          c.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
        ),
    );
    await Promise.all(clients.map((c) => new Promise((r) => c.once('open', r))));
    const pong = new Promise((r) => clients[0]!.once('message', r));
    clients[0]!.send('ping'); // 4 bytes
    await pong;
    assert.equal(streams.count(), 2);
    assert.equal(streams.count('logs'), 1);
    assert.equal(streams.count('terminal'), 1);
    assert.deepEqual(bytes, { in: 4, out: 7 });

    await streams.closeAll(1012, 'server shutting down, reconnect', 2000);
    assert.deepEqual(await Promise.all(closed), [
      { code: 1012, reason: 'server shutting down, reconnect' },
      { code: 1012, reason: 'server shutting down, reconnect' },
    ]);
    assert.equal(streams.count(), 0);
    assert.deepEqual(events.sort(), ['close logs', 'close terminal', 'open logs', 'open terminal']);
    await new Promise<void>((r) => wss.close(() => r()));
  });

  test('a peer that never answers the close is cut after the timeout; only the kinds asked are closed', async () => {
    const { wss, url } = await server();
    const streams = new OpenStreams();
    let n = 0;
    wss.on('connection', (ws) => streams.track(ws, n++ === 0 ? 'events' : 'pods'));
    const silent = new WebSocket(url);
    const other = new WebSocket(url);
    await Promise.all([silent, other].map((c) => new Promise((r) => c.once('open', r))));
    // The browser stops reading: its close frame never comes back.
    (silent as unknown as { _socket: { pause(): void } })._socket.pause();
    const started = Date.now();
    await streams.closeAll(1012, 'bye', 200, ['events']);
    const took = Date.now() - started;
    assert.ok(took >= 180 && took < 2000, `took ${took} ms`);
    assert.equal(streams.count('events'), 0, 'terminated');
    assert.equal(streams.count('pods'), 1, 'another kind is left open');
    other.close();
    silent.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
  });
});
