// Search and filter queries for the log viewer. A query is compiled once and then run against many lines.

export interface SearchOptions {
  caseSensitive?: boolean;
  regex?: boolean;
}

export type Match = [start: number, end: number];

export type CompiledQuery =
  | {
      ok: true;
      /** Whether the line matches (an empty query matches every line). */
      test: (text: string) => boolean;
      /** Non-empty, non-overlapping match ranges, in order, for highlighting. */
      matches: (text: string) => Match[];
    }
  | { ok: false; error: string };

/** Longer queries are refused: they are never typed by hand, and long patterns are the costly ones. */
export const MAX_QUERY_LENGTH = 1000;

export function compileQuery(query: string, opts: SearchOptions = {}): CompiledQuery {
  if (query.length > MAX_QUERY_LENGTH) {
    return { ok: false, error: `The search text must be at most ${MAX_QUERY_LENGTH} characters long.` };
  }
  if (query === '') return { ok: true, test: () => true, matches: () => [] };
  const source = opts.regex ? query : query.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const flags = opts.caseSensitive ? '' : 'i';
  let tester: RegExp;
  let finder: RegExp;
  try {
    tester = new RegExp(source, flags);
    finder = new RegExp(source, flags + 'g');
  } catch (e) {
    const reason = e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : String(e);
    return { ok: false, error: `The regular expression is not valid: ${reason}.` };
  }
  return {
    ok: true,
    test: (text) => tester.test(text),
    matches: (text) => {
      const found: Match[] = [];
      finder.lastIndex = 0;
      for (let m = finder.exec(text); m !== null; m = finder.exec(text)) {
        if (m[0] === '') {
          // A pattern like `a*` matches the empty string everywhere: step past it instead of looping.
          finder.lastIndex++;
          continue;
        }
        found.push([m.index, m.index + m[0].length]);
      }
      return found;
    },
  };
}

/** Match ranges of `query` in `text`; an invalid query finds nothing (use compileQuery to get the error). */
export function findMatches(text: string, query: string, opts: SearchOptions = {}): Match[] {
  const compiled = compileQuery(query, opts);
  return compiled.ok ? compiled.matches(text) : [];
}
