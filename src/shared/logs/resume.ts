import type { LogLine } from '../api.js';
import { compareTimestamps, kubeletSecondPrefix, splitTimestampedLine, toSinceTime } from './timestamps.js';

/**
 * Lets a followed log stream be re-opened (after a network drop or API-server timeout) without losing or
 * repeating lines.
 *
 * The resumed request can only say `sinceTime=<whole second>`, so it re-sends every line from the start of
 * the second the last delivered line was in. Lines before the last delivered timestamp that it re-sends are
 * dropped (a line the file holds out of timestamp order is not: see `lateDelivered`).
 * Lines *at* that timestamp are the hard part: several lines can share one nanosecond timestamp (one write
 * containing many lines), possibly with identical text, and the stream may have broken between them. So the
 * tracker remembers how many times each text was delivered at the last timestamp, and on resume skips exactly
 * that many re-sent copies of each; anything beyond is new.
 */
export class LogResumeTracker {
  private lastTs: string | null = null;
  /** The texts of the lines delivered at `lastTs`, in order (counted only when a resume needs it). */
  private deliveredAtLast: string[] = [];
  /** text → how many of those the resumed request has yet to re-send (and we must skip). */
  private replayPending = new Map<string, number>();
  /** kubeletSecondPrefix(lastTs), once asked for (undefined: not yet). */
  private lastPrefix: string | null | undefined = undefined;
  /**
   * `ts text` of the lines delivered since `lastTs` was set whose timestamp is earlier than it: the
   * runtime stamps stdout and stderr apart, so a log file is not always in timestamp order. Such a line
   * is new when it comes (never dropped), and is skipped once when a resume re-sends it.
   */
  private lateDelivered: string[] = [];
  /** `ts text` → how many of those the resumed request has yet to re-send. */
  private latePending = new Map<string, number>();

  /** Whether this line should be delivered. Call for every line, in stream order. */
  accept(line: { ts: string; text: string }): boolean {
    if (this.lastTs !== null) {
      const order = compareTimestamps(line.ts, this.lastTs);
      if (order < 0) return this.acceptLate(line);
      if (order === 0) {
        if (this.replayPending.size > 0) {
          const pending = this.replayPending.get(line.text) ?? 0;
          if (pending > 0) {
            if (pending === 1) this.replayPending.delete(line.text);
            else this.replayPending.set(line.text, pending - 1);
            return false;
          }
        }
        this.deliveredAtLast.push(line.text);
        return true;
      }
    }
    this.advance(line);
    this.lastPrefix = undefined;
    return true;
  }

  /** A line later than the last one: the new last. */
  private advance(line: { ts: string; text: string }): void {
    this.lastTs = line.ts;
    this.deliveredAtLast = [line.text];
    if (this.replayPending.size > 0) this.replayPending.clear();
    if (this.lateDelivered.length > 0) this.lateDelivered = [];
    if (this.latePending.size > 0) this.latePending.clear();
  }

  /**
   * A line earlier than the last delivered one. While a resumed request re-sends the lines before the
   * last timestamp's (replayPending not yet used up), it was delivered before; after them, it is a line
   * the file holds out of timestamp order — new, unless it is one delivered late before the resume.
   */
  private acceptLate(line: { ts: string; text: string }): boolean {
    if (this.replayPending.size > 0) return false;
    const key = `${line.ts} ${line.text}`;
    const pending = this.latePending.get(key) ?? 0;
    if (pending > 0) {
      if (pending === 1) this.latePending.delete(key);
      else this.latePending.set(key, pending - 1);
      return false;
    }
    this.lateDelivered.push(key);
    return true;
  }

  /**
   * A line as kubelet sends it with `timestamps=true`: split into timestamp and text
   * (`splitTimestampedLine`; a line without a timestamp gets the last one) and passed to `accept`.
   * Returns the line to deliver, or null. The same answers as those two calls, quicker for most lines
   * of a busy log: one in the same second as the last line, with as many fraction digits, is checked
   * and ordered by comparing text, without parsing.
   */
  acceptRaw(raw: string): LogLine | null {
    const last = this.lastTs;
    if (last !== null && this.replayPending.size === 0) {
      if (this.lastPrefix === undefined) this.lastPrefix = kubeletSecondPrefix(last);
      const n = last.length;
      if (
        this.lastPrefix !== null &&
        raw.charCodeAt(n) === 32 /* ' ' */ &&
        raw.charCodeAt(n - 1) === 90 /* Z */ &&
        raw.startsWith(this.lastPrefix)
      ) {
        let order = 0;
        let digits = true;
        for (let i = 20; i < n - 1; i++) {
          const c = raw.charCodeAt(i);
          if (c < 48 || c > 57) {
            digits = false; // not kubelet's shape after all
            break;
          }
          if (order === 0) order = c - last.charCodeAt(i);
        }
        if (digits) {
          const line = { ts: raw.slice(0, n), text: raw.slice(n + 1) };
          if (order < 0) return this.acceptLate(line) ? line : null;
          if (order === 0) {
            this.deliveredAtLast.push(line.text);
            return line;
          }
          this.advance(line);
          // Same second and shape: lastPrefix stays right.
          return line;
        }
      }
    }
    const line = splitTimestampedLine(raw) ?? { ts: last ?? '', text: raw };
    return this.accept(line) ? line : null;
  }

  /** The `sinceTime` a resumed request should use, or null when nothing was delivered yet (start afresh). */
  resumeSinceTime(): string | null {
    return this.lastTs === null ? null : toSinceTime(this.lastTs);
  }

  /**
   * Call when opening the resumed request, before feeding it to `accept`: from here on, the lines already
   * delivered at the last timestamp are expected once more and skipped. Returns `resumeSinceTime()`.
   */
  beginResume(): string | null {
    this.replayPending = new Map();
    for (const text of this.deliveredAtLast) {
      this.replayPending.set(text, (this.replayPending.get(text) ?? 0) + 1);
    }
    this.latePending = new Map();
    for (const key of this.lateDelivered) this.latePending.set(key, (this.latePending.get(key) ?? 0) + 1);
    return this.resumeSinceTime();
  }

  /** The timestamp of the last delivered line. */
  get lastTimestamp(): string | null {
    return this.lastTs;
  }
}
