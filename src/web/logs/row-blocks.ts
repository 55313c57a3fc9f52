// The virtualised list renders its rows in blocks: rows with sequence numbers in the same run of
// BLOCK_ROWS share one absolutely positioned box, in normal flow inside it. A scroll then adds and
// removes whole blocks (a few positioned boxes, not one per row, for the browser to lay out, paint,
// composite and hit-test), and a row never moves inside its block as rows come and go elsewhere — so
// what the browser painted for it stays valid. Blocks go by sequence number, not by position in the
// list, so dropping the oldest line (a full buffer) does not shift every row into another block. Pure.

export const BLOCK_ROWS = 16;

export interface RowRange {
  startIndex: number;
  endIndex: number;
  overscan: number;
  count: number;
}

/** The block a row belongs to, from its key (its sequence number). */
export const blockOf = (key: number, size: number = BLOCK_ROWS): number => Math.floor(key / size);

/**
 * The indexes to render: the rows on screen and the overscan around them, widened to whole blocks, so
 * a block is either all there or not at all. `keyOf` gives an index's key; keys grow with the index.
 */
export function blockRange(
  range: RowRange,
  keyOf: (index: number) => number,
  size: number = BLOCK_ROWS,
): number[] {
  if (range.count === 0) return [];
  let start = Math.max(range.startIndex - range.overscan, 0);
  let end = Math.min(range.endIndex + range.overscan, range.count - 1);
  if (end < start) return [];
  const first = blockOf(keyOf(start), size);
  for (let i = 0; i < size && start > 0 && blockOf(keyOf(start - 1), size) === first; i++) start--;
  const last = blockOf(keyOf(end), size);
  for (let i = 0; i < size && end < range.count - 1 && blockOf(keyOf(end + 1), size) === last; i++) end++;
  const out = new Array<number>(end - start + 1);
  for (let i = start; i <= end; i++) out[i - start] = i;
  return out;
}

/** Consecutive items of the same block, in order (items sorted by index, so by key). */
export function groupBlocks<T>(
  items: readonly T[],
  keyOf: (item: T) => number,
  size: number = BLOCK_ROWS,
): { block: number; items: T[] }[] {
  const out: { block: number; items: T[] }[] = [];
  for (const item of items) {
    const block = blockOf(keyOf(item), size);
    const last = out[out.length - 1];
    if (last && last.block === block) last.items.push(item);
    else out.push({ block, items: [item] });
  }
  return out;
}
