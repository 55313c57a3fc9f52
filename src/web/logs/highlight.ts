// Splits a line's styled pieces at search-match boundaries, so matches can be wrapped in their own
// span without losing the ANSI styling around them. Pure.

export interface HighlightPiece {
  /** Index of the styled piece this text came from. */
  piece: number;
  text: string;
  /** Ordinal of the match within the line, or null for text outside every match. */
  match: number | null;
}

/**
 * `pieces` concatenated form the line's plain text; `ranges` are sorted, non-overlapping [start, end)
 * offsets into it. Empty ranges are ignored.
 */
export function splitByRanges(
  pieces: readonly { text: string }[],
  ranges: readonly (readonly [number, number])[],
): HighlightPiece[] {
  const out: HighlightPiece[] = [];
  let offset = 0;
  let r = 0;
  for (let p = 0; p < pieces.length; p++) {
    const text = pieces[p]!.text;
    const end = offset + text.length;
    let cursor = offset;
    while (cursor < end) {
      while (r < ranges.length && (ranges[r]![1] <= cursor || ranges[r]![1] <= ranges[r]![0])) r++;
      const range = ranges[r];
      if (!range || range[0] >= end) {
        out.push({ piece: p, text: text.slice(cursor - offset), match: null });
        cursor = end;
      } else if (range[0] > cursor) {
        out.push({ piece: p, text: text.slice(cursor - offset, range[0] - offset), match: null });
        cursor = range[0];
      } else {
        // Here range[0] <= cursor < range[1], so the slice is never empty.
        const stop = Math.min(range[1], end);
        out.push({ piece: p, text: text.slice(cursor - offset, stop - offset), match: r });
        cursor = stop;
      }
    }
    offset = end;
  }
  return out;
}
