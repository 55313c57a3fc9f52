import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  auditApiQuery,
  auditFiltersToParams,
  EMPTY_FILTERS,
  hasFilters,
  instantToLocalInput,
  localInputToInstant,
  parseAuditFilters,
  withFilters,
} from './audit-filters.js';

test('filters read from the URL, trimmed; unknown kinds and bad times are dropped', () => {
  const f = parseAuditFilters(
    new URLSearchParams('user=%20alice%20&pod=web-1&kind=shell&from=yesterday&to=2025-03-01T10:00:00Z&x=1'),
  );
  assert.deepEqual(f, {
    ...EMPTY_FILTERS,
    user: 'alice',
    pod: 'web-1',
    to: '2025-03-01T10:00:00.000Z',
  });
  assert.equal(parseAuditFilters(new URLSearchParams('kind=file-download')).kind, 'file-download');
  assert.equal(parseAuditFilters(new URLSearchParams(`pod=${'x'.repeat(257)}`)).pod, '');
});

test('the URL round-trips and leaves empty filters out', () => {
  const f = { ...EMPTY_FILTERS, namespace: 'demo', kind: 'exec' as const, before: 'c1' };
  const params = auditFiltersToParams(f);
  assert.equal(params.toString(), 'namespace=demo&kind=exec&before=c1');
  assert.deepEqual(parseAuditFilters(params), f);
  assert.equal(auditFiltersToParams(EMPTY_FILTERS).toString(), '');
});

test('the API query carries the same names and the page size', () => {
  assert.deepEqual(auditApiQuery({ ...EMPTY_FILTERS, pod: 'web-1', before: 'abc' }), {
    pod: 'web-1',
    before: 'abc',
    limit: 50,
  });
  assert.deepEqual(auditApiQuery({ ...EMPTY_FILTERS, limit: '2' }), { limit: 2 });
});

test('the page size from the URL is kept only when the server accepts it', () => {
  const limit = (q: string): string => parseAuditFilters(new URLSearchParams(q)).limit;
  assert.equal(limit('limit=2'), '2');
  assert.equal(limit('limit=500'), '500');
  assert.equal(limit('limit=007'), '7');
  for (const bad of ['limit=0', 'limit=501', 'limit=-1', 'limit=1.5', 'limit=x'])
    assert.equal(limit(bad), '', bad);
});

test('changing a filter goes back to the newest page; paging keeps the filters', () => {
  const paged = { ...EMPTY_FILTERS, pod: 'web', before: 'cursor-2' };
  assert.deepEqual(withFilters(paged, { user: 'bob' }), { ...paged, user: 'bob', before: '' });
  assert.deepEqual(withFilters(paged, { before: 'cursor-3' }), { ...paged, before: 'cursor-3' });
  assert.equal(hasFilters(paged), true);
  assert.equal(hasFilters({ ...EMPTY_FILTERS, before: 'x', limit: '5' }), false);
  assert.deepEqual(withFilters({ ...paged, limit: '5' }, { pod: 'db' }), {
    ...paged,
    pod: 'db',
    before: '',
    limit: '5',
  });
});

test('datetime-local values convert to instants and back in the local time zone', () => {
  const iso = localInputToInstant('2025-03-01T14:05');
  assert.match(iso, /^2025-03-0[12]T\d{2}:05:00\.000Z$/);
  assert.equal(instantToLocalInput(iso), '2025-03-01T14:05');
  assert.equal(localInputToInstant(''), '');
  assert.equal(localInputToInstant('nonsense'), '');
  assert.equal(instantToLocalInput(''), '');
});
