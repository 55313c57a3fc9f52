// The audit REST API over sessions really run against the cluster: listing with filters and paging,
// a session with its commands, the recording download, and bad input.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AuditCommandView, AuditSessionView } from '../../../src/shared/audit/api.js';
import { parseAsciicast } from '../../../src/server/terminal/recording/asciicast.js';
import { waitFor } from '../../support/cluster.js';
import { CLUSTER, startPodscope, type RunningPodscope } from '../../support/podscope.js';
import { createTestPod, deleteTestPod, waitRunning } from '../../support/pods.js';
import { TerminalClient, terminalUrl } from '../terminal/terminal-client.js';

let podscope: RunningPodscope;
let pod: string;
const ids: string[] = [];
let beforeAll = '';

async function get<T>(path: string): Promise<{ status: number; body: T; res: Response }> {
  const res = await podscope.fetch(`${path}`);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // a recording is not JSON
  }
  return { status: res.status, body: body as T, res };
}

type Page = { scope: 'all' | 'own'; sessions: AuditSessionView[]; nextCursor: string | null };

before(async () => {
  pod = await createTestPod({ prefix: 'audit', script: 'sleep 100000' });
  podscope = await startPodscope();
  await waitRunning(pod);
  beforeAll = new Date(Date.now() - 1000).toISOString();
  const first = new TerminalClient(terminalUrl(podscope.wsUrl, 'demo', pod), podscope.headers);
  ids.push((await first.ready()).sessionId);
  first.type('echo audit-$((1+1))\r');
  await first.outputMatches(/audit-2/);
  first.type('exit 4\r');
  await first.closed;
  const second = new TerminalClient(
    terminalUrl(podscope.wsUrl, 'demo', pod, { command: ['true'] }),
    podscope.headers,
  );
  ids.push((await second.ready()).sessionId);
  await second.closed;
  // The end is written after the socket closes (with the process cleanup).
  await waitFor('both sessions ended', async () => {
    const { body } = await get<Page>('/api/audit/sessions');
    return body.sessions.length === 2 && body.sessions.every((s) => s.endedAt !== null) ? true : undefined;
  });
});
after(async () => {
  await podscope.close();
  await deleteTestPod(pod);
});

describe('audit REST API', () => {
  test('lists sessions newest first with who, what, where, policy and the end', async () => {
    const { status, body } = await get<Page>('/api/audit/sessions');
    assert.equal(status, 200);
    assert.deepEqual(
      body.sessions.map((s) => s.id),
      [ids[1], ids[0]],
    );
    // Local mode: one person, who reads everything; Kubernetes saw the kubeconfig's user.
    assert.equal(body.scope, 'all');
    const s = body.sessions[1]!;
    assert.equal(s.user, 'kubeconfig:kubernetes-admin');
    assert.deepEqual(s.groups, []);
    assert.equal(s.subject, null);
    assert.equal(s.email, null);
    assert.deepEqual(s.kube, { method: 'kubeconfig', user: 'kubernetes-admin', groups: [] });
    assert.equal(s.cluster, CLUSTER);
    assert.equal(s.namespace, 'demo');
    assert.equal(s.pod, pod);
    assert.equal(s.container, 'app');
    assert.equal(s.kind, 'exec');
    assert.equal(s.command.at(-1), 'sh');
    assert.match(s.policy, /^root-allowed/);
    assert.equal(s.clientAddress, '127.0.0.1');
    assert.equal(s.exitCode, 4);
    assert.ok(s.durationMs !== null && s.durationMs >= 0);
    assert.equal(s.bytesIn, Buffer.byteLength('echo audit-$((1+1))\rexit 4\r'));
    assert.ok((s.bytesOut ?? 0) > 0);
    assert.equal(s.recordingUrl, `/api/audit/sessions/${s.id}/recording.cast`);
    assert.equal('recordingPath' in s, false, 'server paths are not exposed');
    assert.equal(body.nextCursor, null);
  });

  test('filters by user, cluster, namespace, pod, kind and time', async () => {
    const count = async (qs: string) => (await get<Page>(`/api/audit/sessions?${qs}`)).body.sessions.length;
    assert.equal(await count('user=kubeconfig%3Akubernetes-admin'), 2);
    assert.equal(await count('user=bob'), 0);
    assert.equal(await count(`cluster=${CLUSTER}`), 2);
    assert.equal(await count('cluster=other'), 0);
    assert.equal(await count('namespace=demo'), 2);
    assert.equal(await count('namespace=kube-system'), 0);
    assert.equal(await count(`pod=${pod}`), 2);
    assert.equal(await count('pod=web'), 0);
    assert.equal(await count('kind=exec'), 2);
    assert.equal(await count('kind=debug'), 0);
    assert.equal(await count(`from=${encodeURIComponent(beforeAll)}`), 2);
    assert.equal(await count(`to=${encodeURIComponent(beforeAll)}`), 0);
  });

  test('pages with limit and before', async () => {
    const first = await get<Page>('/api/audit/sessions?limit=1');
    assert.deepEqual(
      first.body.sessions.map((s) => s.id),
      [ids[1]],
    );
    assert.ok(first.body.nextCursor);
    const second = await get<Page>(
      `/api/audit/sessions?limit=1&before=${encodeURIComponent(first.body.nextCursor)}`,
    );
    assert.deepEqual(
      second.body.sessions.map((s) => s.id),
      [ids[0]],
    );
    assert.equal(second.body.nextCursor, null);
  });

  test('a session comes with its command lines and their times', async () => {
    const { status, body } = await get<AuditSessionView & { commands: AuditCommandView[] }>(
      `/api/audit/sessions/${ids[0]}`,
    );
    assert.equal(status, 200);
    assert.deepEqual(
      body.commands.map((c) => [c.line, c.flags]),
      [
        ['echo audit-$((1+1))', []],
        ['exit 4', []],
      ],
    );
    for (const c of body.commands) {
      assert.equal(Date.parse(c.time), Date.parse(body.startedAt) + c.at);
    }
    const cmdOnly = await get<{ commands: AuditCommandView[]; command: string[] }>(
      `/api/audit/sessions/${ids[1]}`,
    );
    assert.deepEqual(cmdOnly.body.commands, []);
    assert.equal(cmdOnly.body.command.at(-1), 'true');
  });

  test('the recording downloads as asciicast v2', async () => {
    const { status, body, res } = await get<string>(`/api/audit/sessions/${ids[0]}/recording.cast`);
    assert.equal(status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/x-asciicast/);
    assert.equal(res.headers.get('content-disposition'), null);
    const cast = parseAsciicast(body);
    assert.equal(cast.header.version, 2);
    assert.equal(
      cast.events
        .filter((e) => e[1] === 'i')
        .map((e) => e[2])
        .join(''),
      'echo audit-$((1+1))\rexit 4\r',
    );
    const download = await get<string>(`/api/audit/sessions/${ids[0]}/recording.cast?download=true`);
    assert.match(
      download.res.headers.get('content-disposition') ?? '',
      new RegExp(`^attachment; filename="${pod}_app_.*\\.cast"$`),
    );
    // Local mode has one person: opening a recording is opening one's own, and adds no record.
    const views = await get<Page>('/api/audit/sessions?kind=audit-view');
    assert.deepEqual(views.body.sessions, []);
  });

  const bad: [string, number, RegExp][] = [
    ['/api/audit/sessions/not-an-id', 400, /is not an audit session id/],
    ['/api/audit/sessions/00000000-0000-4000-8000-000000000000', 404, /no audit session/],
    ['/api/audit/sessions/00000000-0000-4000-8000-000000000000/recording.cast', 404, /no audit session/],
    ['/api/audit/sessions?kind=shell', 400, /kind must be one of exec, debug/],
    ['/api/audit/sessions?from=yesterday', 400, /from must be an RFC 3339 time/],
    ['/api/audit/sessions?limit=0', 400, /limit/],
    ['/api/audit/sessions?limit=501', 400, /limit/],
    ['/api/audit/sessions?before=garbage', 400, /invalid audit page cursor/],
    ['/api/audit/sessions?user=', 400, /user must be 1 to 1024 characters/],
    ['/api/audit/sessions?subject=', 400, /subject must be 1 to 1024 characters/],
    [`/api/audit/sessions?user=${'x'.repeat(1025)}`, 400, /user must be 1 to 1024 characters/],
    ['/api/audit/sessions?owner=x', 400, /Unknown query parameter "owner"/],
    ['/api/audit/sessions?pod=a&pod=b', 400, /must be given once/],
  ];
  for (const [path, status, message] of bad) {
    test(`GET ${path} → ${status}`, async () => {
      const r = await get<{ status: number; error: string }>(path);
      assert.equal(r.status, status, JSON.stringify(r.body));
      assert.match(r.body.error, message);
    });
  }
});
