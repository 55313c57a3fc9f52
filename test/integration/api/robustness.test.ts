// No request can take the server down, and names as long as Kubernetes allows work.
//  - Error sentences quoting non-ASCII input (here a container name of 60 × "é") once became WebSocket
//    close reasons longer than the 123 bytes a close frame holds; `ws` threw and the process ended.
//  - Pod names of more than 100 characters (up to 253 are valid) were refused with 414 (Fastify's
//    default maxParamLength of 100).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import type { PodDetail } from '../../../src/shared/api.js';
import { decodeLogStreamMessage } from '../../../src/shared/logs/wire.js';
import { uniqueName } from '../../support/cluster.js';
import { createTestPod, deleteTestPod } from '../../support/pods.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../../support/podscope.js';

let podscope: RunningPodscope;
before(async () => {
  podscope = await startPodscope();
});
after(() => podscope.close());

const ns = `/api/clusters/${CLUSTER}/namespaces/demo`;
const accents = encodeURIComponent('é'.repeat(60));

/** Opens a WebSocket, collects its text messages and resolves with how it closed. */
function socket(urlPath: string) {
  return new Promise<{
    messages: { type: string; status?: number; message?: string }[];
    code: number;
    reason: string;
  }>((resolve, reject) => {
    const messages: { type: string; status?: number; message?: string }[] = [];
    const ws = new WebSocket(`${podscope.wsUrl}${urlPath}`, { headers: podscope.headers });
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary)
        messages.push(decodeLogStreamMessage(data.toString('utf8')) as (typeof messages)[number]);
    });
    // Before the fix, the server threw while closing: the socket then never closed.
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`the server never closed the socket; messages: ${JSON.stringify(messages)}`));
    }, 20_000);
    ws.on('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ messages, code, reason: reason.toString('utf8') });
    });
    ws.on('error', reject);
  });
}

describe('a long non-ASCII error sentence on a WebSocket', () => {
  const cases: [string, string][] = [
    ['terminal', `${ns}/pods/crashloop/terminal?container=${accents}`],
    ['log stream', `${ns}/pods/multi/logs/stream?container=${accents}`],
    ['event watch', `${ns}/events/watch?pod=${accents}`],
  ];
  for (const [what, urlPath] of cases) {
    test(`${what}: the error arrives whole, the close reason is cut to ≤ 123 bytes, the server lives on`, async () => {
      const closed = await socket(urlPath);
      const err = closed.messages.find((m) => m.type === 'error');
      assert.equal(err?.status, 400, JSON.stringify(closed.messages));
      assert.ok((err?.message ?? '').includes('é'.repeat(60)), 'the message quotes the input in full');
      assert.ok(
        Buffer.byteLength(err?.message ?? '', 'utf8') > 123,
        'the sentence is longer than a close frame',
      );
      assert.equal(closed.code, 1008);
      assert.ok(Buffer.byteLength(closed.reason, 'utf8') <= 123, `${Buffer.byteLength(closed.reason)} bytes`);
      assert.ok(closed.reason.startsWith(err!.message!.slice(0, 20)));
      // Still answering:
      assert.equal((await podscope.fetch('/api/clusters')).status, 200);
    });
  }

  test('ten of them at once, then the server still answers', async () => {
    await Promise.all(Array.from({ length: 10 }, (_, i) => socket(cases[i % cases.length]![1])));
    assert.equal((await podscope.fetch('/api/clusters')).status, 200);
  });
});

// The API server accepts names of 253 characters, but this kubelet cannot start such a pod: its log
// directory "<namespace>_<name>_<uid>" would be longer than a file name may be (FailedCreatePodSandBox:
// "file name too long"). So the pod stays Pending; what matters here is that every route takes the name
// and answers from Kubernetes, where Podscope used to answer 414 for anything over 100 characters.
describe('a pod whose name has the 253 characters Kubernetes allows', () => {
  let name = '';
  before(async () => {
    const unique = uniqueName('long');
    name = `${unique}-${'x'.repeat(253 - unique.length - 1)}`;
    assert.equal(name.length, 253);
    await createTestPod({ prefix: 'long', name, script: 'sleep 100000' });
  });
  after(async () => {
    if (name) await deleteTestPod(name);
  });

  test('its detail is 200', async () => {
    const r = await podscope.getJson<PodDetail>(`${ns}/pods/${name}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.name, name);
  });

  test('its events, debug containers and terminal policy are 200', async () => {
    for (const path of [
      `${ns}/events?pod=${name}`,
      `${ns}/pods/${name}/debug-containers`,
      `${ns}/pods/${name}/terminal/policy`,
    ]) {
      const res = await podscope.fetch(path);
      assert.equal(res.status, 200, `${path.slice(0, 80)}…: ${await res.text()}`);
    }
  });

  test('its logs are answered by Kubernetes (the container has not started), not refused by Podscope', async () => {
    const r = await podscope.getJson<{ error: string }>(`${ns}/pods/${name}/logs`);
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.match(
      r.body.error,
      /^Kubernetes rejected the request: container "app" in pod "long-.*" is waiting to start/,
    );
  });

  test('its pod watch opens and sends the pod', async () => {
    const ws = podscope.ws<{ type: string; pod?: PodDetail }>(`${ns}/pods/${name}/watch`);
    const msgs = await ws.until('the pod', (m) => m.some((x) => x.type === 'pod'));
    assert.equal(msgs.find((x) => x.type === 'pod')?.pod?.name, name);
    ws.close();
  });

  test('254 characters is a 400 with a sentence, not a 414', async () => {
    const r = await podscope.getJson<{ error: string }>(`${ns}/pods/${name}x`);
    assert.equal(r.status, 400);
    assert.match(r.body.error, /Pod name must be at most 253 characters long \(it has 254\)/);
  });
});
