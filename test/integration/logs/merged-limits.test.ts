// A merged stream follows at most `limits.mergedLogSources` sources: it names the ones it leaves out,
// announces new ones that do not fit, and gives a freed slot to the next one.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LogLine, LogStreamMessage } from '../../../src/shared/api.js';
import { parseConfig } from '../../../src/server/config/podscope-config.js';
import { createTestPod, deleteTestPod, waitRunning } from '../../support/pods.js';
import { CLUSTER, startPodscope, WsClient, type RunningPodscope } from '../../support/podscope.js';

type Sources = Extract<LogStreamMessage, { type: 'sources' }>;

const label = `capped-${process.pid}`;
const created: string[] = [];
let podscope: RunningPodscope;
/** The labelled pods in the order the server gives slots (by name). */
let pods: string[] = [];

const chatty = (prefix: string) =>
  createTestPod({
    prefix,
    script: 'while true; do echo "from $HOSTNAME"; sleep 0.5; done',
    labels: { capped: label },
  });

before(async () => {
  for (let i = 0; i < 4; i++) created.push(await chatty('capped'));
  await Promise.all(created.map(waitRunning));
  pods = [...created].sort((a, b) => a.localeCompare(b));
  podscope = await startPodscope({ config: parseConfig({ limits: { mergedLogSources: 2 } }) });
});
after(async () => {
  await podscope?.close();
  await Promise.all(created.map(deleteTestPod));
});

const streamUrl = (query: string) =>
  `${podscope.wsUrl}/api/clusters/${CLUSTER}/namespaces/demo/logs/stream?selector=${encodeURIComponent(`capped=${label}`)}&${query}`;
const lines = (m: LogStreamMessage[]): LogLine[] => m.flatMap((x) => (x.type === 'lines' ? x.lines : []));
const podsWithLines = (m: LogStreamMessage[]) => new Set(lines(m).map((l) => l.source?.pod));
const summaries = (m: LogStreamMessage[]) => m.filter((x): x is Sources => x.type === 'sources');
const markers = (m: LogStreamMessage[], kind: string) =>
  m.filter((x) => x.type === 'marker' && x.kind === kind) as Extract<LogStreamMessage, { type: 'marker' }>[];

describe('a merged stream at its source limit', () => {
  test('follows the first two, names the two left out, announces a new one, and fills a freed slot', async () => {
    const ws = new WsClient<LogStreamMessage>(streamUrl('follow=true&tailLines=5'), podscope.headers);
    let late: string | undefined;
    try {
      const first = await ws.until('the summary', (m) => summaries(m).length > 0, 30_000);
      const s = summaries(first)[0]!;
      assert.equal(s.shown, 2);
      assert.equal(s.total, 4);
      assert.equal(s.limit, 2);
      assert.deepEqual(
        s.omitted.map((o) => `${o.pod}/${o.container}`),
        [`${pods[2]}/app`, `${pods[3]}/app`],
      );
      assert.equal(s.omittedMore, 0);
      assert.match(s.message, /^Showing 2 of 4 sources .* at most 2 at once\. Not shown: /);
      assert.ok(s.message.includes(pods[2]!) && s.message.includes(pods[3]!), s.message);

      await ws.until('lines of both shown pods', (m) => podsWithLines(m).size >= 2, 30_000);
      // A few more seconds of output: still only the two shown pods.
      await new Promise((r) => setTimeout(r, 3000));
      assert.deepEqual([...podsWithLines(ws.messages)].sort(), [pods[0], pods[1]]);

      // A new pod while at the limit is announced (not silently dropped) and counted.
      late = await chatty('capped-late');
      created.push(late);
      const withLate = await ws.until(
        'the new pod announced',
        (m) => markers(m, 'source-omitted').some((x) => x.source?.pod === late),
        60_000,
      );
      assert.match(
        markers(withLate, 'source-omitted')[0]!.message,
        new RegExp(`new source ${late}/app not shown: this stream already follows 2 sources`),
      );
      await ws.until('a summary counting 5', (m) => summaries(m).some((x) => x.total === 5), 10_000);

      // A shown pod goes away: its slot goes to the first one left out, which then streams.
      await deleteTestPod(pods[0]!);
      const promoted = await ws.until(
        'the first omitted pod streaming',
        (m) => lines(m).some((l) => l.source?.pod === pods[2]),
        90_000,
      );
      assert.ok(
        markers(promoted, 'source-added').some(
          (x) =>
            x.source?.pod === pods[2] && /now showing .* in place of a source that ended/.test(x.message),
        ),
      );
      assert.ok(
        markers(promoted, 'source-ended').some((x) => x.source?.pod === pods[0]),
        'the deleted pod ended first',
      );
      assert.ok(!podsWithLines(promoted).has(pods[3]), 'only one slot was freed');
      assert.ok(!podsWithLines(promoted).has(late), 'the late pod is still left out');
    } finally {
      ws.close();
    }
  });

  test('a one-shot read names what it left out and says so at the end', async () => {
    const ws = new WsClient<LogStreamMessage>(streamUrl('follow=false&tailLines=3'), podscope.headers);
    try {
      const msgs = await ws.until('the end', (m) => m.some((x) => x.type === 'end'), 60_000);
      const s = summaries(msgs)[0];
      assert.ok(s, 'a summary was sent');
      assert.equal(s.shown, 2);
      assert.ok(s.total >= 3, `total ${s.total}`);
      const shownPods = [...podsWithLines(msgs)];
      assert.equal(shownPods.length, 2);
      for (const o of s.omitted) assert.ok(!shownPods.includes(o.pod), `${o.pod} was left out`);
      const end = msgs.find((m) => m.type === 'end');
      assert.match(end?.type === 'end' ? end.message : '', /end of output of 2 of \d sources/);
    } finally {
      ws.close();
    }
  });
});
