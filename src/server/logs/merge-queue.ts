// What stands between many upstream log reads and one browser WebSocket: lines are held for a short
// window so those of different sources can be interleaved by timestamp, then sent in messages of
// bounded size. The queue is bounded in bytes, not lines: once it holds `maxPendingBytes`, adders wait
// (and with them the upstream reads, so TCP pushes back on the kubelet) until sends have drained it.
// Only the `run` loop sends, one message at a time, so at most one message is in the socket at once.
import type { LogLine, LogStreamMessage } from '../../shared/api.js';
import { compareTimestamps } from '../../shared/logs/timestamps.js';

export interface MergeQueueOptions {
  /**
   * Bytes held (queued, or in the message being sent) before `lines`/`message` make their callers wait.
   * Callers already past the check may each add one more batch, so the true peak is this plus one
   * upstream read per source.
   */
  maxPendingBytes: number;
  /** Largest `lines` message, in bytes of JSON (approximately); a single longer line is sent alone. */
  maxMessageBytes: number;
  /** How long lines wait for other sources' lines before they are sorted and sent. */
  flushMs: number;
}

export const DEFAULT_MERGE_QUEUE_OPTIONS: MergeQueueOptions = {
  maxPendingBytes: 4 * 1024 * 1024,
  maxMessageBytes: 256 * 1024,
  flushMs: 200,
};

/** Roughly what a line costs in a `lines` message: its UTF-8 text plus the JSON around it. */
export function lineBytes(line: LogLine): number {
  const source = line.source ? line.source.pod.length + line.source.container.length + 34 : 0;
  return Buffer.byteLength(line.text, 'utf8') + line.ts.length + 20 + source;
}

function messageBytes(message: LogStreamMessage): number {
  return Buffer.byteLength(JSON.stringify(message), 'utf8');
}

interface Queued {
  message: LogStreamMessage;
  bytes: number;
  seq: number;
}

type State = { kind: 'open' } | { kind: 'closed' } | { kind: 'failed'; error: unknown };

export class MergeQueue {
  readonly options: MergeQueueOptions;
  /** Lines not yet sorted: the current interleaving window. */
  private segment: LogLine[] = [];
  /** Sorted, split messages and markers, in the order they go out. */
  private readonly outbox: Queued[] = [];
  private held = 0;
  private queuedSeq = 0;
  private sentSeq = 0;
  private roomWaiters: (() => void)[] = [];
  private sentWaiters: { seq: number; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private wakeLoop: (() => void) | null = null;
  private urgent = false;
  private state: State = { kind: 'open' };

  constructor(
    private readonly send: (message: LogStreamMessage) => Promise<void>,
    options: Partial<MergeQueueOptions> = {},
  ) {
    this.options = { ...DEFAULT_MERGE_QUEUE_OPTIONS, ...options };
  }

  /** Bytes queued or being sent now. */
  get heldBytes(): number {
    return this.held;
  }

  /**
   * Queues lines. Resolves at once while the queue is under its bound, else once sends have drained it.
   * Never rejects: after `close()` or a failed send it resolves at once (the owner stops the sources).
   */
  lines(lines: readonly LogLine[]): Promise<void> {
    if (this.state.kind !== 'open') return Promise.resolve();
    for (const line of lines) {
      this.segment.push(line);
      this.held += lineBytes(line);
    }
    return this.room();
  }

  /** Queues a message (a marker…) after every line queued so far, and sends them without waiting. */
  message(message: LogStreamMessage): Promise<void> {
    if (this.state.kind !== 'open') return Promise.resolve();
    this.seal();
    const bytes = messageBytes(message);
    this.held += bytes;
    this.outbox.push({ message, bytes, seq: ++this.queuedSeq });
    this.wake();
    return this.room();
  }

  /**
   * Resolves once everything queued so far has been sent (at once after `close()`); rejects with the
   * send's error if sending failed.
   */
  flush(): Promise<void> {
    if (this.state.kind === 'failed') return Promise.reject(this.state.error);
    this.seal();
    if (this.state.kind === 'closed' || this.sentSeq >= this.queuedSeq) return Promise.resolve();
    const seq = this.queuedSeq;
    return new Promise((resolve, reject) => {
      this.sentWaiters.push({ seq, resolve, reject });
      this.wake();
    });
  }

  /** The only sender. Runs until `close()`; rejects with the error of a send that failed. */
  async run(): Promise<void> {
    try {
      while (this.state.kind === 'open') {
        await this.nextRound();
        this.seal();
        let item: Queued | undefined;
        while (this.state.kind === 'open' && (item = this.outbox.shift()) !== undefined) {
          await this.send(item.message);
          if (this.state.kind !== 'open') break;
          this.held -= item.bytes;
          this.sentSeq = item.seq;
          this.settleSent();
          if (this.held < this.options.maxPendingBytes) this.releaseRoom();
        }
      }
    } catch (err) {
      this.end({ kind: 'failed', error: err });
      throw err;
    }
  }

  /** Stops the loop and drops what is queued; waiting callers resume. Safe to call twice. */
  close(): void {
    this.end({ kind: 'closed' });
  }

  private end(state: State): void {
    if (this.state.kind !== 'open') return;
    this.state = state;
    this.segment = [];
    this.outbox.length = 0;
    this.held = 0;
    this.releaseRoom();
    for (const w of this.sentWaiters.splice(0)) {
      if (state.kind === 'failed') w.reject(state.error);
      else w.resolve();
    }
    this.wake();
  }

  private room(): Promise<void> {
    if (this.held < this.options.maxPendingBytes) return Promise.resolve();
    // Full: send now rather than at the end of the window.
    this.wake();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  private releaseRoom(): void {
    for (const resolve of this.roomWaiters.splice(0)) resolve();
  }

  private settleSent(): void {
    if (this.sentWaiters.length === 0) return;
    const still: typeof this.sentWaiters = [];
    for (const w of this.sentWaiters) {
      if (w.seq <= this.sentSeq) w.resolve();
      else still.push(w);
    }
    this.sentWaiters = still;
  }

  /** Sorts the window's lines by timestamp and moves them to the outbox as bounded messages. */
  private seal(): void {
    if (this.segment.length === 0) return;
    const sorted = this.segment.sort((a, b) => compareTimestamps(a.ts, b.ts));
    this.segment = [];
    let batch: LogLine[] = [];
    let batchBytes = 0;
    const push = () => {
      this.outbox.push({
        message: { type: 'lines', lines: batch },
        bytes: batchBytes,
        seq: ++this.queuedSeq,
      });
      batch = [];
      batchBytes = 0;
    };
    for (const line of sorted) {
      const bytes = lineBytes(line);
      if (batch.length > 0 && batchBytes + bytes > this.options.maxMessageBytes) push();
      batch.push(line);
      batchBytes += bytes;
    }
    if (batch.length > 0) push();
  }

  private nextRound(): Promise<void> {
    if (this.urgent) {
      this.urgent = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeLoop = null;
        resolve();
      };
      const timer = setTimeout(done, this.options.flushMs);
      this.wakeLoop = done;
    });
  }

  private wake(): void {
    if (this.wakeLoop) this.wakeLoop();
    else this.urgent = true;
  }
}
