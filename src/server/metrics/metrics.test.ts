import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AuditStoreError, type AuditStore, type SessionStart } from '../audit/audit-store.js';
import { kubeErrorReason, PodscopeMetrics, sessionOutcome } from './metrics.js';

/** The value of one series in the text format, e.g. value(text, 'podscope_open_streams{kind="logs"}'). */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const start = (kind: SessionStart['kind']): SessionStart => ({
  identity: { user: 'alice', groups: [] },
  startedAt: new Date(),
  cluster: 'c',
  namespace: 'secret-namespace',
  pod: 'secret-pod',
  container: 'app',
  kind,
  command: ['sh'],
  policy: 'root-allowed',
  clientAddress: null,
});

/** A store that keeps nothing; `down` makes every write fail as an unreachable database does. */
function fakeStore() {
  let n = 0;
  const store = {
    down: false,
    ended: [] as string[],
    where: 'somewhere',
    async startSession() {
      if (store.down) throw new AuditStoreError('unavailable', 'down');
      return `id-${++n}`;
    },
    async endSession(id: string) {
      if (store.down) throw new AuditStoreError('unavailable', 'down');
      store.ended.push(id);
    },
    async addCommand() {
      if (store.down) throw new AuditStoreError('unavailable', 'down');
    },
    async check() {},
  };
  return store;
}

describe('sessionOutcome', () => {
  test('refused, shutdown, error, ok', () => {
    assert.equal(sessionOutcome({ outcome: { result: 'refused', reason: 'RBAC' }, error: 'x' }), 'refused');
    assert.equal(sessionOutcome({ error: 'server shutdown: Podscope stopped' }), 'shutdown');
    assert.equal(sessionOutcome({ error: 'The browser left' }), 'error');
    assert.equal(sessionOutcome({ exitCode: 0 }), 'ok');
  });
});

test('kubeErrorReason: no answer, 5xx and 429 are errors; 4xx answers are not', () => {
  assert.equal(kubeErrorReason(null), 'no-answer');
  assert.equal(kubeErrorReason(503), 'server-error');
  assert.equal(kubeErrorReason(429), 'throttled');
  assert.equal(kubeErrorReason(404), null);
  assert.equal(kubeErrorReason(200), null);
});

describe('PodscopeMetrics', () => {
  test('streams: open gauge up and down, opened and bytes counters; every kind is there from the start', async () => {
    const m = new PodscopeMetrics({ processMetrics: false });
    let text = await m.text();
    assert.equal(value(text, 'podscope_open_streams{kind="terminal"}'), 0);
    m.opened('logs');
    m.opened('logs');
    m.closed('logs');
    m.bytes('logs', 'out', 1500);
    m.bytes('logs', 'in', 20);
    text = await m.text();
    assert.equal(value(text, 'podscope_open_streams{kind="logs"}'), 1);
    assert.equal(value(text, 'podscope_streams_opened_total{kind="logs"}'), 2);
    assert.equal(value(text, 'podscope_stream_bytes_total{kind="logs",direction="out"}'), 1500);
    assert.equal(value(text, 'podscope_stream_bytes_total{kind="logs",direction="in"}'), 20);
  });

  test('API server requests: histogram by verb/resource/status class, errors by reason; no names', async () => {
    const m = new PodscopeMetrics({ processMetrics: false });
    const req = (status: number | null, seconds: number) =>
      m.kubeRequest({
        method: 'GET',
        path: '/api/v1/namespaces/secret-namespace/pods/secret-pod/log',
        query: {},
        status,
        seconds,
      });
    req(200, 0.02);
    req(200, 0.3);
    req(503, 0.01);
    req(null, 1);
    const text = await m.text();
    const s = 'verb="get",resource="pods/log"';
    assert.equal(value(text, `podscope_kube_request_duration_seconds_count{${s},code_class="2xx"}`), 2);
    assert.equal(
      value(text, `podscope_kube_request_duration_seconds_bucket{le="0.025",${s},code_class="2xx"}`),
      1,
    );
    assert.equal(value(text, `podscope_kube_request_duration_seconds_count{${s},code_class="5xx"}`), 1);
    assert.equal(value(text, `podscope_kube_request_errors_total{${s},reason="server-error"}`), 1);
    assert.equal(value(text, `podscope_kube_request_errors_total{${s},reason="no-answer"}`), 1);
    assert.doesNotMatch(text, /secret-(pod|namespace)/);
  });

  test('the metered store counts sessions started and ended here, by kind and outcome, and failed writes', async () => {
    const m = new PodscopeMetrics({ processMetrics: false });
    const raw = fakeStore();
    const store = m.meterAuditStore(raw as unknown as AuditStore & typeof raw);
    const a = await store.startSession(start('exec'));
    const b = await store.startSession(start('exec'));
    const c = await store.startSession(start('file-upload'));
    await store.endSession(a, { exitCode: 0, endedAt: new Date(), bytesIn: 0, bytesOut: 0 });
    await store.endSession(b, {
      exitCode: null,
      endedAt: new Date(),
      bytesIn: 0,
      bytesOut: 0,
      error: 'server shutdown: Podscope stopped',
    });
    await store.endSession(b, { exitCode: null, endedAt: new Date(), bytesIn: 0, bytesOut: 0 });
    await store.endSession('from-a-dead-replica', {
      exitCode: null,
      endedAt: new Date(),
      bytesIn: 0,
      bytesOut: 0,
    });
    raw.down = true;
    await assert.rejects(store.startSession(start('debug')), /down/);
    await assert.rejects(store.endSession(c, { exitCode: 0, endedAt: new Date(), bytesIn: 0, bytesOut: 0 }));
    // Everything else passes through, bound to the store.
    assert.equal(store.where, 'somewhere');
    await store.check();
    const text = await m.text();
    assert.equal(value(text, 'podscope_audited_sessions_started_total{kind="exec"}'), 2);
    assert.equal(value(text, 'podscope_audited_sessions_started_total{kind="file-upload"}'), 1);
    assert.equal(value(text, 'podscope_audited_sessions_started_total{kind="debug"}'), 0);
    assert.equal(value(text, 'podscope_audited_sessions_ended_total{kind="exec",outcome="ok"}'), 1);
    assert.equal(value(text, 'podscope_audited_sessions_ended_total{kind="exec",outcome="shutdown"}'), 1);
    assert.equal(
      value(text, 'podscope_audited_sessions_ended_total{kind="file-upload",outcome="ok"}'),
      undefined,
    );
    assert.equal(value(text, 'podscope_audit_write_failures_total{operation="start"}'), 1);
    assert.equal(value(text, 'podscope_audit_write_failures_total{operation="end"}'), 1);
    assert.deepEqual(raw.ended, [a, b, b, 'from-a-dead-replica']);
  });

  test('shutting down, and the process metrics', async () => {
    const m = new PodscopeMetrics();
    assert.equal(value(await m.text(), 'podscope_shutting_down'), 0);
    m.setShuttingDown();
    const text = await m.text();
    assert.equal(value(text, 'podscope_shutting_down'), 1);
    assert.match(text, /^process_resident_memory_bytes \d+/m);
    assert.match(text, /^nodejs_eventloop_lag_seconds /m);
    assert.match(m.contentType(), /^text\/plain; version=0\.0\.4/);
  });
});
