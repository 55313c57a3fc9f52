import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { closeReason, closeSocket, MAX_CLOSE_REASON_BYTES } from './close-reason.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('closeReason', () => {
  test('a short reason is kept as it is', () => {
    assert.equal(closeReason(''), '');
    assert.equal(closeReason('end'), 'end');
    const exact = 'x'.repeat(MAX_CLOSE_REASON_BYTES);
    assert.equal(closeReason(exact), exact);
  });

  test('a long ASCII reason is cut to 123 bytes and marked', () => {
    const r = closeReason('a'.repeat(500));
    assert.equal(bytes(r), MAX_CLOSE_REASON_BYTES);
    assert.ok(r.endsWith('…'));
    assert.equal(r, 'a'.repeat(120) + '…');
  });

  test('120 characters of 2-byte text (what `.slice(0, 120)` kept) is cut by bytes', () => {
    const text = 'Container name "' + 'é'.repeat(60) + '" is not valid';
    assert.ok(bytes(text.slice(0, 120)) > MAX_CLOSE_REASON_BYTES, 'the old cut was too long');
    const r = closeReason(text);
    assert.ok(bytes(r) <= MAX_CLOSE_REASON_BYTES);
    assert.ok(text.startsWith(r.slice(0, -1)));
    assert.doesNotMatch(r, /\uFFFD/);
  });

  test('never splits a multi-byte character or a surrogate pair', () => {
    for (const ch of ['é', '€', '😀']) {
      for (let pad = 0; pad < 4; pad++) {
        const text = 'x'.repeat(pad) + ch.repeat(100);
        const r = closeReason(text);
        assert.ok(bytes(r) <= MAX_CLOSE_REASON_BYTES, `${JSON.stringify(ch)} pad ${pad}: ${bytes(r)} bytes`);
        const kept = r.slice(0, -1);
        assert.equal(Buffer.from(kept, 'utf8').toString('utf8'), kept, 'valid UTF-8 round trip');
        assert.ok(text.startsWith(kept));
        // As much as fits: one more character would not have.
        const next = [...text.slice(kept.length)][0]!;
        assert.ok(bytes(kept) + bytes(next) > MAX_CLOSE_REASON_BYTES - 3);
      }
    }
  });

  test('a lone surrogate becomes U+FFFD (it has no UTF-8 form)', () => {
    assert.equal(closeReason('a\uD800b'), 'a\uFFFDb');
    assert.equal(closeReason('\uDC00'), '\uFFFD');
    assert.equal(closeReason('😀'), '😀');
    const r = closeReason('\uD800'.repeat(100));
    assert.equal(r, '\uFFFD'.repeat(40) + '…');
  });
});

describe('closeSocket', () => {
  test('closes with a long non-ASCII reason without throwing; the peer gets the cut reason', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => server.once('listening', () => r()));
    const port = (server.address() as { port: number }).port;
    server.on('connection', (ws) => {
      closeSocket(ws, 1008, 'Kubernetes RBAC does not allow this: ' + 'é'.repeat(200));
      closeSocket(ws, 1008, 'a second close is harmless');
      closeSocket(ws, 999, 'an invalid code is not thrown either');
    });
    const client = new WebSocket(`ws://127.0.0.1:${port}/`);
    const closed = await new Promise<{ code: number; reason: string }>((resolve) =>
      client.on('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })),
    );
    assert.equal(closed.code, 1008);
    assert.ok(closed.reason.startsWith('Kubernetes RBAC does not allow this: éé'));
    assert.ok(bytes(closed.reason) <= MAX_CLOSE_REASON_BYTES);
    await new Promise<void>((r) => server.close(() => r()));
  });

  test('an invalid close code terminates the socket instead of throwing', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => server.once('listening', () => r()));
    const port = (server.address() as { port: number }).port;
    server.on('connection', (ws) => closeSocket(ws, 999, 'bad code'));
    const client = new WebSocket(`ws://127.0.0.1:${port}/`);
    const code = await new Promise<number>((resolve) => client.on('close', (c) => resolve(c)));
    assert.equal(code, 1006, 'abnormal closure: terminated');
    await new Promise<void>((r) => server.close(() => r()));
  });
});
