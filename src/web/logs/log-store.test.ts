import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LogLine, LogStreamMessage } from '../../shared/api.js';
import { LogStore, MAX_ENDED_SOURCES, isTerminalMessage, type LineMatcher } from './log-store.js';

const ts = (second: number, nanos = 0): string =>
  `2026-01-01T00:00:${String(second).padStart(2, '0')}.${String(nanos).padStart(9, '0')}Z`;
const lines = (...items: LogLine[]): LogStreamMessage => ({ type: 'lines', lines: items });

/** Case-sensitive substring matcher, enough for these tests. */
function substring(needle: string): LineMatcher {
  return {
    test: (text) => text.includes(needle),
    matches: (text) => {
      const out: Array<[number, number]> = [];
      for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) {
        out.push([i, i + needle.length]);
      }
      return out;
    },
  };
}

function texts(store: LogStore): string[] {
  const out: string[] = [];
  for (let i = 0; i < store.viewLength; i++) {
    const entry = store.viewGet(i)!;
    out.push(entry.kind === 'line' ? entry.plain : `-- ${entry.message}`);
  }
  return out;
}

test('lines keep raw text for colours and plain text for search', () => {
  const store = new LogStore();
  store.ingest([lines({ ts: ts(1), text: '\u001b[31mboom\u001b[0m' })]);
  const entry = store.viewGet(0)!;
  assert.equal(entry.kind, 'line');
  assert.equal(entry.kind === 'line' && entry.plain, 'boom');
  assert.equal(entry.kind === 'line' && entry.text, '\u001b[31mboom\u001b[0m');
});

test('a restart marker becomes a separator row between the two instances', () => {
  const store = new LogStore();
  store.ingest([
    lines({ ts: ts(1), text: 'old' }),
    { type: 'marker', kind: 'restarted', message: 'container restarted — exit code 1', ts: ts(2) },
    lines({ ts: ts(3), text: 'new' }),
  ]);
  assert.deepEqual(texts(store), ['old', '-- container restarted — exit code 1', 'new']);
});

test('after a reconnect, lines re-sent at the boundary are not shown twice', () => {
  const store = new LogStore();
  store.ingest([lines({ ts: ts(1), text: 'a' }, { ts: ts(2, 5), text: 'b' }, { ts: ts(2, 5), text: 'c' })]);
  assert.equal(store.beginResume(), '2026-01-01T00:00:02Z');
  // The resumed stream starts at the whole second: everything at or before the last line again, then new.
  store.ingest([
    lines({ ts: ts(2, 1), text: 'x' }, { ts: ts(2, 5), text: 'b' }, { ts: ts(2, 5), text: 'c' }),
    lines({ ts: ts(2, 5), text: 'd' }, { ts: ts(3), text: 'e' }),
  ]);
  assert.deepEqual(texts(store), ['a', 'b', 'c', 'd', 'e']);
});

test('merged streams resume from the earliest live source so none misses lines', () => {
  const store = new LogStore();
  const web1 = { pod: 'web-1', container: 'app' };
  const web2 = { pod: 'web-2', container: 'app' };
  store.ingest([
    lines({ ts: ts(5), text: 'w1', source: web1 }, { ts: ts(9), text: 'w2', source: web2 }),
    {
      type: 'marker',
      kind: 'source-added',
      message: 'web-3 joined',
      ts: ts(9),
      source: { pod: 'web-3', container: 'app' },
    },
  ]);
  assert.equal(store.beginResume(), '2026-01-01T00:00:05Z');
  store.ingest([
    lines(
      { ts: ts(5), text: 'w1', source: web1 },
      { ts: ts(7), text: 'w1 later', source: web1 },
      { ts: ts(9), text: 'w2', source: web2 },
    ),
  ]);
  assert.deepEqual(
    texts(store).filter((t) => !t.startsWith('--')),
    ['w1', 'w2', 'w1 later'],
  );
  assert.deepEqual([...store.sources.keys()], ['web-1/app', 'web-2/app', 'web-3/app']);
});

test('search counts every match and filter mode keeps only matching lines and separators', () => {
  const store = new LogStore();
  store.ingest([
    lines({ ts: ts(1), text: 'error one error' }, { ts: ts(2), text: 'fine' }),
    { type: 'marker', kind: 'restarted', message: 'restarted', ts: ts(3) },
    lines({ ts: ts(4), text: 'error two' }),
  ]);
  store.setSearch(substring('error'), false);
  assert.equal(store.matches.total, 3);
  assert.equal(store.viewLength, 4);
  store.setSearch(store.searchMatcher, true);
  assert.deepEqual(texts(store), ['error one error', '-- restarted', 'error two']);
  assert.equal(store.viewIndexOfSeq(3), 2);
  // New lines are indexed as they arrive.
  store.ingest([lines({ ts: ts(5), text: 'error three' }, { ts: ts(6), text: 'ok' })]);
  assert.equal(store.matches.total, 4);
  assert.equal(store.viewLength, 4);
});

test('beyond capacity the oldest lines are dropped and counted', () => {
  const store = new LogStore(3);
  store.setSearch(substring('x'), false);
  store.ingest([lines(...[1, 2, 3, 4, 5].map((n) => ({ ts: ts(n), text: `x${n}` })))]);
  assert.equal(store.buffer.droppedCount, 2);
  assert.deepEqual(texts(store), ['x3', 'x4', 'x5']);
  assert.equal(store.matches.total, 3);
  assert.deepEqual(store.matches.at(0), { seq: 2, nth: 0 });
});

test('only end and client errors stop the stream; server errors are retried', () => {
  assert.equal(isTerminalMessage({ type: 'end', message: 'done' }), true);
  assert.equal(isTerminalMessage({ type: 'error', message: 'forbidden', status: 403 }), true);
  assert.equal(isTerminalMessage({ type: 'error', message: 'upstream', status: 502 }), false);
  assert.equal(isTerminalMessage({ type: 'truncated', message: 't' }), false);
});

test('the download of held lines has prefixes only where asked', () => {
  const store = new LogStore();
  store.ingest([lines({ ts: ts(1), text: 'a', source: { pod: 'p', container: 'c' } })]);
  assert.equal(store.toText(false), '[p/c] a\n');
  assert.equal(store.toText(true), `${ts(1)} [p/c] a\n`);
});

test('a capped merged stream: the notice is kept until all sources are shown; omitted ones stay out of the legend', () => {
  const store = new LogStore();
  const summary = (shown: number, total: number): LogStreamMessage => ({
    type: 'sources',
    message: `Showing ${shown} of ${total} sources`,
    shown,
    total,
    limit: 2,
    omitted: total > shown ? [{ pod: 'c', container: 'app' }] : [],
    omittedMore: 0,
  });
  store.ingest([summary(2, 3)]);
  assert.equal(store.sourcesNotice?.message, 'Showing 2 of 3 sources');
  store.ingest([
    {
      type: 'marker',
      kind: 'source-omitted',
      message: 'new source d/app not shown',
      ts: ts(1),
      source: { pod: 'd', container: 'app' },
    },
  ]);
  assert.deepEqual([...store.sources.keys()], []);
  assert.deepEqual(texts(store), ['-- new source d/app not shown']);
  store.ingest([summary(2, 2)]);
  assert.equal(store.sourcesNotice, null);
});

test('a long follow with churning pods keeps a bounded legend and no resume state for ended sources', () => {
  const store = new LogStore();
  for (let i = 0; i < MAX_ENDED_SOURCES * 3; i++) {
    const source = { pod: `job-${i}`, container: 'app' };
    store.ingest([
      { type: 'marker', kind: 'source-added', message: 'new', ts: ts(1), source },
      lines({ ts: ts(2), text: `from ${i}`, source }),
      { type: 'marker', kind: 'source-ended', message: 'ended', ts: ts(3), source },
    ]);
  }
  const live = { pod: 'web', container: 'app' };
  store.ingest([lines({ ts: ts(4), text: 'still here', source: live })]);
  assert.equal(store.sources.size, MAX_ENDED_SOURCES + 1);
  assert.ok(store.sources.has('web/app'));
  assert.ok(store.sources.has(`job-${MAX_ENDED_SOURCES * 3 - 1}/app`), 'the newest ended are kept');
  assert.ok(!store.sources.has('job-0/app'), 'the oldest ended are forgotten');
  // Only the live source decides where a resumed stream starts.
  assert.equal(store.beginResume(), '2026-01-01T00:00:04Z');
});

test('the view holds a bounded amount of text, not only a bounded number of lines', () => {
  const store = new LogStore(1_000_000, 10_000);
  const big = 'x'.repeat(2000);
  store.ingest([lines(...Array.from({ length: 50 }, (_, i) => ({ ts: ts(1, i), text: `${i} ${big}` })))]);
  assert.ok(store.buffer.length < 6, `${store.buffer.length} lines held`);
  assert.ok(store.buffer.heldSize <= 10_000);
  assert.equal(store.buffer.droppedCount, 50 - store.buffer.length);
  assert.ok(texts(store).at(-1)!.startsWith('49 '), 'the newest line is kept');
});
