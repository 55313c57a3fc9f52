// The log store with its search in a backend (as in the page: search.worker.ts running SearchScan),
// here the same SearchScan in-process, fed structured clones of the requests, stepped in small slices.
// Whatever the path, the results must be those of the search done in the store itself.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LogLine, LogStreamMessage } from '../../shared/api.js';
import { compileQuery } from '../../shared/logs/search.js';
import { LogStore, type LineMatcher } from './log-store.js';
import type { SearchSpec } from './search-protocol.js';
import { SearchScan } from './search-scan.js';

const ts = (i: number): string =>
  `2026-01-01T00:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000000000Z`;
const lines = (...items: LogLine[]): LogStreamMessage => ({ type: 'lines', lines: items });

function matcher(query: string, regex = false, caseSensitive = false): LineMatcher {
  const compiled = compileQuery(query, { regex, caseSensitive });
  if (!compiled.ok) throw new Error(compiled.error);
  const spec: SearchSpec = { query, regex, caseSensitive };
  return { test: compiled.test, matches: compiled.matches, spec };
}

/** A store whose search runs in an in-process SearchScan; `pump` delivers its results. */
function withBackend(capacity?: number) {
  const store = new LogStore(capacity);
  const scan = new SearchScan();
  const sent: string[] = [];
  store.attachSearch({
    post: (request) => {
      sent.push(request.type);
      scan.handle(structuredClone(request));
    },
  });
  const pump = (slice = 3): void => {
    for (let r = scan.step(slice); r !== null; r = scan.step(slice)) store.applySearchResults(r);
  };
  return { store, scan, sent, pump };
}

/** A realistic stream: access lines, warnings, errors (some with ANSI colour), restarts. */
function fixture(n: number, start = 0): LogStreamMessage[] {
  const out: LogStreamMessage[] = [];
  let batch: LogLine[] = [];
  for (let i = start; i < start + n; i++) {
    let text = `level=info req=${i} GET /api/orders/${i % 97} status=200 ms=${i % 89}`;
    if (i % 50 === 0) text = `level=warn req=${i} GET /api/orders status=429 retry=1`;
    if (i % 70 === 0)
      text = `\u001b[31mlevel=error\u001b[0m req=${i} status=503 err="upstream timeout" Timeout`;
    batch.push({ ts: ts(i), text });
    if (i % 333 === 0) {
      out.push(lines(...batch));
      batch = [];
      out.push({ type: 'marker', kind: 'restarted', message: `restart ${i}`, ts: ts(i) });
    }
  }
  out.push(lines(...batch));
  return out;
}

function view(store: LogStore): string[] {
  const out: string[] = [];
  for (let i = 0; i < store.viewLength; i++) {
    const e = store.viewGet(i)!;
    out.push(e.kind === 'line' ? e.plain : `-- ${e.message}`);
  }
  return out;
}

function positions(store: LogStore): string[] {
  const out: string[] = [];
  for (let k = 0; k < store.matches.total; k++) {
    const p = store.matches.at(k)!;
    out.push(`${p.seq}:${p.nth}`);
  }
  return out;
}

const QUERIES: [string, boolean, boolean][] = [
  ['timeout', false, false],
  ['Timeout', false, true],
  ['status=(429|5\\d\\d)', true, false],
  ['^level=warn', true, false],
  ['req=1\\d*0 ', true, false],
  ['o*', true, false],
  ['err="upstream', false, false],
];

test('a backend search gives the same matches, counts and filtered view as the search in the store', () => {
  for (const [q, regex, caseSensitive] of QUERIES) {
    for (const filter of [false, true]) {
      const local = new LogStore();
      const { store, pump } = withBackend();
      for (const m of fixture(3000)) {
        local.ingest([m]);
        store.ingest([m]);
      }
      local.setSearch(matcher(q, regex, caseSensitive), filter);
      store.setSearch(matcher(q, regex, caseSensitive), filter);
      assert.equal(store.searchPending, true, q);
      pump();
      assert.equal(store.searchPending, false, q);
      const what = `${q} filter=${filter}`;
      assert.equal(store.matches.total, local.matches.total, what);
      assert.ok(local.matches.total > 0, what);
      assert.deepEqual(positions(store), positions(local), what);
      assert.deepEqual(view(store), view(local), what);
      // Lines arriving later are searched incrementally, with the same outcome.
      for (const m of fixture(700, 3000)) {
        local.ingest([m]);
        store.ingest([m]);
      }
      pump(50);
      assert.deepEqual(positions(store), positions(local), `${what}, later lines`);
      assert.deepEqual(view(store), view(local), `${what}, later lines`);
    }
  }
});

test('results of an abandoned search are ignored; the count fills as results come', () => {
  const { store, scan } = withBackend();
  store.ingest(fixture(1000));
  store.setSearch(matcher('timeout'), false);
  const stale = scan.step(100)!;
  store.setSearch(matcher('status=429'), false);
  assert.equal(store.applySearchResults(stale), false);
  assert.equal(store.matches.total, 0);
  const first = scan.step(300)!;
  assert.equal(store.applySearchResults(first), true);
  assert.ok(store.searchPending);
  const partial = store.matches.total;
  for (let r = scan.step(300); r !== null; r = scan.step(300)) store.applySearchResults(r);
  assert.ok(!store.searchPending);
  assert.ok(store.matches.total > partial && partial > 0);
  assert.equal(store.matches.total, 17); // every 50th of 1,000 lines, but for the errors (every 70th)
});

test('the backend holds what the store holds: lines dropped by the cap are dropped there too', () => {
  const { store, scan, pump } = withBackend(500);
  store.ingest(fixture(2000));
  assert.equal(scan.length, store.buffer.length);
  store.setSearch(matcher('status=429'), true);
  pump();
  const local = new LogStore(500);
  local.ingest(fixture(2000));
  local.setSearch(matcher('status=429'), true);
  assert.deepEqual(view(store), view(local));
  assert.deepEqual(positions(store), positions(local));
});

test('a backend attached to a store that already holds lines gets them all, and takes over the search', () => {
  const store = new LogStore();
  store.ingest(fixture(1500));
  store.setSearch(matcher('timeout'), true);
  const local = view(store);
  const scan = new SearchScan();
  store.attachSearch({ post: (r) => scan.handle(structuredClone(r)) });
  assert.equal(scan.length, store.buffer.length);
  assert.ok(store.searchPending);
  for (let r = scan.step(100); r !== null; r = scan.step(100)) store.applySearchResults(r);
  assert.deepEqual(view(store), local);
});

test('detaching with resync redoes the search in the store; a matcher without a spec is searched locally', () => {
  const { store, scan } = withBackend();
  store.ingest(fixture(1000));
  store.setSearch(matcher('timeout'), true);
  assert.ok(store.searchPending);
  store.detachSearch(true);
  assert.ok(!store.searchPending);
  assert.equal(store.matches.total, 15 * 2); // every 70th line, "timeout" and "Timeout"
  assert.ok(view(store).length > 0);

  const other = withBackend();
  other.store.ingest(fixture(1000));
  const bare = matcher('timeout');
  delete bare.spec;
  other.store.setSearch(bare, false);
  assert.ok(!other.store.searchPending);
  assert.equal(other.store.matches.total, 30);
  assert.equal(scan.busy, true); // the first store's backend was simply abandoned
});

test('clearing the search stops the backend search and shows every line again', () => {
  const { store, scan, pump } = withBackend();
  store.ingest(fixture(1000));
  store.setSearch(matcher('timeout'), true);
  pump();
  assert.ok(store.viewLength < store.buffer.length);
  store.setSearch(null, true);
  assert.equal(store.viewLength, store.buffer.length);
  assert.equal(store.matches.total, 0);
  assert.ok(!store.searchPending);
  pump();
  assert.equal(scan.busy, false);
  assert.equal(store.matches.total, 0);
});
