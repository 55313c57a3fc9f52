// Where the search matches are, across a log buffer that grows at the end and drops at the front.
// Lines are identified by their sequence number (never reused), so positions survive both. Pure.

export interface MatchPosition {
  /** Sequence number of the line. */
  seq: number;
  /** Which match within that line (0-based). */
  nth: number;
}

export class MatchIndex {
  /** Sequence numbers of lines with at least one match, ascending. */
  private readonly seqs: number[] = [];
  /** cumulative[i] = matches in seqs[0..i] (inclusive), counted from the very first line ever added. */
  private readonly cumulative: number[] = [];
  /** Entries before `head` have been dropped (compacted lazily, so dropping is O(1) amortised). */
  private head = 0;

  /** Records `count` matches on line `seq` (seq must be greater than every seq added before). */
  add(seq: number, count: number): void {
    if (count <= 0) return;
    const last = this.cumulative.length ? this.cumulative[this.cumulative.length - 1]! : 0;
    this.seqs.push(seq);
    this.cumulative.push(last + count);
  }

  clear(): void {
    this.seqs.length = 0;
    this.cumulative.length = 0;
    this.head = 0;
  }

  /** Forgets lines with seq < `firstSeq` (the buffer dropped them). */
  dropBefore(firstSeq: number): void {
    while (this.head < this.seqs.length && this.seqs[this.head]! < firstSeq) this.head++;
    if (this.head > 4096 && this.head * 2 > this.seqs.length) {
      const base = this.cumulative[this.head - 1]!;
      this.seqs.splice(0, this.head);
      this.cumulative.splice(0, this.head);
      for (let i = 0; i < this.cumulative.length; i++) this.cumulative[i]! -= base;
      this.head = 0;
    }
  }

  private get base(): number {
    return this.head === 0 ? 0 : this.cumulative[this.head - 1]!;
  }

  /** Total matches in the lines still held. */
  get total(): number {
    return this.cumulative.length === 0 ? 0 : this.cumulative[this.cumulative.length - 1]! - this.base;
  }

  /** Number of lines with a match. */
  get lineCount(): number {
    return this.seqs.length - this.head;
  }

  /** Position of the `ordinal`-th match (0-based), or null when out of range. */
  at(ordinal: number): MatchPosition | null {
    if (ordinal < 0 || ordinal >= this.total) return null;
    const target = ordinal + this.base;
    // First i in [head, len) with cumulative[i] > target.
    let lo = this.head;
    let hi = this.seqs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    const before = lo === 0 ? 0 : this.cumulative[lo - 1]!;
    return { seq: this.seqs[lo]!, nth: target - before };
  }

  /** Ordinal of the first match on a line with seq >= `seq` (total when none). */
  ordinalAtOrAfter(seq: number): number {
    let lo = this.head;
    let hi = this.seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.seqs[mid]! < seq) lo = mid + 1;
      else hi = mid;
    }
    const before = lo === 0 ? 0 : this.cumulative[lo - 1]!;
    return before - this.base;
  }

  /** Ordinal of a match position, or null when that line has no such match (any more). */
  ordinalOf(position: MatchPosition): number | null {
    const first = this.ordinalAtOrAfter(position.seq);
    const at = this.at(first);
    if (!at || at.seq !== position.seq) return null;
    const candidate = first + position.nth;
    const check = this.at(candidate);
    return check && check.seq === position.seq ? candidate : null;
  }
}
