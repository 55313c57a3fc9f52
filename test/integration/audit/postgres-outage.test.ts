// PostgreSQL stopped for 10 s under a Podscope that keeps its audit there (platform mode), with the real
// server stopped and started by cluster/postgres.sh: new risky actions are refused — their audit record
// cannot be written, so nothing starts in the container — while reads keep working. A terminal whose
// recording cannot be written during the outage is closed (fail closed), and its end is recorded once the
// database is back; an idle one goes on. /readyz names the audit store as failing during the outage (so a
// platform's Service sends people to a replica that can audit) and passes again after, with the same
// Podscope process: its connection pool reconnects by itself. When the database is back everything works
// again: a terminal, an upload, a copy.
//
// The instance is this test's own (its own state dir and port, started and removed here), so stopping it
// never pulls the database from under another test running at the same time.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { kubectlOk, waitFor } from '../../support/cluster.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../../support/podscope.js';
import { createTestPod, deleteTestPod, waitRunning } from '../../support/pods.js';
import { ensurePostgres, startPostgres, stopPostgres } from '../../support/postgres.js';
import { PROMPT_AT_END, TerminalClient, terminalUrl } from '../terminal/terminal-client.js';
import type { AuditSessionView } from '../../../src/shared/audit/api.js';

const OUTAGE_MS = 10_000;
const NS = 'demo';

let env: Record<string, string>;
let podscope: RunningPodscope | undefined;
let pod: string;
/** Prints a line every 200 ms: a follow of it shows that reads go on through the outage. */
let ticker: string;
const terminals: TerminalClient[] = [];

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

before(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'podscope-pg-outage-'));
  env = { PODSCOPE_PG_DIR: dir, PODSCOPE_PG_PORT: String(await freePort()) };
  pod = await createTestPod({ prefix: 'pg-outage', script: 'sleep 100000' });
  ticker = await createTestPod({
    prefix: 'pg-outage-ticker',
    script: 'i=0; while true; do i=$((i+1)); echo "tick $i"; usleep 200000; done',
  });
  const url = await ensurePostgres(env);
  podscope = await startPodscope({ databaseUrl: url });
  await waitRunning(pod);
  await waitRunning(ticker);
});

after(async () => {
  for (const t of terminals) t.close();
  await podscope?.close();
  await stopPostgres(env).catch(() => undefined);
  rmSync(env.PODSCOPE_PG_DIR!, { recursive: true, force: true });
  await deleteTestPod(pod);
  await deleteTestPod(ticker);
});

function terminal(): TerminalClient {
  const t = new TerminalClient(terminalUrl(podscope!.wsUrl, NS, pod), podscope!.headers);
  terminals.push(t);
  return t;
}

const podPath = `/api/clusters/${CLUSTER}/namespaces/${NS}/pods`;

/**
 * The container's running processes, as `pid args` lines: not the `ps` that lists them, nor zombies (a
 * shell's child left to PID 1, `sleep`, which reaps nothing) — they run nothing.
 */
async function processes(): Promise<string[]> {
  const out = await kubectlOk(['-n', NS, 'exec', pod, '--', 'ps', '-o', 'pid,args']);
  return out
    .split('\n')
    .slice(1)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^\d+ ps -o pid,args$/.test(l) && !/^\d+ \[.*\]$/.test(l));
}

async function json<T>(pathname: string, init?: RequestInit) {
  const res = await podscope!.fetch(pathname, init);
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

test('PostgreSQL down for 10 s: risky actions refused and nothing started, reads work, all recovers', async () => {
  // Before: a terminal works, audited in PostgreSQL. It stays open, idle, through the outage (its
  // recording synced first: the writer syncs ≤ 1.25 s after the last output).
  const idle = terminal();
  const { sessionId: idleId } = await idle.ready();
  idle.type('echo before-$((6*7))\r');
  await idle.outputMatches(/\r\nbefore-42\r\n/);
  await new Promise((r) => setTimeout(r, 2000));
  const running = await processes();
  // Another prints during the outage: its recording cannot be written, so it must close.
  const busy = terminal();
  const { sessionId: busyId } = await busy.ready();
  // Typed once the prompt is drawn: typed earlier, busybox's line editor redraws the line around its
  // cursor-position query and the echo comes split by escape sequences. The echo's end (with its
  // `$((…))`, which the command's output never holds) says the shell took the command.
  await busy.outputMatches(PROMPT_AT_END);
  busy.type('sleep 4; echo late-$((6*7))\r');
  // Escape sequences left out: a redraw (the window size arriving) may still split the echo with one.
  await busy.until('the command echoed', () =>
    busy.output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').includes('echo late-$((6*7))\r\n'),
  );

  assert.deepEqual(await json('/readyz'), {
    status: 200,
    body: {
      status: 'ready',
      checks: [
        { name: 'kubernetes-api', ok: true },
        { name: 'audit-store', ok: true },
      ],
    },
  });
  // A log follow open through the outage keeps streaming: it needs Kubernetes, not the audit store.
  const follow = podscope!.ws<{ type: string; lines?: { text: string }[] }>(
    `${podPath}/${ticker}/logs/stream?container=app&follow=true&tailLines=0`,
  );
  await follow.opened;

  await stopPostgres(env);
  const stoppedAt = Date.now();

  // Reads keep working: they need Kubernetes, not the audit store.
  const list = await json<{ name: string }[]>(podPath);
  assert.equal(list.status, 200);
  assert.ok(list.body.some((p) => p.name === pod));
  assert.equal((await json(`${podPath}/${pod}`)).status, 200);
  assert.equal((await podscope!.fetch(`${podPath}/${pod}/logs?container=app`)).status, 200);
  assert.equal((await json(`/api/clusters/${CLUSTER}/namespaces/${NS}/events`)).status, 200);

  // Readiness names the audit store (the probe's result is kept for a second: wait for a fresh one).
  const notReady = await waitFor(
    '/readyz to report the audit store',
    async () => {
      const r = await json<{ status: string; checks: { name: string; ok: boolean }[] }>('/readyz');
      return r.status === 503 ? r.body : undefined;
    },
    5000,
    200,
  );
  assert.deepEqual(notReady, {
    status: 'not ready',
    checks: [
      { name: 'kubernetes-api', ok: true },
      { name: 'audit-store', ok: false },
    ],
  });

  // The audit page says what is wrong, quickly, without the password.
  const audit = await json<{ error: string }>('/api/audit/sessions');
  assert.equal(audit.status, 503);
  assert.match(
    audit.body.error,
    /^Audit store: cannot reach the audit database postgresql:\/\/podscope:REDACTED@/,
  );

  // A new terminal is refused before anything runs in the container.
  const refused = terminal();
  const error = await refused.error();
  assert.equal(refused.message('ready'), undefined);
  assert.equal(error?.status, 503);
  assert.match(
    error?.message ?? '',
    /The terminal was not opened because its audit record could not be written/,
  );

  // So are a debug container and a directory listing.
  const debug = await json<{ error: string }>(`${podPath}/${pod}/debug-containers`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ target: 'app', image: 'podscope.local/debug-tools:1' }),
  });
  assert.equal(debug.status, 503, JSON.stringify(debug.body));
  assert.match(debug.body.error, /could not write the audit record, so it did not start the debug container/);
  const files = await json<{ error: string }>(`${podPath}/${pod}/files?container=app&path=/`);
  assert.equal(files.status, 503, JSON.stringify(files.body));
  assert.match(files.body.error, /could not write the audit record, so it did not list the directory/);
  // An upload: refused before a byte reaches the container (checked below: no file).
  const upload = await json<{ error: string }>(
    `${podPath}/${pod}/files/upload?container=app&path=/tmp/outage.txt`,
    {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: 'written during the outage',
    },
  );
  assert.equal(upload.status, 503, JSON.stringify(upload.body));
  assert.match(upload.body.error, /could not write the audit record, so it did not start the upload/);
  // A pod copy: refused, and no pod created. Copies of this test's own pod only: other tests make
  // copies of theirs in the same namespace at the same time.
  const copiesOfPod = async (): Promise<string[]> =>
    (await kubectlOk(['-n', NS, 'get', 'pods', '-l', 'app.kubernetes.io/managed-by=podscope', '-o', 'name']))
      .split('\n')
      .filter((name) => name.startsWith(`pod/${pod}-`));
  const copiesBefore = await copiesOfPod();
  const copy = await json<{ error: string }>(`${podPath}/${pod}/copies`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ container: 'app' }),
  });
  assert.equal(copy.status, 503, JSON.stringify(copy.body));
  assert.match(copy.body.error, /could not write the audit record, so it did not copy the pod/);
  assert.deepEqual(await copiesOfPod(), copiesBefore, 'no copy was created');
  // The follow opened before the outage still gets new lines.
  const seen = follow.messages.length;
  await follow.until('a line during the outage', (m) => m.length > seen, 10_000);
  assert.equal(follow.closedWith, null);

  // The terminal that printed is closed, fail closed, and its shell ended.
  const busyError = await busy.error();
  assert.equal(busyError?.status, 503);
  assert.match(busyError?.message ?? '', /The session recording can no longer be written/);
  assert.ok(Date.now() - stoppedAt < OUTAGE_MS, 'closed during the outage');

  // Nothing was started: no ephemeral container, and the processes of before (the busy shell ended).
  const spec = JSON.parse(await kubectlOk(['-n', NS, 'get', 'pod', pod, '-o', 'json'])) as {
    spec: { ephemeralContainers?: unknown[] };
  };
  assert.deepEqual(spec.spec.ephemeralContainers ?? [], []);
  assert.doesNotMatch(await kubectlOk(['-n', NS, 'exec', pod, '--', 'ls', '/tmp']), /outage\.txt/);
  let now: string[] = [];
  await waitFor(
    'the busy shell to be ended',
    async () => {
      now = await processes();
      return JSON.stringify(now) === JSON.stringify(running) ? true : undefined;
    },
    Math.max(1000, OUTAGE_MS - (Date.now() - stoppedAt) - 500),
    250,
  ).catch((err: Error) => {
    throw new Error(`${err.message}: before ${JSON.stringify(running)}, now ${JSON.stringify(now)}`);
  });

  // PostgreSQL comes back after 10 s.
  await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt))));
  await startPostgres(env);
  const outage = Date.now() - stoppedAt;
  assert.ok(outage >= OUTAGE_MS, `stopped for ${outage} ms`);

  // Ready again, with no restart of Podscope: the pool made new connections.
  await waitFor(
    '/readyz to pass again',
    async () => ((await json('/readyz')).status === 200 ? true : undefined),
    10_000,
    250,
  );
  // An upload works again, audited.
  const after = await json<{ auditSession: string; size: number }>(
    `${podPath}/${pod}/files/upload?container=app&path=/tmp/after-outage.txt`,
    { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: 'after' },
  );
  assert.equal(after.status, 200, JSON.stringify(after.body));
  assert.equal(after.body.size, 5);
  follow.close();

  // The idle terminal goes on, audited again; a new one opens.
  idle.type('echo after-$((6*7))\r');
  await idle.outputMatches(/\r\nafter-42\r\n/);
  const fresh = terminal();
  const { sessionId: freshId } = await fresh.ready();
  fresh.type('exit\r');
  await fresh.closed;
  idle.type('exit\r');
  await idle.closed;

  // Every record is closed: the busy one's end, written as soon as the database was back.
  const sessions = await waitFor(
    'the three sessions ended in the audit store',
    async () => {
      const page = await json<{ sessions: AuditSessionView[] }>('/api/audit/sessions?kind=exec');
      const mine = page.body.sessions.filter((s) => [idleId, busyId, freshId].includes(s.id));
      return mine.length === 3 && mine.every((s) => s.endedAt !== null) ? mine : undefined;
    },
    20_000,
    250,
  );
  const busyRecord = sessions.find((s) => s.id === busyId)!;
  assert.match(busyRecord.error ?? '', /The session recording can no longer be written/);
  assert.ok(new Date(busyRecord.endedAt!).getTime() < stoppedAt + OUTAGE_MS, 'ended when it was closed');
  const detail = await json<{ commands: { line: string }[] }>(`/api/audit/sessions/${idleId}`);
  assert.deepEqual(
    detail.body.commands.map((c) => c.line),
    ['echo before-$((6*7))', 'echo after-$((6*7))', 'exit'],
  );
  const cast = await podscope!.fetch(`/api/audit/sessions/${idleId}/recording.cast`);
  assert.equal(cast.status, 200);
  const text = await cast.text();
  assert.match(text, /before-42/);
  assert.match(text, /after-42/);
});
