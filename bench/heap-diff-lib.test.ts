import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aggregateSnapshot, diffAggregates, type HeapSnapshotJson } from './heap-diff-lib.js';

/** A snapshot in V8's layout: nodes as flat [type, name, id, self_size, edge_count] rows. */
function snapshot(rows: [string, string, number][]): HeapSnapshotJson {
  const types = ['hidden', 'array', 'string', 'object', 'code', 'closure', 'native'];
  const strings: string[] = [];
  const str = (s: string) => (strings.includes(s) ? strings.indexOf(s) : strings.push(s) - 1);
  return {
    snapshot: {
      meta: { node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'], node_types: [types] },
    },
    nodes: rows.flatMap(([type, name, size], i) => [types.indexOf(type), str(name), i + 1, size, 0]),
    strings,
  };
}

test('sums self sizes by constructor (objects) or type, and diffs them largest growth first', () => {
  const before = aggregateSnapshot(
    snapshot([
      ['object', 'WebSocket', 200],
      ['string', 'abc', 20],
    ]),
  );
  const after = aggregateSnapshot(
    snapshot([
      ['object', 'WebSocket', 200],
      ['object', 'WebSocket', 200],
      ['object', 'WebSocket', 200],
      ['string', 'abc', 20],
      ['string', 'def', 30],
      ['closure', 'pump', 64],
      ['native', 'Node / TCPWrap', 100],
    ]),
  );
  assert.deepEqual(after.get('WebSocket'), { bytes: 600, count: 3 });
  assert.deepEqual(after.get('(string)'), { bytes: 50, count: 2 });
  assert.deepEqual(after.get('native Node'), { bytes: 100, count: 1 });
  assert.deepEqual(diffAggregates(before, after), [
    { group: 'WebSocket', bytes: 400, count: 2 },
    { group: 'native Node', bytes: 100, count: 1 },
    { group: 'closure pump', bytes: 64, count: 1 },
    { group: '(string)', bytes: 30, count: 1 },
  ]);
});
