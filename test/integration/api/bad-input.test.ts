// Every endpoint rejects malformed names and parameters with a 4xx and a sentence, and changes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApiError } from '../../../src/shared/api.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../../support/podscope.js';

let podscope: RunningPodscope;
before(async () => {
  podscope = await startPodscope();
});
after(() => podscope.close());

const ns = `/api/clusters/${CLUSTER}/namespaces/demo`;

// [path, expected status, message pattern]
const httpCases: [string, number, RegExp][] = [
  ['/api/clusters/no-such-cluster/namespaces', 404, /no cluster named "no-such-cluster"/],
  [`/api/clusters/${CLUSTER}/namespaces/no-such-ns/pods`, 404, /Namespace "no-such-ns" does not exist/],
  [`/api/clusters/${CLUSTER}/namespaces/Demo/pods`, 400, /Namespace name/],
  [`/api/clusters/${CLUSTER}/namespaces/${'a'.repeat(64)}/pods`, 400, /Namespace name/],
  [`/api/clusters/${CLUSTER}/namespaces/demo%20x/pods`, 400, /Namespace name/],
  [`/api/clusters/${CLUSTER}/namespaces/..%2Fkube-system/pods`, 400, /Namespace name/],
  [`${ns}/pods/no-such-pod`, 404, /Pod "no-such-pod" was not found in namespace "demo"/],
  [`${ns}/pods/UPPER`, 400, /Pod name/],
  [`${ns}/pods/bad_name`, 400, /Pod name/],
  [`${ns}/pods/a%00b`, 400, /Pod name/],
  [`${ns}/pods/multi/logs`, 400, /several containers \(app, sidecar\)/],
  [`${ns}/pods/multi/logs?container=nope`, 400, /no container "nope"/],
  [`${ns}/pods/multi/logs?container=Bad!`, 400, /Container name/],
  [`${ns}/pods/crashloop/logs?tailLines=-1`, 400, /tailLines/],
  [`${ns}/pods/crashloop/logs?tailLines=1e3`, 400, /tailLines/],
  [`${ns}/pods/crashloop/logs?tailLines=abc`, 400, /tailLines/],
  [`${ns}/pods/crashloop/logs?tailLines=99999999999`, 400, /tailLines/],
  [`${ns}/pods/crashloop/logs?sinceSeconds=0`, 400, /sinceSeconds/],
  [`${ns}/pods/crashloop/logs?sinceTime=yesterday`, 400, /sinceTime must be an RFC 3339 time/],
  [`${ns}/pods/crashloop/logs?sinceSeconds=5&sinceTime=2026-01-01T00:00:00Z`, 400, /not both/],
  [`${ns}/pods/crashloop/logs?previous=maybe`, 400, /previous must be true or false/],
  [`${ns}/pods/crashloop/logs?timestamps=yes`, 400, /timestamps must be true or false/],
  [`${ns}/pods/crashloop/logs?tailLines=1&tailLines=2`, 400, /must be given once/],
  [`${ns}/pods/crashloop/logs?bogus=1`, 400, /Unknown query parameter "bogus"/],
  [
    `${ns}/pods/imagepull/logs`,
    400,
    /Kubernetes rejected the request: container "app" in pod "imagepull" is waiting to start/,
  ],
  [`${ns}/events?pod=no-such-pod`, 404, /Pod "no-such-pod" was not found/],
  [`${ns}/events?pod=Bad`, 400, /Pod name/],
  [`${ns}/pods?x=1`, 400, /takes no query parameters/],
  [`${ns}/pods/no-such-pod/diagnosis`, 404, /Pod "no-such-pod" was not found in namespace "demo"/],
  [`${ns}/pods/Bad/diagnosis`, 400, /Pod name/],
  [`${ns}/pods/crashloop/diagnosis?x=1`, 400, /takes no query parameters/],
  [`${ns}/diagnosis?logs=maybe`, 400, /logs must be true or false/],
  [`${ns}/diagnosis?bogus=1`, 400, /Unknown query parameter "bogus"/],
  [`/api/clusters/${CLUSTER}/namespaces/no-such-ns/diagnosis`, 404, /Namespace "no-such-ns" does not exist/],
  ['/api/nope', 404, /There is no endpoint GET \/api\/nope/],
];

describe('bad input gets a clear 4xx', () => {
  for (const [path, status, pattern] of httpCases) {
    test(`GET ${path.slice(0, 90)} → ${status}`, async () => {
      const res = await podscope.fetch(`${path}`);
      const body = (await res.json()) as ApiError;
      assert.equal(res.status, status, JSON.stringify(body));
      assert.equal(body.status, status);
      assert.match(body.error, pattern);
      assert.doesNotMatch(body.error, /\n\s+at /, 'no stack trace');
    });
  }

  const wsCases: [string, number, RegExp][] = [
    [`${ns}/pods/crashloop/logs/stream?tailLines=x`, 400, /tailLines/],
    [`${ns}/pods/no-such-pod/logs/stream`, 404, /was not found/],
    [`${ns}/workloads/cronjob/web/logs/stream`, 400, /Workload kind must be one of/],
    [`${ns}/workloads/deployment/no-such-deploy/logs/stream`, 404, /There is no deployment "no-such-deploy"/],
    [`${ns}/logs/stream`, 400, /label selector is required/],
    [`${ns}/logs/stream?selector=app%3D%3D%3Dx`, 400, /selector/i],
    [`/api/clusters/${CLUSTER}/namespaces/nope/pods/watch`, 404, /does not exist/],
    [`${ns}/events/watch?pod=Bad`, 400, /Pod name/],
  ];
  for (const [path, status, pattern] of wsCases) {
    test(`WS ${path.slice(0, 90)} → error ${status}`, async () => {
      const ws = podscope.ws<{ type: string; status?: number; message?: string }>(`${path}`);
      const msgs = await ws.until('error message', (m) => m.some((x) => x.type === 'error'), 20_000);
      const err = msgs.find((m) => m.type === 'error')!;
      assert.equal(err.status, status, JSON.stringify(err));
      assert.match(err.message ?? '', pattern);
      ws.close();
    });
  }

  test('a WebSocket from a foreign origin is refused', async () => {
    const ws = podscope.ws(`${ns}/pods/watch`, { Origin: 'https://evil.example' });
    await assert.rejects(ws.opened, /upgrade refused: 403/);
  });

  test('a WebSocket from the same origin is accepted', async () => {
    const ws = podscope.ws(`${ns}/pods/watch`, { Origin: podscope.url });
    await ws.opened;
    ws.close();
  });
});
