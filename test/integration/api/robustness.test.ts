// No request can take the server down, and names as long as Kubernetes allows work.
//  - Error sentences quoting non-ASCII input (here a container name of 60 × "é") once became WebSocket
//    close reasons longer than the 123 bytes a close frame holds; `ws` threw and the process ended.
//  - Pod names of up to 253 characters were refused with 414 (Fastify's default maxParamLength of 100).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import type { PodDetail } from '../../../src/shared/api.js';
import { uniqueName } from '../../support/cluster.js';
import { createTestPod, deleteTestPod, waitRunning } from '../../support/pods.js';
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
      if (!isBinary) messages.push(JSON.parse(data.toString('utf8')) as (typeof messages)[number]);
    });
    ws.on('close', (code, reason) => resolve({ messages, code, reason: reason.toString('utf8') }));
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

describe('a pod whose name has the 253 characters Kubernetes allows', () => {
  let name = '';
  before(async () => {
    const unique = uniqueName('long');
    name = `${unique}-${'x'.repeat(253 - unique.length - 1)}`;
    assert.equal(name.length, 253);
    await createTestPod({ prefix: 'long', name, script: 'echo hello-from-the-long-pod; sleep 100000' });
    await waitRunning(name);
  });
  after(async () => {
    if (name) await deleteTestPod(name);
  });

  test('its detail is 200', async () => {
    const r = await podscope.getJson<PodDetail>(`${ns}/pods/${name}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.name, name);
  });

  test('its logs are 200', async () => {
    const res = await podscope.fetch(`${ns}/pods/${name}/logs`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /hello-from-the-long-pod/);
  });

  test('its log stream and terminal policy work', async () => {
    const ws = podscope.ws<{ type: string; lines?: { text: string }[] }>(
      `${ns}/pods/${name}/logs/stream?follow=false`,
    );
    await ws.until('the line', (m) => JSON.stringify(m).includes('hello-from-the-long-pod'));
    ws.close();
    assert.equal((await podscope.fetch(`${ns}/pods/${name}/terminal/policy`)).status, 200);
  });

  test('254 characters is a 400 with a sentence, not a 414', async () => {
    const r = await podscope.getJson<{ error: string }>(`${ns}/pods/${name}x`);
    assert.equal(r.status, 400);
    assert.match(r.body.error, /Pod name must be at most 253 characters long \(it has 254\)/);
  });
});
