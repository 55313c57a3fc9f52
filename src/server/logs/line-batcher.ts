// One container's lines on their way to a browser WebSocket, in few messages: the upstream response
// arrives in kubelet writes of a few KiB (a 200,000-line backlog is ~5,000 of them), and one `lines`
// message each cost more (JSON, a WebSocket frame, a write to the socket, a message event and a parse
// in the browser) than the lines themselves. Lines wait at most until the end of the current
// event-loop turn, so a follow's latency does not change; while a message is being written, the next
// one collects what arrives meanwhile.
//
// Back-pressure is kept: at most one message is being written at once, and once the lines waiting
// behind it reach `maxBatchChars`, `lines()` makes the reader wait (and with it the upstream read) until
// that write is done: a stream holds at most about twice `maxBatchChars` of lines (plus one upstream
// read), as much for a slow browser as for a fast one. Markers and `flush()` go out after every line
// given before them.
import type { LogLine, LogStreamMessage } from '../../shared/api.js';
import type { LogSink, MarkerKind } from './container-logs.js';

export interface LineBatcherOptions {
  /** Characters (text + timestamp) of lines waiting behind the message being written before the reader waits. */
  maxBatchChars: number;
  /** Runs `fn` after the I/O of this event-loop turn (setImmediate; replaced in unit tests). */
  schedule: (fn: () => void) => void;
}

export const DEFAULT_LINE_BATCHER_OPTIONS: LineBatcherOptions = {
  maxBatchChars: 64 * 1024,
  schedule: (fn) => setImmediate(fn),
};

export class LineBatcher implements LogSink {
  private readonly options: LineBatcherOptions;
  private pending: LogLine[][] = [];
  private pendingCount = 0;
  private pendingChars = 0;
  /** The message being written, if any. */
  private writing: Promise<void> | null = null;
  private scheduled = false;
  /** Readers waiting for the lines ahead of them to be taken into a message. */
  private roomWaiters: (() => void)[] = [];
  /** Set when a write failed: every later call rejects with it. */
  private failure: { error: unknown } | null = null;

  constructor(
    private readonly send: (message: LogStreamMessage) => Promise<void>,
    options: Partial<LineBatcherOptions> = {},
  ) {
    this.options = { ...DEFAULT_LINE_BATCHER_OPTIONS, ...options };
  }

  /** Lines waiting to be sent (not counting the message being written). */
  get pendingLines(): number {
    return this.pendingCount;
  }

  /**
   * Queues lines for the next message. Resolves at once while fewer than `maxBatchChars` wait, else
   * once they have been taken into a message (that is, once the message before them was written).
   */
  lines(lines: LogLine[]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure.error);
    if (lines.length === 0) return Promise.resolve();
    this.pending.push(lines);
    this.pendingCount += lines.length;
    for (const line of lines) this.pendingChars += line.text.length + line.ts.length;
    if (this.writing === null && !this.scheduled) {
      this.scheduled = true;
      this.options.schedule(() => {
        this.scheduled = false;
        if (this.writing === null) this.writeNext();
      });
    }
    if (this.pendingChars < this.options.maxBatchChars) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** Sends a marker after every line queued so far. */
  async marker(kind: MarkerKind, message: string, ts: string): Promise<void> {
    await this.flush();
    await this.send({ type: 'marker', kind, message, ts });
  }

  /** Resolves once every line queued so far has been written; rejects if a write failed. */
  async flush(): Promise<void> {
    while (this.writing !== null || this.pendingCount > 0) {
      if (this.writing === null) this.writeNext();
      await this.writing;
    }
    if (this.failure) throw this.failure.error;
  }

  /** Takes every waiting line into one message and writes it; then the lines that came meanwhile. */
  private writeNext(): void {
    if (this.pendingCount === 0 || this.failure) return;
    let lines = this.pending[0]!;
    if (this.pending.length > 1) {
      lines = [];
      for (const part of this.pending) for (const line of part) lines.push(line);
    }
    this.pending = [];
    this.pendingCount = 0;
    this.pendingChars = 0;
    for (const resolve of this.roomWaiters.splice(0)) resolve();
    this.writing = this.send({ type: 'lines', lines }).then(
      () => {
        this.writing = null;
        this.writeNext();
      },
      (error: unknown) => {
        // Nothing more can be sent: drop what waits and let the reader see the error.
        this.failure = { error };
        this.writing = null;
        this.pending = [];
        this.pendingCount = 0;
        this.pendingChars = 0;
        for (const resolve of this.roomWaiters.splice(0)) resolve();
      },
    );
  }
}
