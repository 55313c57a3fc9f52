// The guard with real WebSockets (a ws server on a loopback port) and a scripted session lookup.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import type { StreamKind } from '../ws/open-streams.js';
import { SessionStreamGuard } from './session-stream-guard.js';
import { signedOutCloseReason, type CheckVerdict, type SessionEndCause } from './session-streams.js';

let wss: WebSocketServer;
let url: string;
const accepted: WebSocket[] = [];
const waiters: ((ws: WebSocket) => void)[] = [];

before(async () => {
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  wss.on('connection', (ws) => {
    const w = waiters.shift();
    if (w) w(ws);
    else accepted.push(ws);
  });
});
after(async () => {
  for (const c of wss.clients) c.terminate();
  await new Promise<void>((r) => wss.close(() => r()));
});

interface Pair {
  server: WebSocket;
  client: WebSocket;
  closed: Promise<{ code: number; reason: string }>;
}

async function open(): Promise<Pair> {
  const server = new Promise<WebSocket>((r) => waiters.push(r));
  const client = new WebSocket(url);
  const closed = new Promise<{ code: number; reason: string }>((r) =>
    client.once('close', (code, reason) => r({ code, reason: reason.toString() })),
  );
  await new Promise<void>((r, j) => (client.once('open', () => r()), client.once('error', j)));
  return { server: await server, client, closed };
}

const quiet = { warn: () => undefined, info: () => undefined };
const isOpen = (p: Pair) => p.client.readyState === WebSocket.OPEN;

function guardWith(answers: Map<string, CheckVerdict | Error>, calls: [string, number | null][] = []) {
  return new SessionStreamGuard({
    check: async (session, lastInputAt) => {
      calls.push([session, lastInputAt]);
      const a = answers.get(session) ?? { kind: 'open' };
      if (a instanceof Error) throw a;
      return a;
    },
    intervalMs: 60_000,
    log: quiet,
  });
}

async function tracked(guard: SessionStreamGuard, session: string, kind: StreamKind): Promise<Pair> {
  const p = await open();
  guard.track(p.server, session, kind);
  return p;
}

describe('the streams of a login session', () => {
  it('close at once with 4401 and a sentence when the session ends here; other sessions stay', async () => {
    const guard = guardWith(new Map());
    const aLogs = await tracked(guard, 'a', 'logs');
    const aEvents = await tracked(guard, 'a', 'events');
    const b = await tracked(guard, 'b', 'logs');
    guard.sessionEnded('a', 'signed-out');
    for (const p of [aLogs, aEvents]) {
      assert.deepEqual(await p.closed, { code: 4401, reason: signedOutCloseReason('signed-out') });
    }
    assert.ok(isOpen(b));
    assert.equal(guard.count('a'), 0);
    assert.equal(guard.count('b'), 1);
    b.client.close();
    await b.closed;
  });

  it('a check looks each distinct session up once and closes those that ended, with their cause', async () => {
    const calls: [string, number | null][] = [];
    const guard = guardWith(
      new Map<string, CheckVerdict>([
        ['gone', { kind: 'ended', cause: 'gone' }],
        ['idle', { kind: 'ended', cause: 'idle' }],
      ]),
      calls,
    );
    const gone1 = await tracked(guard, 'gone', 'logs');
    const gone2 = await tracked(guard, 'gone', 'merged-logs');
    const idle = await tracked(guard, 'idle', 'pods');
    const live = await tracked(guard, 'live', 'debug-lease');
    await guard.checkNow();
    assert.deepEqual(calls.map(([s]) => s).sort(), ['gone', 'idle', 'live']);
    for (const [p, cause] of [
      [gone1, 'gone'],
      [gone2, 'gone'],
      [idle, 'idle'],
    ] as [Pair, SessionEndCause][]) {
      assert.deepEqual(await p.closed, { code: 4401, reason: signedOutCloseReason(cause) });
    }
    assert.ok(isOpen(live));
    live.client.close();
    await live.closed;
    await new Promise((r) => setTimeout(r, 50));
    calls.length = 0;
    await guard.checkNow();
    assert.deepEqual(calls, [], 'no sockets left: nothing looked up');
  });

  it('a lookup that fails keeps that session open (the next check decides)', async () => {
    const answers = new Map<string, CheckVerdict | Error>([['a', new Error('database down')]]);
    const guard = guardWith(answers);
    const a = await tracked(guard, 'a', 'terminal');
    await guard.checkNow();
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(isOpen(a));
    answers.set('a', { kind: 'ended', cause: 'absolute' });
    await guard.checkNow();
    assert.equal((await a.closed).code, 4401);
  });

  it("a route's own ender runs instead of the plain close (a terminal closes its record first)", async () => {
    const guard = guardWith(new Map([['a', { kind: 'ended', cause: 'gone' } as CheckVerdict]]));
    const a = await tracked(guard, 'a', 'terminal');
    const ended: SessionEndCause[] = [];
    guard.onSessionEnd(a.server, (cause) => {
      ended.push(cause);
      a.server.close(4401, 'the terminal said so');
    });
    await guard.checkNow();
    await guard.checkNow();
    assert.deepEqual(ended, ['gone'], 'once');
    assert.deepEqual(await a.closed, { code: 4401, reason: 'the terminal said so' });
  });

  it('input on a terminal is handed to the check as use; on other streams it is not', async () => {
    const calls: [string, number | null][] = [];
    const guard = guardWith(new Map(), calls);
    const term = await tracked(guard, 'typing', 'terminal');
    const logs = await tracked(guard, 'watching', 'logs');
    await guard.checkNow();
    assert.deepEqual(calls.sort(), [
      ['typing', null],
      ['watching', null],
    ]);
    const before = Date.now();
    const got = new Promise((r) => term.server.once('message', r));
    term.client.send(Buffer.from('ls\r'));
    logs.client.send('{"type":"pause"}');
    await got;
    await new Promise((r) => setTimeout(r, 50));
    calls.length = 0;
    await guard.checkNow();
    const typing = calls.find(([s]) => s === 'typing')?.[1];
    assert.ok(typeof typing === 'number' && typing >= before, `typing at ${typing}`);
    assert.deepEqual(
      calls.find(([s]) => s === 'watching'),
      ['watching', null],
    );
    term.client.close();
    logs.client.close();
    await Promise.all([term.closed, logs.closed]);
  });

  it('the periodic check runs on its own once started, and stops', async () => {
    const calls: [string, number | null][] = [];
    const guard = new SessionStreamGuard({
      check: async (session) => {
        calls.push([session, null]);
        return { kind: 'ended', cause: 'gone' };
      },
      intervalMs: 100,
      log: quiet,
    });
    const a = await tracked(guard, 'a', 'events');
    guard.start();
    try {
      assert.equal((await a.closed).code, 4401);
    } finally {
      await guard.stop();
    }
    assert.deepEqual(calls, [['a', null]]);
  });
});
