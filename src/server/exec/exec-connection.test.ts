import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeApiError } from '../http/errors.js';
import { ClusterConnection } from '../kube/kube-client.js';
import { explainUpgradeRefusal, openExec } from './exec-connection.js';

test('a 403 whose message stops after "is forbidden:" says which verb is missing', () => {
  const m = explainUpgradeRefusal(403, 'pods "app" is forbidden: ', 'team-a');
  assert.match(m, /^pods "app" is forbidden: your account may not create "pods\/exec" in namespace "team-a"/);
  assert.match(m, /Kubernetes 1\.35/);
});

test('complete messages and other statuses are left as Kubernetes wrote them', () => {
  const full =
    'pods "app" is forbidden: User "u" cannot create resource "pods/exec" in API group "" in the namespace "a"';
  assert.equal(explainUpgradeRefusal(403, full, 'a'), full);
  assert.equal(explainUpgradeRefusal(404, 'pods "app" is forbidden: ', 'a'), 'pods "app" is forbidden: ');
});

test('a refused upgrade closes its connection at once (it used to stay open until the API server dropped it)', async () => {
  // An API server stand-in that refuses every upgrade with a keep-alive 403, as kube-apiserver does; the
  // test is about this client's socket, not about Kubernetes.
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.once('data', () => {
      const body = JSON.stringify({
        kind: 'Status',
        message: 'pods "app" is forbidden: no',
        reason: 'Forbidden',
      });
      socket.write(
        `HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `Connection: keep-alive\r\n\r\n${body}`,
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  try {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const cluster = new ClusterConnection('test', kc, `http://127.0.0.1:${port}`, null, {
      kubeRequestConnections: 2,
      kubeStreamConnections: 2,
    });
    for (let i = 0; i < 3; i++) {
      await assert.rejects(
        openExec(
          cluster.client(null),
          { namespace: 'a', pod: 'app', container: 'c', command: ['true'], stdin: false, tty: false },
          { stdout: () => {}, stderr: () => {}, exit: () => {} },
        ),
        (err: unknown) => err instanceof KubeApiError && err.status === 403,
      );
    }
    const deadline = Date.now() + 2000;
    while (sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(sockets.size, 0, 'connections of refused upgrades still open');
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
