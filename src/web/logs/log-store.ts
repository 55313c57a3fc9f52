// Everything a log view holds, independent of React and of the socket: the capped buffer, the resume
// trackers (one per source), the sources seen, and the search index. Pure, so it can be tested in Node.

import type { LogStreamMessage } from '../../shared/api.js';
import { LogBuffer, DEFAULT_LOG_BUFFER_CAPACITY } from '../../shared/logs/log-buffer.js';
import { LogResumeTracker } from '../../shared/logs/resume.js';
import { compareTimestamps } from '../../shared/logs/timestamps.js';
import { stripAnsi } from '../../shared/logs/ansi.js';
import type { LogEntry, LogLineEntry } from './log-entry.js';
import { MatchIndex } from './match-index.js';
import type { SearchRequest, SearchResults, SearchSpec } from './search-protocol.js';
import { SourceColors, sourceKey, type LogSource } from './source-colors.js';

/** What the search box compiles to (the shape of compileQuery's success result). */
export interface LineMatcher {
  test(text: string): boolean;
  matches(text: string): Array<[number, number]>;
  /** What it was compiled from: with it, an attached search backend runs the search over all lines. */
  spec?: SearchSpec;
}

/**
 * Where searches over all lines run, away from the page's main thread (search.worker.ts): it is sent
 * every entry as it arrives, every drop and every search; its results come back through
 * `LogStore.applySearchResults`.
 */
export interface SearchBackend {
  post(request: SearchRequest): void;
}

/** Entries per message when a backend is attached to a store that already holds lines. */
const ATTACH_CHUNK = 65_536;

export interface SourceState {
  source: LogSource;
  key: string;
  color: number;
  ended: boolean;
  lines: number;
}

export type IngestOutcome = 'continue' | 'finished';

/**
 * Characters of text a view holds at most, besides the line cap: lines may be up to 256 KiB each, so
 * a million of them alone would not bound memory.
 */
export const DEFAULT_LOG_TEXT_LIMIT = 128 * 1024 * 1024;

/** What an entry costs, in characters (plus a rough allowance for the object itself). */
function entrySize(entry: LogEntry): number {
  if (entry.kind === 'marker') return entry.message.length + 64;
  return entry.text.length + (entry.plain === entry.text ? 0 : entry.plain.length) + 64;
}

/** The server's note that a merged stream shows only some of its sources. */
export type SourcesNotice = Extract<LogStreamMessage, { type: 'sources' }>;

/**
 * Ended sources kept in the legend. A follow of a workload whose pods come and go (Jobs, rollouts)
 * sees new sources for as long as it runs; beyond this many, the oldest ended ones are forgotten.
 */
export const MAX_ENDED_SOURCES = 100;

/** An error on the stream that retrying will not fix (bad parameters, RBAC, not found). */
export function isTerminalMessage(message: LogStreamMessage): boolean {
  return (
    message.type === 'end' || (message.type === 'error' && message.status >= 400 && message.status < 500)
  );
}

export class LogStore {
  readonly buffer: LogBuffer<LogEntry>;
  readonly matches = new MatchIndex();
  readonly sources = new Map<string, SourceState>();
  /** Bumped on every change; React re-renders when it moves. */
  version = 0;
  /** Set by a `truncated` message: the server could not send everything asked for. */
  truncatedNotice: string | null = null;
  /** Set by an `end` message: the stream is over. */
  endedNotice: string | null = null;
  error: { message: string; status: number } | null = null;
  /** Set while a merged stream shows fewer sources than match (its limit); null when all are shown. */
  sourcesNotice: SourcesNotice | null = null;
  /** Maps a view index to a stable key; a new function whenever the view's index→line mapping changes. */
  keyOf: (index: number) => number;

  /** Per source: the last timestamp delivered and the texts delivered at it (what a resume re-sends). */
  private readonly tails = new Map<string, { ts: string; texts: string[] }>();
  /** Per source, while a resumed stream is re-sending lines up to the old boundary: the duplicate filter. */
  private readonly resuming = new Map<string, { tracker: LogResumeTracker; boundary: string }>();
  private readonly colors = new SourceColors();
  private matcher: LineMatcher | null = null;
  private filtering = false;
  private backend: SearchBackend | null = null;
  /** Whether the current search's results come from the backend (else they are computed here, at once). */
  private asyncSearch = false;
  private searchId = 0;
  /** Backend search: sequence number after the last entry held when it started. */
  private searchStartNext = 0;
  /** Backend search: every entry below this sequence number has been searched. */
  private searchedThrough = 0;
  /** What the backend was last told was dropped. */
  private sentDropped = 0;

  constructor(capacity = DEFAULT_LOG_BUFFER_CAPACITY, maxChars = DEFAULT_LOG_TEXT_LIMIT) {
    this.buffer = new LogBuffer<LogEntry>(capacity, { maxSize: maxChars, sizeOf: entrySize });
    this.keyOf = this.makeKeyOf();
  }

  /** Applies a batch of stream messages in order. */
  ingest(messages: readonly LogStreamMessage[]): void {
    const entries: LogEntry[] = [];
    let seq = this.buffer.droppedCount + this.buffer.length;
    for (const message of messages) {
      switch (message.type) {
        case 'lines':
          if (message.lines.length) this.error = null;
          for (const line of message.lines) {
            const key = line.source ? sourceKey(line.source) : '';
            if (!this.acceptLine(key, line)) continue;
            if (line.source) this.noteSource(line.source).lines++;
            const plain = line.text.includes('\u001b') ? stripAnsi(line.text) : line.text;
            const entry: LogLineEntry = { kind: 'line', seq: seq++, ts: line.ts, text: line.text, plain };
            if (line.source) entry.source = line.source;
            entries.push(entry);
          }
          break;
        case 'marker': {
          // An omitted source streams nothing: it stays out of the legend.
          if (message.source && message.kind !== 'source-omitted') {
            const state = this.noteSource(message.source);
            if (message.kind === 'source-ended') this.sourceEnded(state);
            if (message.kind === 'source-added') state.ended = false;
          }
          entries.push({
            kind: 'marker',
            seq: seq++,
            markerKind: message.kind,
            message: message.message,
            ts: message.ts,
            ...(message.source ? { source: message.source } : {}),
          });
          break;
        }
        case 'truncated':
          this.truncatedNotice = message.message;
          entries.push({
            kind: 'marker',
            seq: seq++,
            markerKind: 'truncated',
            message: message.message,
            ts: null,
          });
          break;
        case 'sources':
          this.sourcesNotice = message.shown < message.total ? message : null;
          break;
        case 'end':
          this.endedNotice = message.message;
          entries.push({ kind: 'marker', seq: seq++, markerKind: 'end', message: message.message, ts: null });
          break;
        case 'error':
          this.error = { message: message.message, status: message.status };
          break;
      }
    }
    if (entries.length === 0) return;
    if (this.matcher && !this.asyncSearch) {
      for (const entry of entries) {
        if (entry.kind === 'line' && this.matcher.test(entry.plain)) {
          this.matches.add(entry.seq, this.matcher.matches(entry.plain).length);
        }
      }
    }
    this.buffer.append(entries);
    if (this.backend) {
      this.sendEntries(this.backend, entries);
      this.sendDrop(this.backend);
    }
    this.matches.dropBefore(this.buffer.droppedCount);
    this.version++;
  }

  /**
   * Runs searches in `backend` from now on (until detachSearch): it is sent every entry held, and the
   * current search starts over there.
   */
  attachSearch(backend: SearchBackend): void {
    this.backend = backend;
    this.sentDropped = this.buffer.droppedCount;
    const held: LogEntry[] = [];
    for (let i = 0; i < this.buffer.length; i++) {
      held.push(this.buffer.get(i)!);
      if (held.length === ATTACH_CHUNK) this.sendEntries(backend, held.splice(0));
    }
    if (held.length) this.sendEntries(backend, held);
    if (this.matcher?.spec) {
      this.asyncSearch = true;
      this.startBackendSearch(backend);
      if (this.filtering) this.keyOf = this.makeKeyOf();
      this.version++;
    }
  }

  /**
   * Stops using the backend. With `resync`, a search it was running is redone here at once (when the
   * backend failed); without, its results are simply no longer awaited (the view is going away).
   */
  detachSearch(resync: boolean): void {
    this.backend = null;
    if (!this.asyncSearch) return;
    this.asyncSearch = false;
    if (!resync) return;
    this.rebuildMatches();
    this.setLocalFilter();
    this.keyOf = this.makeKeyOf();
    this.version++;
  }

  /** Takes a backend's results; false when they belong to an abandoned search (nothing changed). */
  applySearchResults(results: SearchResults): boolean {
    if (!this.asyncSearch || results.id !== this.searchId) return false;
    for (let i = 0; i < results.seqs.length; i++) this.matches.add(results.seqs[i]!, results.counts[i]!);
    this.matches.dropBefore(this.buffer.droppedCount);
    if (this.filtering) this.buffer.addMatches(results.seqs);
    this.searchedThrough = Math.max(this.searchedThrough, results.through);
    this.version++;
    return true;
  }

  /**
   * Whether the current search is still looking through the lines that were held when it started (its
   * count is not final yet). Lines arriving later are searched as they come, without this.
   */
  get searchPending(): boolean {
    return this.asyncSearch && this.searchedThrough < this.searchStartNext;
  }

  private sendEntries(backend: SearchBackend, entries: readonly LogEntry[]): void {
    const seqs = new Float64Array(entries.length);
    const texts = new Array<string | null>(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      seqs[i] = entry.seq;
      texts[i] = entry.kind === 'line' ? entry.plain : null;
    }
    backend.post({ type: 'append', seqs, texts });
  }

  private sendDrop(backend: SearchBackend): void {
    if (this.buffer.droppedCount === this.sentDropped) return;
    this.sentDropped = this.buffer.droppedCount;
    backend.post({ type: 'drop', before: this.sentDropped });
  }

  /** Starts the current search over in the backend; its index (and the filter's) fill as results come. */
  private startBackendSearch(backend: SearchBackend): void {
    this.searchId++;
    this.matches.clear();
    if (this.filtering) this.buffer.setExternalFilter();
    else this.buffer.setFilter(null);
    this.searchStartNext = this.buffer.droppedCount + this.buffer.length;
    this.searchedThrough = this.buffer.droppedCount;
    backend.post({ type: 'search', id: this.searchId, spec: this.matcher?.spec ?? null });
  }

  private setLocalFilter(): void {
    const active = this.filtering ? this.matcher : null;
    this.buffer.setFilter(active ? (entry) => entry.kind === 'marker' || active.test(entry.plain) : null);
  }

  /**
   * Called when reopening a dropped stream. Returns the `sinceTime` to ask for (the earliest among live
   * sources, so no source misses lines; the trackers drop what was already shown), or null to start afresh.
   */
  beginResume(): string | null {
    let since: string | null = null;
    this.resuming.clear();
    for (const [key, tail] of this.tails) {
      if (key !== '' && this.sources.get(key)?.ended) continue;
      const tracker = new LogResumeTracker();
      for (const text of tail.texts) tracker.accept({ ts: tail.ts, text });
      const candidate = tracker.beginResume();
      this.resuming.set(key, { tracker, boundary: tail.ts });
      if (candidate !== null && (since === null || compareTimestamps(candidate, since) < 0))
        since = candidate;
    }
    return since;
  }

  /**
   * Sets the search (null = none). With `filter`, the view shows only matching lines (and separators).
   * With a backend attached and a matcher that carries its spec, the search runs there: the index (and
   * the filtered view) fill as its results come (`searchPending` until then); otherwise here, at once.
   */
  setSearch(matcher: LineMatcher | null, filter: boolean): void {
    if (matcher === this.matcher && filter === this.filtering) return;
    const changed = matcher !== this.matcher;
    const wasFiltering = this.filtering;
    this.matcher = matcher;
    this.filtering = filter && matcher !== null;
    const backend = this.backend;
    if (backend && (matcher === null || matcher.spec)) {
      // A backend search also builds the filter's index: a change of either starts it over.
      const wasAsync = this.asyncSearch;
      this.asyncSearch = matcher !== null;
      if (changed || this.asyncSearch || wasAsync) this.startBackendSearch(backend);
    } else {
      // A matcher without its spec is searched here; a backend search still running is stopped.
      if (backend && this.asyncSearch) backend.post({ type: 'search', id: ++this.searchId, spec: null });
      this.asyncSearch = false;
      if (changed) this.rebuildMatches();
      this.setLocalFilter();
    }
    // A new key function makes the list re-measure every row (O(rows)): only when rows are not all shown.
    if (this.filtering || wasFiltering) this.keyOf = this.makeKeyOf();
    this.version++;
  }

  get isFiltering(): boolean {
    return this.filtering;
  }

  get searchMatcher(): LineMatcher | null {
    return this.matcher;
  }

  /** Rows in the view (all entries, or only the matching ones when filtering). */
  get viewLength(): number {
    return this.buffer.filteredLength;
  }

  viewGet(index: number): LogEntry | undefined {
    return this.buffer.filteredGet(index);
  }

  /** View index of the entry with sequence number `seq`, or null when it is not in the view. */
  viewIndexOfSeq(seq: number): number | null {
    let lo = 0;
    let hi = this.viewLength - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const at = this.viewGet(mid)!.seq;
      if (at === seq) return mid;
      if (at < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    return null;
  }

  /** Every line still held, as text (for the merged-view download). */
  toText(timestamps: boolean): string {
    const out: string[] = [];
    for (let i = 0; i < this.buffer.length; i++) {
      const entry = this.buffer.get(i)!;
      if (entry.kind !== 'line') continue;
      const prefix = `${timestamps ? `${entry.ts} ` : ''}${entry.source ? `[${sourceKey(entry.source)}] ` : ''}`;
      out.push(prefix + entry.plain);
    }
    return out.length ? `${out.join('\n')}\n` : '';
  }

  private rebuildMatches(): void {
    this.matches.clear();
    const matcher = this.matcher;
    if (!matcher) return;
    for (let i = 0; i < this.buffer.length; i++) {
      const entry = this.buffer.get(i)!;
      if (entry.kind === 'line' && matcher.test(entry.plain)) {
        this.matches.add(entry.seq, matcher.matches(entry.plain).length);
      }
    }
  }

  /**
   * Whether a line is new. Outside a resume every line is (kubelet orders each container's lines), so
   * the costly exact-timestamp tracker only runs while a resumed stream re-sends the boundary.
   */
  private acceptLine(key: string, line: { ts: string; text: string }): boolean {
    const resume = this.resuming.get(key);
    if (resume) {
      if (!resume.tracker.accept(line)) return false;
      if (compareTimestamps(line.ts, resume.boundary) > 0) this.resuming.delete(key);
    }
    const tail = this.tails.get(key);
    if (!tail) {
      this.tails.set(key, { ts: line.ts, texts: [line.text] });
    } else if (tail.ts === line.ts) {
      tail.texts.push(line.text);
    } else {
      tail.ts = line.ts;
      tail.texts.length = 0;
      tail.texts.push(line.text);
    }
    return true;
  }

  /** A source's stream is over: its resume state goes, and the oldest ended sources beyond the cap. */
  private sourceEnded(state: SourceState): void {
    state.ended = true;
    this.tails.delete(state.key);
    this.resuming.delete(state.key);
    let ended = 0;
    for (const s of this.sources.values()) if (s.ended) ended++;
    for (const [key, s] of this.sources) {
      if (ended <= MAX_ENDED_SOURCES) break;
      if (!s.ended) continue;
      this.sources.delete(key);
      this.colors.release(key);
      ended--;
    }
  }

  private noteSource(source: LogSource): SourceState {
    const key = sourceKey(source);
    let state = this.sources.get(key);
    if (!state) {
      state = { source, key, color: this.colors.colorOf(key), ended: false, lines: 0 };
      this.sources.set(key, state);
    }
    return state;
  }

  private makeKeyOf(): (index: number) => number {
    return (index) => this.viewGet(index)?.seq ?? -1 - index;
  }
}
