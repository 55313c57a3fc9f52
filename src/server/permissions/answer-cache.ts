/**
 * A small time-bounded, size-bounded cache of answers (promises, so concurrent askers share one call).
 * Keys always start with the identity they were asked as (see identityKey in access-reviews.ts), so one
 * person's answers are never another's. A failed answer is dropped at once, so the next asker retries.
 * Pure apart from the clock, which is injected.
 */
export class AnswerCache<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {
    if (maxEntries < 1) throw new Error('an AnswerCache needs room for at least one entry');
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached answer for `key`, or `ask()`'s (cached for ttlMs from now). */
  get(key: string, ask: () => Promise<T>): Promise<T> {
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit !== undefined && now - hit.at < this.ttlMs) {
      // Most recently used last: the oldest is evicted first.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value;
    }
    if (hit !== undefined) this.entries.delete(key);
    const value = ask();
    const entry = { at: now, value };
    this.entries.set(key, entry);
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return value;
  }
}
