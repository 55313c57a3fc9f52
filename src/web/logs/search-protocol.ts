// What the log view and its search worker say to each other. The worker keeps its own copy of the
// plain text of the lines held (sent as they arrive) and scans it for the current search, so a search
// over a million lines never blocks the page. Messages are structured-cloned; typed arrays are transferred.

/** A search as typed: what compileQuery (src/shared/logs/search.ts) compiles, on either side. */
export interface SearchSpec {
  query: string;
  regex: boolean;
  caseSensitive: boolean;
}

export type SearchRequest =
  /**
   * Entries appended to the view, in order. `texts[i]` is the plain text of the entry with sequence
   * number `seqs[i]`, or null for a separator row (always shown when filtering, never a match).
   */
  | { type: 'append'; seqs: Float64Array; texts: (string | null)[] }
  /** The view dropped every entry with a sequence number below `before`. */
  | { type: 'drop'; before: number }
  /** From now on, search for `spec` (null: no search), reporting as `id`; any earlier search is abandoned. */
  | { type: 'search'; id: number; spec: SearchSpec | null };

/**
 * Entries found by search `id`, in sequence order: each separator row, and each line the query's test
 * accepts with its number of highlighted matches (`counts[i]`, 0 for separators — and for a line that a
 * pattern like `a*` accepts with nothing to highlight). Every entry with a sequence number below
 * `through` has been looked at.
 */
export interface SearchResults {
  type: 'results';
  id: number;
  seqs: Float64Array;
  counts: Uint32Array;
  through: number;
}
