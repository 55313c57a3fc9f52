// The search worker's state, without the worker: the plain text of the entries the view holds (a copy,
// kept up to date by `append`/`drop` requests) and the current search's progress through it. The worker
// (search.worker.ts) feeds it requests and calls `step` in slices, so a new request — a new query
// abandons the old one — is taken between two slices. Pure, so it can be tested in Node.

import { compileQuery } from '../../shared/logs/search.js';
import type { SearchRequest, SearchResults } from './search-protocol.js';

/** Dropped entries are compacted away once there are this many (and they are the larger part). */
const COMPACT_AFTER = 4096;

export class SearchScan {
  /** Plain text by position (null: a separator row); positions before `head` are dropped. */
  private texts: (string | null)[] = [];
  private seqs: number[] = [];
  private head = 0;
  /** Sequence number after the last entry appended. */
  private next = 0;
  private id = 0;
  private test: ((text: string) => boolean) | null = null;
  private count: (text: string) => number = () => 0;
  /** Position of the next entry the current search looks at. */
  private cursor = 0;
  /** Whether the current search has reported anything yet (it always reports once, even over nothing). */
  private reported = true;

  /** Entries held (for tests and the worker's bookkeeping). */
  get length(): number {
    return this.texts.length - this.head;
  }

  /** Whether `step` has work: entries the current search has not looked at, or a first report owed. */
  get busy(): boolean {
    return (this.test !== null && this.cursor < this.texts.length) || !this.reported;
  }

  handle(request: SearchRequest): void {
    switch (request.type) {
      case 'append':
        for (let i = 0; i < request.seqs.length; i++) {
          const seq = request.seqs[i]!;
          if (seq < this.next) throw new RangeError(`entry ${seq} appended after ${this.next - 1}`);
          this.seqs.push(seq);
          this.texts.push(request.texts[i] ?? null);
          this.next = seq + 1;
        }
        break;
      case 'drop':
        this.drop(request.before);
        break;
      case 'search': {
        this.id = request.id;
        this.cursor = this.head;
        this.reported = false;
        const compiled =
          request.spec === null
            ? null
            : compileQuery(request.spec.query, {
                regex: request.spec.regex,
                caseSensitive: request.spec.caseSensitive,
              });
        // The page compiled the same query before asking: a failure here finds nothing, like there.
        if (compiled?.ok) {
          this.test = compiled.test;
          this.count = (text) => compiled.matches(text).length;
        } else {
          this.test = null;
          this.count = () => 0;
        }
        break;
      }
    }
  }

  /**
   * Looks at up to `maxEntries` more entries for the current search, stopping early once `timeUp` says
   * so (asked every 1,024 entries). Returns what it found, or null when there is nothing to say.
   */
  step(maxEntries: number, timeUp: () => boolean = () => false): SearchResults | null {
    if (!this.busy) return null;
    const seqs: number[] = [];
    const counts: number[] = [];
    const test = this.test;
    if (test !== null) {
      const end = Math.min(this.texts.length, this.cursor + maxEntries);
      let i = this.cursor;
      while (i < end) {
        const text = this.texts[i]!;
        if (text === null) {
          seqs.push(this.seqs[i]!);
          counts.push(0);
        } else if (test(text)) {
          seqs.push(this.seqs[i]!);
          counts.push(this.count(text));
        }
        i++;
        if ((i & 1023) === 0 && timeUp()) break;
      }
      this.cursor = i;
    } else {
      this.cursor = this.texts.length;
    }
    this.reported = true;
    return {
      type: 'results',
      id: this.id,
      seqs: Float64Array.from(seqs),
      counts: Uint32Array.from(counts),
      through: this.cursor < this.texts.length ? this.seqs[this.cursor]! : this.next,
    };
  }

  private drop(before: number): void {
    while (this.head < this.texts.length && this.seqs[this.head]! < before) {
      this.texts[this.head] = null; // let the text be collected now
      this.head++;
    }
    if (this.cursor < this.head) this.cursor = this.head;
    if (this.head > COMPACT_AFTER && this.head * 2 > this.texts.length) {
      this.texts.splice(0, this.head);
      this.seqs.splice(0, this.head);
      this.cursor -= this.head;
      this.head = 0;
    }
  }
}
