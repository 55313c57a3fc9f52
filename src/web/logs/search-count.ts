// What the log search says about its matches, on screen and to a screen reader. Pure.

const matches = (n: number): string => (n === 1 ? '1 match' : `${n.toLocaleString('en-US')} matches`);

/**
 * "No matches", "1 match", "12 matches", or with the current match "3 of 12 matches". `at` is the
 * current match's 0-based ordinal, null before the view has moved to one. While the search is still
 * `searching` the lines, the count so far: "Searching…", "Searching… 12 matches so far".
 */
export function searchCountText(total: number, at: number | null, searching = false): string {
  if (searching) return total === 0 ? 'Searching…' : `Searching… ${matches(total)} so far`;
  if (total === 0) return 'No matches';
  if (total === 1 || at === null) return matches(total);
  return `${(at + 1).toLocaleString('en-US')} of ${matches(total)}`;
}
