import assert from 'node:assert/strict';
import net from 'node:net';
import type https from 'node:https';
import { after, before, describe, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { inspect } from 'node:util';
import { PodscopeError } from '../http/errors.js';
import { BearerTokenCredential } from './identity.js';
import { ClusterConnection, poolFor } from './kube-client.js';

/** A TCP server that accepts connections and never answers: every request through it stays open. */
let silent: net.Server;
const accepted = new Set<net.Socket>();
let port = 0;
before(async () => {
  silent = net.createServer((s) => {
    accepted.add(s);
    s.on('close', () => accepted.delete(s));
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  port = (silent.address() as net.AddressInfo).port;
});
after(async () => {
  for (const s of accepted) s.destroy();
  await new Promise<void>((r) => silent.close(() => r()));
});

function connection(sizes = { kubeRequestConnections: 4, kubeStreamConnections: 2 }) {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `https://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  // The HTTP/1.1 stream pool (as through a proxy); HTTP/2 streams: h2-streams.test.ts.
  return new ClusterConnection('test', kc, `https://127.0.0.1:${port}`, null, sizes, false);
}

const count = (o: NodeJS.Dict<unknown[]>) => Object.values(o).reduce((n, l) => n + (l?.length ?? 0), 0);
const inUse = (agent: https.Agent) => count(agent.sockets);
const queued = (agent: https.Agent) => count(agent.requests);

async function until(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('connection pools', () => {
  test('a request names its pool; unnamed ones are short requests', () => {
    assert.equal(poolFor({}), 'requests');
    assert.equal(poolFor({ pool: 'streams' }), 'streams');
    assert.equal(poolFor({ pool: 'requests' }), 'requests');
  });

  test('each cluster connection has one agent per pool, sized by the limits', () => {
    const c = connection({ kubeRequestConnections: 7, kubeStreamConnections: 3 });
    assert.notEqual(c.agents.requests, c.agents.streams);
    assert.equal(c.agents.requests.maxSockets, 7);
    assert.equal(c.streamConnectionSlots.limit, 3);
    assert.ok(c.agents.streams.maxSockets <= 3 + 4, 'the agent is bounded too');
    c.close();
  });

  test('streams beyond the stream pool wait; a short request still gets a connection at once', async () => {
    const c = connection();
    const client = c.client(null);
    const stop = new AbortController();
    const settled: Promise<unknown>[] = [];
    for (let i = 0; i < 3; i++)
      settled.push(client.stream({ path: `/log/${i}`, signal: stop.signal }).catch((e) => e));
    await until(
      'two streams connected and one waiting',
      () => inUse(c.agents.streams) === 2 && c.streamConnectionSlots.waiting === 1,
    );
    settled.push(client.json({ path: '/api/v1/pods', signal: stop.signal }).catch((e) => e));
    await until('the short request on its own socket', () => inUse(c.agents.requests) === 1);
    assert.equal(queued(c.agents.requests), 0);
    assert.equal(c.streamConnectionSlots.waiting, 1, 'the short request did not take a stream slot');
    assert.equal(inUse(c.agents.streams), 2);
    // A browser that leaves while its stream waits for a connection leaves the queue at once.
    const leaving = new AbortController();
    const left = client.stream({ path: '/log/leaving', signal: leaving.signal }).catch((e: unknown) => e);
    await until('a second stream waiting', () => c.streamConnectionSlots.waiting === 2);
    leaving.abort();
    assert.equal(c.streamConnectionSlots.waiting, 1);
    assert.ok((await left) instanceof Error);
    assert.equal(queued(c.agents.streams), 0, "nothing piles up in the agent's own queue");
    stop.abort();
    await until(
      'every slot released',
      () => c.streamConnectionSlots.inUse === 0 && c.streamConnectionSlots.waiting === 0,
    );
    await Promise.all(settled);
    c.close();
  });
});

describe('credentials of a call', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  function withClientCert() {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        { name: 'c', server: 'https://api.example:6443', caData: b64('THE-CA'), tlsServerName: 'kube' },
      ],
      users: [{ name: 'podscope', token: 'podscope-sa-token', certData: b64('CERT'), keyData: b64('KEY') }],
      contexts: [{ name: 'ctx', cluster: 'c', user: 'podscope' }],
      currentContext: 'ctx',
    });
    return new ClusterConnection('ctx', kc, 'https://api.example:6443', null, {
      kubeRequestConnections: 1,
      kubeStreamConnections: 1,
    });
  }
  const person = {
    user: 'system:serviceaccount:demo:reader',
    groups: ['system:serviceaccounts'],
    uid: 'u-1',
    extra: { scopes: ['x'] },
  };

  test("a person's token replaces every credential of Podscope's own, and no impersonation rides along", async () => {
    const c = withClientCert();
    const opts = await c
      .client({ ...person, credential: new BearerTokenCredential('ctx', 'PERSON-TOKEN') })
      .requestOptions('/api/v1/pods', 'GET', { 'Content-Type': 'application/json' });
    const headers = opts.headers as Record<string, unknown>;
    assert.equal(headers['Authorization'], 'Bearer PERSON-TOKEN');
    assert.deepEqual(
      Object.keys(headers).filter((h) => /^impersonate-/i.test(h)),
      [],
    );
    assert.equal(opts.cert, undefined);
    assert.equal(opts.key, undefined);
    assert.equal(opts.auth, undefined);
    assert.equal(String(opts.ca), 'THE-CA', "the cluster's CA is still checked");
    assert.equal((opts as { servername?: string }).servername, 'kube');
    assert.equal(headers['Content-Type'], 'application/json');
    c.close();
  });

  test("without a credential of its own, Podscope's credentials and impersonation headers are used", async () => {
    const c = withClientCert();
    const opts = await c.client(person).requestOptions('/api/v1/pods');
    const headers = opts.headers as Record<string, unknown>;
    assert.equal(headers['Authorization'], 'Bearer podscope-sa-token');
    assert.equal(headers['Impersonate-User'], person.user);
    assert.equal(String(opts.cert), 'CERT');
    const own = await c.client(null).requestOptions('/api/v1/pods');
    assert.equal((own.headers as Record<string, unknown>)['Impersonate-User'], undefined);
    c.close();
  });

  test("impersonating a person: one Impersonate-Group per group, and the kubeconfig's own `as` never replaces the person", async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: 'https://api.example:6443' }],
      users: [{ name: 'podscope', token: 'podscope-sa-token', impersonateUser: 'kubeconfig-as-user' }],
      contexts: [{ name: 'ctx', cluster: 'c', user: 'podscope' }],
      currentContext: 'ctx',
    });
    const c = new ClusterConnection('ctx', kc, 'https://api.example:6443', null, {
      kubeRequestConnections: 1,
      kubeStreamConnections: 1,
    });
    const dana = { user: 'dana@podscope.test', groups: ['dev-team', 'viewers'], subject: 'https://idp#dana' };
    const headers = (await c.client(dana).requestOptions('/api/v1/pods')).headers as Record<string, unknown>;
    assert.equal(headers['Authorization'], 'Bearer podscope-sa-token');
    assert.equal(headers['Impersonate-User'], 'dana@podscope.test');
    assert.deepEqual(headers['Impersonate-Group'], ['dev-team', 'viewers']);
    assert.deepEqual(
      Object.keys(headers)
        .filter((h) => /^impersonate-/i.test(h))
        .sort(),
      ['Impersonate-Group', 'Impersonate-User'],
    );
    // Podscope's own calls keep the kubeconfig as it is.
    const own = (await c.client(null).requestOptions('/api/v1/pods')).headers as Record<string, unknown>;
    assert.equal(own['Impersonate-User'], 'kubeconfig-as-user');
    c.close();
  });

  test('a token checked against one cluster is never sent to another', () => {
    const c = withClientCert();
    assert.throws(
      () => c.client({ ...person, credential: new BearerTokenCredential('other', 'T') }),
      (err: Error) =>
        err instanceof PodscopeError && err.status === 403 && /cluster "other"/.test(err.message),
    );
    c.close();
  });

  test('the token never shows in JSON or in util.inspect (logs, error reports)', () => {
    const credential = new BearerTokenCredential('ctx', 'SECRET-TOKEN-123');
    const id = { ...person, credential };
    assert.doesNotMatch(JSON.stringify(id), /SECRET-TOKEN-123/);
    assert.doesNotMatch(inspect(id, { depth: 10, showHidden: true }), /SECRET-TOKEN-123/);
    assert.equal(credential.authorization(), 'Bearer SECRET-TOKEN-123');
  });
});
