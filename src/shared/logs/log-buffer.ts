export const DEFAULT_LOG_BUFFER_CAPACITY = 1_000_000;

export interface LogBufferSizeLimit<T> {
  /** Most total size held; the oldest lines are dropped beyond it (the newest line always stays). */
  maxSize: number;
  /** A line's size, in whatever unit `maxSize` counts (characters, bytes). */
  sizeOf: (line: T) => number;
}

/**
 * The log viewer's memory: the newest `capacity` lines, oldest dropped first, plus an index of the lines
 * matching the current filter that is kept up to date as lines arrive (no rescan per append).
 *
 * Lines are addressed two ways: by position (0 = oldest line still held) for the UI, and internally by
 * sequence number (how many lines were appended before it) so that dropping from the front is O(1) and
 * never renumbers the filter index.
 */
export class LogBuffer<T> {
  readonly capacity: number;
  private ring: T[] = [];
  /** Sequence number of the oldest line held; equals the number of lines dropped. */
  private first = 0;
  /** Sequence number the next appended line will get. */
  private next = 0;
  private filter: ((line: T) => boolean) | null = null;
  /** The filter's index is kept by the caller (setExternalFilter/addMatches), not by a predicate. */
  private external = false;
  /** Sequence numbers of matching lines, ascending; entries before `matchHead` are dead. */
  private matches: number[] = [];
  private matchHead = 0;
  /** Total size of the lines held (0 without a size limit). */
  private size = 0;

  /**
   * `capacity` bounds the number of lines; `sizeLimit`, if given, also their total size, so a million
   * lines of 256 KiB each cannot all be held.
   */
  constructor(
    capacity: number = DEFAULT_LOG_BUFFER_CAPACITY,
    private readonly sizeLimit: LogBufferSizeLimit<T> | null = null,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a positive integer');
    if (sizeLimit && !(sizeLimit.maxSize > 0)) throw new RangeError('maxSize must be positive');
    this.capacity = capacity;
  }

  /** Total size of the lines held, by the size limit's measure (0 without one). */
  get heldSize(): number {
    return this.size;
  }

  get length(): number {
    return this.next - this.first;
  }

  /** How many lines were dropped from the front to stay within capacity. */
  get droppedCount(): number {
    return this.first;
  }

  get(index: number): T | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) return undefined;
    return this.ring[(this.first + index) % this.capacity];
  }

  append(lines: readonly T[]): void {
    if (lines.length >= this.capacity) {
      this.replaceWithNewest(lines);
      return;
    }
    const sizeOf = this.sizeLimit?.sizeOf;
    for (const line of lines) {
      const seq = this.next++;
      // Until the ring is full, sequence numbers and slots coincide (see replaceWithNewest for the other case).
      if (this.ring.length < this.capacity) this.ring.push(line);
      else {
        // The line overwritten is dropped now, unless the size limit dropped it already.
        if (sizeOf && seq - this.capacity >= this.first) this.size -= sizeOf(this.ring[seq % this.capacity]!);
        this.ring[seq % this.capacity] = line;
      }
      if (sizeOf) this.size += sizeOf(line);
      if (this.filter?.(line)) this.matches.push(seq);
    }
    this.first = Math.max(this.first, this.next - this.capacity);
    this.dropOverSize();
    this.dropDeadMatches();
  }

  /** Drops the oldest lines while the total size is over the limit, keeping at least the newest. */
  private dropOverSize(): void {
    if (!this.sizeLimit) return;
    const { maxSize, sizeOf } = this.sizeLimit;
    while (this.size > maxSize && this.length > 1) {
      const slot = this.first % this.capacity;
      this.size -= sizeOf(this.ring[slot]!);
      // Let the dropped line be collected now, not when its slot is reused.
      this.ring[slot] = undefined as T;
      this.first++;
    }
  }

  /** One append of at least `capacity` lines replaces everything; the lines before its tail are never stored. */
  private replaceWithNewest(lines: readonly T[]): void {
    const kept = lines.slice(lines.length - this.capacity);
    this.first = this.next + lines.length - this.capacity;
    this.next += lines.length;
    const ring = new Array<T>(this.capacity);
    this.matches = [];
    this.matchHead = 0;
    this.size = 0;
    kept.forEach((line, k) => {
      const seq = this.first + k;
      ring[seq % this.capacity] = line;
      if (this.sizeLimit) this.size += this.sizeLimit.sizeOf(line);
      if (this.filter?.(line)) this.matches.push(seq);
    });
    this.ring = ring;
    this.dropOverSize();
    this.dropDeadMatches();
  }

  clear(): void {
    this.size = 0;
    this.ring.length = 0;
    this.first = 0;
    this.next = 0;
    this.matches = [];
    this.matchHead = 0;
  }

  /** Sets (or with null, removes) the filter. This is the only operation that scans every held line. */
  setFilter(predicate: ((line: T) => boolean) | null): void {
    this.filter = predicate;
    this.external = false;
    this.matches = [];
    this.matchHead = 0;
    if (predicate === null) return;
    for (let seq = this.first; seq < this.next; seq++) {
      if (predicate(this.ring[seq % this.capacity]!)) this.matches.push(seq);
    }
  }

  /**
   * Filters by an index the caller keeps up to date (e.g. from a search done elsewhere): it starts empty
   * and grows only through `addMatches`. Nothing is scanned.
   */
  setExternalFilter(): void {
    this.filter = null;
    this.external = true;
    this.matches = [];
    this.matchHead = 0;
  }

  /**
   * Adds lines to an external filter's index, by sequence number (droppedCount + position when added):
   * ascending, each after those added before. Lines already dropped or not yet appended are ignored.
   */
  addMatches(seqs: ArrayLike<number>): void {
    if (!this.external) throw new Error('addMatches needs setExternalFilter first');
    let last = this.matches.length ? this.matches[this.matches.length - 1]! : -1;
    for (let i = 0; i < seqs.length; i++) {
      const seq = seqs[i]!;
      if (seq <= last || seq < this.first || seq >= this.next) continue;
      this.matches.push(seq);
      last = seq;
    }
    this.dropDeadMatches();
  }

  get hasFilter(): boolean {
    return this.filter !== null || this.external;
  }

  /** Without a filter, every line matches. */
  get filteredLength(): number {
    return this.hasFilter ? this.matches.length - this.matchHead : this.length;
  }

  filteredGet(index: number): T | undefined {
    const position = this.filteredPosition(index);
    return position === undefined ? undefined : this.get(position);
  }

  /** The position in the whole buffer of the `index`-th matching line (to show it in context). */
  filteredPosition(index: number): number | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.filteredLength) return undefined;
    if (!this.hasFilter) return index;
    return this.matches[this.matchHead + index]! - this.first;
  }

  private dropDeadMatches(): void {
    while (this.matchHead < this.matches.length && this.matches[this.matchHead]! < this.first)
      this.matchHead++;
    // Compact once the dead prefix outweighs the live part, so the array stays O(capacity) and the
    // cost of copying is amortised over the appends that created the garbage.
    if (this.matchHead > 1024 && this.matchHead * 2 > this.matches.length) {
      this.matches = this.matches.slice(this.matchHead);
      this.matchHead = 0;
    }
  }
}
