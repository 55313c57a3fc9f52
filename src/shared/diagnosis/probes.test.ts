import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseProbeKill, parseProbeMessage, probeResult, probeSpec } from './probes.js';

describe('probe specs', () => {
  const path = 'spec.containers[name="app"]';
  test('HTTP, with defaults filled in', () => {
    const spec = probeSpec(
      { livenessProbe: { httpGet: { path: '/healthz', port: 8080 } } },
      'liveness',
      path,
    );
    assert.deepEqual(spec, {
      type: 'liveness',
      action: 'HTTP GET /healthz on port 8080',
      initialDelaySeconds: 0,
      periodSeconds: 10,
      timeoutSeconds: 1,
      failureThreshold: 3,
      path: 'spec.containers[name="app"].livenessProbe',
    });
  });
  test('HTTPS with a named port and host, TCP, gRPC, exec', () => {
    const action = (probe: unknown) => probeSpec({ readinessProbe: probe }, 'readiness', path)!.action;
    assert.equal(
      action({ httpGet: { scheme: 'HTTPS', path: '/ready', port: 'https', host: 'example' } }),
      'HTTPS GET /ready on port https of example',
    );
    assert.equal(action({ tcpSocket: { port: 5432 } }), 'TCP connect to port 5432');
    assert.equal(
      action({ grpc: { port: 9090, service: 'orders' } }),
      'gRPC health check on port 9090 (service orders)',
    );
    assert.equal(action({ exec: { command: ['cat', '/tmp/ready'] } }), 'exec cat /tmp/ready');
  });
  test('no probe of that type', () => {
    assert.equal(probeSpec({}, 'startup', path), null);
  });
});

describe('Unhealthy events', () => {
  test('HTTP status', () => {
    assert.deepEqual(parseProbeMessage('Liveness probe failed: HTTP probe failed with statuscode: 503'), {
      type: 'liveness',
      failed: true,
      output: 'HTTP probe failed with statuscode: 503',
      result: '→ 503',
    });
  });
  test('connection refused names the address', () => {
    const p = parseProbeMessage(
      'Readiness probe failed: Get "http://10.214.0.19:8080/ready": dial tcp 10.214.0.19:8080: connect: connection refused',
    );
    assert.equal(p?.result, 'connection refused (nothing listens on 10.214.0.19:8080)');
  });
  test('timeouts', () => {
    assert.equal(
      probeResult(
        'Get "http://10.1.2.3:8080/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
      ),
      'timed out',
    );
    assert.equal(probeResult('dial tcp 10.1.2.3:5432: i/o timeout'), 'timed out');
  });
  test('exec output: the first line, quoted; no output said so', () => {
    const p = parseProbeMessage(
      "Liveness probe failed: cat: can't open '/tmp/alive': No such file or directory\n",
    );
    assert.equal(p?.result, "\"cat: can't open '/tmp/alive': No such file or directory\"");
    assert.equal(parseProbeMessage('Readiness probe failed: ')?.result, 'failed without output');
  });
  test('gRPC NOT_SERVING', () => {
    assert.equal(
      probeResult('service unhealthy (responded with "NOT_SERVING")'),
      'the service reports NOT_SERVING',
    );
  });
  test('a probe that could not run is not a failure', () => {
    const p = parseProbeMessage(
      'Liveness probe errored and resulted in unknown state: rpc error: code = Unknown desc = failed to exec in container: container is in CONTAINER_EXITED state',
    );
    assert.equal(p?.failed, false);
    assert.equal(p?.result, 'could not run: the container had already exited');
    assert.equal(parseProbeMessage('Startup probe errored: command timed out')?.type, 'startup');
    // containerd 2.4 (recorded on 1.37)
    assert.equal(
      parseProbeMessage(
        'Readiness probe errored and resulted in unknown state: rpc error: code = NotFound desc = failed to exec in container: failed to load task: no running task found: not found',
      )?.result,
      'could not run: the container had already exited',
    );
  });
  test('not an Unhealthy message', () => {
    assert.equal(parseProbeMessage('Back-off restarting failed container app'), null);
  });
});

describe('Killing events', () => {
  test('a probe kill names the container and the probe', () => {
    assert.deepEqual(parseProbeKill('Container app failed liveness probe, will be restarted'), {
      container: 'app',
      type: 'liveness',
    });
    assert.deepEqual(parseProbeKill('Container web failed startup probe, will be restarted'), {
      container: 'web',
      type: 'startup',
    });
  });
  test('an ordinary stop is not', () => {
    assert.equal(parseProbeKill('Stopping container app'), null);
  });
});
