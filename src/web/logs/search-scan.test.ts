import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SearchResults, SearchSpec } from './search-protocol.js';
import { SearchScan } from './search-scan.js';

const spec = (query: string, regex = false, caseSensitive = false): SearchSpec => ({
  query,
  regex,
  caseSensitive,
});

/** Appends entries with consecutive sequence numbers from `first` (null: a separator row). */
function append(scan: SearchScan, first: number, texts: (string | null)[]): void {
  scan.handle({ type: 'append', seqs: Float64Array.from(texts, (_, i) => first + i), texts });
}

/** Steps until the scan is idle; every report, in order. */
function drain(scan: SearchScan, slice = 2): SearchResults[] {
  const out: SearchResults[] = [];
  for (let r = scan.step(slice); r !== null; r = scan.step(slice)) out.push(r);
  return out;
}

const found = (reports: SearchResults[]) =>
  reports.flatMap((r) => [...r.seqs].map((seq, i) => [seq, r.counts[i]!] as const));

test('a search reports matching lines with their match counts, and separators, in order', () => {
  const scan = new SearchScan();
  append(scan, 0, ['GET /a 200', 'error: db down', null, 'Error again, error', 'fine']);
  scan.handle({ type: 'search', id: 1, spec: spec('error') });
  const reports = drain(scan);
  assert.deepEqual(found(reports), [
    [1, 1],
    [2, 0],
    [3, 2],
  ]);
  assert.ok(reports.every((r) => r.id === 1));
  assert.equal(reports.at(-1)!.through, 5);
  assert.equal(scan.busy, false);
});

test('slices: each report says how far the search has looked', () => {
  const scan = new SearchScan();
  append(scan, 10, ['a', 'b', 'a', 'b', 'a']);
  scan.handle({ type: 'search', id: 3, spec: spec('a') });
  const reports = drain(scan, 2);
  assert.deepEqual(
    reports.map((r) => r.through),
    [12, 14, 15],
  );
  assert.deepEqual(
    found(reports).map(([seq]) => seq),
    [10, 12, 14],
  );
});

test('a time limit ends a slice early (checked every 1,024 entries)', () => {
  const scan = new SearchScan();
  append(
    scan,
    0,
    Array.from({ length: 5000 }, (_, i) => `line ${i}`),
  );
  scan.handle({ type: 'search', id: 1, spec: spec('line 4999') });
  const first = scan.step(100_000, () => true)!;
  assert.equal(first.through, 1024);
  assert.equal(first.seqs.length, 0);
  assert.ok(scan.busy);
  assert.deepEqual(found(drain(scan, 100_000)), [[4999, 1]]);
});

test('lines appended later are searched incrementally, under the same id', () => {
  const scan = new SearchScan();
  append(scan, 0, ['timeout 1']);
  scan.handle({ type: 'search', id: 7, spec: spec('timeout') });
  assert.deepEqual(found(drain(scan)), [[0, 1]]);
  append(scan, 1, ['ok', 'timeout 2']);
  const later = drain(scan);
  assert.deepEqual(found(later), [[2, 1]]);
  assert.equal(later.at(-1)!.id, 7);
  assert.equal(later.at(-1)!.through, 3);
});

test('a new search abandons the old one and starts from the oldest line held', () => {
  const scan = new SearchScan();
  append(scan, 0, ['x1', 'y1', 'x2', 'y2']);
  scan.handle({ type: 'search', id: 1, spec: spec('x') });
  scan.step(1);
  scan.handle({ type: 'search', id: 2, spec: spec('y') });
  const reports = drain(scan);
  assert.ok(reports.every((r) => r.id === 2));
  assert.deepEqual(
    found(reports).map(([seq]) => seq),
    [1, 3],
  );
});

test('no search, or one that cannot compile, reports once that there is nothing and then idles', () => {
  const scan = new SearchScan();
  append(scan, 0, ['a']);
  scan.handle({ type: 'search', id: 4, spec: null });
  assert.deepEqual(
    drain(scan).map((r) => [r.id, r.seqs.length, r.through]),
    [[4, 0, 1]],
  );
  scan.handle({ type: 'search', id: 5, spec: spec('(', true) });
  assert.deepEqual(
    drain(scan).map((r) => [r.id, r.seqs.length, r.through]),
    [[5, 0, 1]],
  );
  append(scan, 1, ['(']);
  assert.equal(scan.step(10), null);
  // A search over nothing held still reports, so the page knows it is done.
  const empty = new SearchScan();
  empty.handle({ type: 'search', id: 1, spec: spec('a') });
  assert.deepEqual(
    drain(empty).map((r) => [r.id, r.through]),
    [[1, 0]],
  );
});

test('dropped lines are never reported; a search under way skips past them', () => {
  const scan = new SearchScan();
  const texts = Array.from({ length: 10_000 }, (_, i) => (i % 2 ? `hit ${i}` : `miss ${i}`));
  append(scan, 0, texts);
  scan.handle({ type: 'search', id: 1, spec: spec('hit') });
  scan.step(10);
  scan.handle({ type: 'drop', before: 9_990 });
  assert.equal(scan.length, 10);
  const rest = found(drain(scan, 3)).map(([seq]) => seq);
  assert.deepEqual(rest, [9991, 9993, 9995, 9997, 9999]);
  append(scan, 10_000, ['hit again']);
  assert.deepEqual(found(drain(scan)), [[10_000, 1]]);
});

test('regex and case options are those of compileQuery; `a*` accepts lines with nothing to highlight', () => {
  const scan = new SearchScan();
  append(scan, 0, ['ERROR x', 'error y', 'status=503', 'bbb']);
  scan.handle({ type: 'search', id: 1, spec: spec('ERROR', false, true) });
  assert.deepEqual(found(drain(scan)), [[0, 1]]);
  scan.handle({ type: 'search', id: 2, spec: spec('status=5\\d\\d', true) });
  assert.deepEqual(found(drain(scan)), [[2, 1]]);
  scan.handle({ type: 'search', id: 3, spec: spec('status=5\\d\\d') });
  assert.deepEqual(found(drain(scan)), []);
  scan.handle({ type: 'search', id: 4, spec: spec('a*', true) });
  assert.deepEqual(found(drain(scan)), [
    [0, 0],
    [1, 0],
    [2, 1],
    [3, 0],
  ]);
});

test('entries must come in sequence order', () => {
  const scan = new SearchScan();
  append(scan, 5, ['a']);
  assert.throws(() => append(scan, 5, ['b']), /appended after 5/);
});
