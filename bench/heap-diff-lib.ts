// Pure part of bench/heap-diff.ts: a V8 heap snapshot's nodes summed by group (constructor name for
// objects, node type otherwise), and the difference of two such sums, largest growth first.

export interface HeapSnapshotJson {
  snapshot: { meta: { node_fields: string[]; node_types: unknown[] } };
  nodes: number[];
  strings: string[];
}

export type Aggregate = Map<string, { bytes: number; count: number }>;

/** The group a node counts in: `Name` for objects and closures, `(type)` for strings, code, arrays, …. */
function groupOf(type: string, name: string): string {
  if (type === 'object') return name;
  if (type === 'closure') return `closure ${name || '(anonymous)'}`;
  if (type === 'native') return `native ${name.replace(/\s*\/.*$/, '')}`;
  if (type === 'hidden' || type === 'object shape') return `(${type}) ${name.replace(/\s*\/.*$/, '')}`;
  return `(${type})`;
}

export function aggregateSnapshot(snap: HeapSnapshotJson): Aggregate {
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0] as string[];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const out: Aggregate = new Map();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + typeAt]!] ?? 'unknown';
    const group = groupOf(type, snap.strings[snap.nodes[i + nameAt]!] ?? '');
    const g = out.get(group) ?? { bytes: 0, count: 0 };
    g.bytes += snap.nodes[i + sizeAt]!;
    g.count += 1;
    out.set(group, g);
  }
  return out;
}

export function diffAggregates(
  before: Aggregate,
  after: Aggregate,
): { group: string; bytes: number; count: number }[] {
  const groups = new Set([...before.keys(), ...after.keys()]);
  return [...groups]
    .map((group) => ({
      group,
      bytes: (after.get(group)?.bytes ?? 0) - (before.get(group)?.bytes ?? 0),
      count: (after.get(group)?.count ?? 0) - (before.get(group)?.count ?? 0),
    }))
    .sort((a, b) => b.bytes - a.bytes);
}
