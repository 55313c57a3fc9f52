// A rolling upgrade of Podscope installed with its chart (2 replicas, audit in the local PostgreSQL):
// `helm upgrade` with a changed value while 50 log follows and a terminal are open through the Service.
// Every old pod drains (SIGTERM after the preStop delay): each follow is closed with 1012 and reopens
// through the Service from its last line, as the web app does — 0 lines lost, 0 shown twice — and the
// terminal's audit record is closed ("server shutdown"); no record is left open. Then one replica's
// process is killed (SIGKILL, in its pod) mid-terminal: the other closes the record as "replica lost".
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import type { V1Pod } from '@kubernetes/client-node';
import { decodeLogStreamMessage } from '../../../src/shared/logs/wire.js';
import type { AuditSessionView } from '../../../src/shared/audit/api.js';
import { delayAfterClose } from '../../../src/web/common/backoff.js';
import { LogStore } from '../../../src/web/logs/log-store.js';
import { DEFAULT_LOG_OPTIONS, podStreamQuery } from '../../../src/web/logs/log-options.js';
import { kubectl, kubectlOk, repoRoot, uniqueName, waitFor } from '../../support/cluster.js';
import { helm, installPodscope, releasePods } from '../../support/helm.js';
import { CLUSTER } from '../../support/podscope.js';
import { createTestPod, deleteTestPod, waitRunning } from '../../support/pods.js';
import { ensurePostgres, runPostgresScript } from '../../support/postgres.js';
import { TerminalClient, terminalUrl } from '../terminal/terminal-client.js';

const FOLLOWS = 50;
const ns = uniqueName('upgrade');
const release = 'podscope-up';
let base = '';
let token = '';
let pod = '';

/** A log view as the web app keeps it: reopens when dropped (at once after 1012), resumes from its last line. */
class Follow {
  readonly store = new LogStore();
  reconnects = 0;
  closes: number[] = [];
  private ws: WebSocket | undefined;
  private stopped = false;
  private attempt = 0;

  constructor(private readonly path: (sinceTime: string | null) => string) {
    this.open(null);
  }

  private open(since: string | null): void {
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}${this.path(since)}`, {
      headers: { authorization: `Bearer ${token}`, origin: base },
    });
    this.ws = ws;
    ws.on('open', () => (this.attempt = 0));
    ws.on('message', (data) => this.store.ingest([decodeLogStreamMessage(data.toString())]));
    ws.on('error', () => undefined);
    ws.on('close', (code) => {
      if (this.stopped) return;
      this.closes.push(code);
      const { inMs, countsAsFailure } = delayAfterClose(code, this.attempt);
      if (countsAsFailure) this.attempt += 1;
      setTimeout(() => {
        if (this.stopped) return;
        this.reconnects += 1;
        this.open(this.store.beginResume());
      }, inMs);
    });
  }

  numbers(): number[] {
    return this.store
      .toText(false)
      .split('\n')
      .map((l) => /^n=(\d+)$/.exec(l)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number);
  }

  stop(): void {
    this.stopped = true;
    this.ws?.close();
  }
}

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200, path);
  return (await res.json()) as T;
}

/** The release's pods, terminating ones included (a draining pod still holds its streams). */
const podNames = async () =>
  ({ items: await releasePods(ns, release) }).items.map((p) => p.metadata!.name!).sort();

describe('a rolling upgrade of the chart', () => {
  before(async () => {
    await ensurePostgres();
    const url = (await runPostgresScript(['url', '--node'])).stdout.trim();
    // One shared access token: the follows and the terminal need no sign-in (token login has its own
    // tests, test/integration/auth).
    const r = await installPodscope({
      namespace: ns,
      release,
      helmArgs: ['--set', 'auth.mode=access-token'],
      env: { PODSCOPE_DATABASE_URL: url },
    });
    assert.equal(r.code, 0, r.out);
    const m = /Open: (http:\/\/10\.213\.0\.1:\d+)\/c\/podscope-local\/ns\/demo\?token=([A-Za-z0-9]+)/.exec(
      r.out,
    );
    assert.ok(m, r.out);
    [, base, token] = m as unknown as [string, string, string];
    pod = await createTestPod({
      prefix: 'upgrade-counter',
      script: 'i=0; while true; do i=$((i+1)); echo "n=$i"; usleep 100000; done',
    });
    await waitRunning(pod);
  });

  after(async () => {
    await helm(['uninstall', release, '--namespace', ns, '--wait']);
    await kubectl(['delete', 'namespace', ns, '--wait=false']);
    await deleteTestPod(pod);
  });

  test(`helm upgrade during ${FOLLOWS} follows and a terminal: every follow resumes, 0 lost, 0 duplicated; records closed`, async () => {
    const streamPath = `/api/clusters/${CLUSTER}/namespaces/demo/pods/${pod}/logs/stream`;
    const follows = Array.from(
      { length: FOLLOWS },
      () =>
        new Follow((since) => {
          const q = podStreamQuery({ ...DEFAULT_LOG_OPTIONS, tail: '100' }, 'app', since);
          const params = new URLSearchParams();
          for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null) params.set(k, String(v));
          return `${streamPath}?${params}`;
        }),
    );
    await waitFor(
      'every follow to show lines',
      async () => (follows.every((f) => f.numbers().length >= 5) ? true : undefined),
      60_000,
      250,
    );
    const terminal = new TerminalClient(
      terminalUrl(base.replace(/^http/, 'ws'), 'demo', pod, { container: 'app' }),
      {
        authorization: `Bearer ${token}`,
        origin: base,
      },
    );
    const { sessionId } = await terminal.ready();
    terminal.type('echo before-upgrade-$((6*7))\r');
    await terminal.outputMatches(/before-upgrade-42/);

    const oldPods = await podNames();
    const upgradeStarted = Date.now();
    const up = await helm(
      [
        'upgrade',
        release,
        `${repoRoot}/charts/podscope`,
        '--namespace',
        ns,
        '--reuse-values',
        '--set',
        'logLevel=info',
        '--wait',
        '--timeout',
        '300s',
      ],
      400_000,
    );
    assert.equal(up.code, 0, up.stdout + up.stderr);
    await waitFor(
      'the old pods to be gone',
      async () => ((await podNames()).some((p) => oldPods.includes(p)) ? undefined : true),
      120_000,
      500,
    );
    const upgradeMs = Date.now() - upgradeStarted;
    // Lines keep coming after the last old pod went.
    const counts = follows.map((f) => f.numbers().length);
    await waitFor(
      'every follow to show new lines on the new pods',
      async () => (follows.every((f, i) => f.numbers().length >= counts[i]! + 20) ? true : undefined),
      60_000,
      250,
    );
    for (const f of follows) f.stop();

    for (const [i, f] of follows.entries()) {
      const seen = f.numbers();
      const first = seen[0]!;
      const gaps = seen.filter((n, j) => n !== first + j);
      assert.deepEqual(gaps, [], `follow ${i}: lines lost or repeated (${seen.join(',')})`);
      assert.ok(f.reconnects >= 1, `follow ${i} reconnected (closes ${f.closes.join(',')})`);
      assert.ok(f.closes.includes(1012), `follow ${i} was told 1012 (closes ${f.closes.join(',')})`);
    }
    assert.deepEqual(terminal.closedWith, { code: 1012, reason: 'server shutting down, reconnect' });

    const record = await api<AuditSessionView>(`/api/audit/sessions/${sessionId}`);
    assert.ok(record.endedAt, 'the terminal record is closed');
    assert.match(record.error ?? '', /^server shutdown/);
    const open = (
      await api<{ sessions: AuditSessionView[] }>('/api/audit/sessions?kind=exec&limit=500')
    ).sessions
      .filter((s) => new Date(s.startedAt).getTime() >= upgradeStarted - 600_000)
      .filter((s) => s.pod === pod && s.endedAt === null);
    assert.deepEqual(open, [], 'no audit record of this test left open');
    console.log(
      `rolling upgrade: ${upgradeMs} ms; reconnects per follow: ${follows.map((f) => f.reconnects).join(',')}`,
    );
  });

  test('a replica killed (SIGKILL in its pod) mid-terminal: the other closes the record as replica lost within 60 s, ends the shell and serves the recording', async (t) => {
    const pods = { items: await releasePods(ns, release) }.items.filter(
      (p) => p.status?.containerStatuses?.[0]?.ready === true && !p.metadata?.deletionTimestamp,
    );
    assert.equal(pods.length, 2);
    const [victim, survivor] = pods as [V1Pod, V1Pod];
    const at = (p: V1Pod) => `http://${p.status!.podIP!}:7420`;
    const terminal = new TerminalClient(
      terminalUrl(at(victim).replace(/^http/, 'ws'), 'demo', pod, { container: 'app' }),
      { authorization: `Bearer ${token}`, origin: at(victim) },
    );
    const { sessionId } = await terminal.ready();
    terminal.type('echo lost-$((6*7))\r');
    await terminal.outputMatches(/lost-42/);
    terminal.type('sleep 4245\r');
    await waitFor('the shell to run sleep', async () =>
      /sleep 4245/.test(await kubectlOk(['-n', 'demo', 'exec', pod, '-c', 'app', '--', 'ps']))
        ? true
        : undefined,
    );

    // The node's processes are this host's: the victim's Podscope is the node process in its pod's cgroup.
    const uid = victim.metadata!.uid!;
    const pids = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((pid) => {
        try {
          const cgroup = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
          return (
            (cgroup.includes(uid) || cgroup.includes(uid.replace(/-/g, '_'))) &&
            readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('podscope.js')
          );
        } catch {
          return false;
        }
      });
    assert.equal(pids.length, 1, `one Podscope process in pod ${victim.metadata!.name}`);
    // A recording is appended to the database at least once a second: what the replica got more recently
    // than that dies with it. Give the last flush its second.
    await new Promise((r) => setTimeout(r, 1500));
    const killedAt = Date.now();
    process.kill(Number(pids[0]), 'SIGKILL');
    await terminal.closed;

    const get = async <T>(path: string): Promise<T> => {
      const res = await fetch(`${at(survivor)}${path}`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200, path);
      return (await res.json()) as T;
    };
    const ended = await waitFor(
      'the surviving replica to close the session as replica lost',
      async () => {
        const s = await get<AuditSessionView>(`/api/audit/sessions/${sessionId}`);
        return s.endedAt ? s : undefined;
      },
      90_000,
      500,
    );
    const closedAfter = new Date(ended.endedAt!).getTime() - killedAt;
    t.diagnostic(`session closed ${closedAfter} ms after its replica was killed`);
    assert.ok(closedAfter <= 60_000, `within 60 s (${closedAfter} ms)`);
    assert.match(ended.error ?? '', /^replica lost: /);
    assert.doesNotMatch(
      await kubectlOk(['-n', 'demo', 'exec', pod, '-c', 'app', '--', 'ps']),
      /sleep 4245/,
      'the shell’s process is gone',
    );
    const rec = await fetch(`${at(survivor)}/api/audit/sessions/${sessionId}/recording.cast`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(rec.status, 200);
    assert.match(await rec.text(), /lost-42/, 'the lost replica’s recording is served by the survivor');
  });
});
