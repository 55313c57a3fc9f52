// One open log view: owns the reconnecting socket, the per-frame batching and the LogStore.
// stop() is idempotent. A dropped stream is reopened from the last line shown (`sinceTime`), and the
// store's resume trackers drop the lines the server sends again at that boundary.

import type { LogStreamMessage } from '../../shared/api.js';
import { decodeLogStreamMessage } from '../../shared/logs/wire.js';
import { ReconnectingSocket, type SocketStatus } from '../common/reconnecting-socket.js';
import { isTerminalMessage, LogStore } from './log-store.js';

export interface LogSessionOptions {
  initialPath: string;
  resumePath: (sinceTime: string) => string;
}

/** A hidden tab gets no animation frames: above this many waiting lines, apply them at once. */
const MAX_PENDING_LINES = 20_000;

/**
 * The virtualiser re-measures all rows when the row count changes, which costs O(rows). With a very
 * large buffer, re-render a little less often than every frame so scrolling stays smooth.
 */
function minFlushIntervalMs(rows: number): number {
  if (rows < 100_000) return 0;
  if (rows < 500_000) return 100;
  return 250;
}

function isLogStreamMessage(value: unknown): value is LogStreamMessage {
  return (
    typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string'
  );
}

export class LogSession {
  readonly store = new LogStore();
  status: SocketStatus = { state: 'connecting' };

  private readonly listeners = new Set<() => void>();
  private readonly socket: ReconnectingSocket;
  private pending: LogStreamMessage[] = [];
  private pendingLines = 0;
  private frame: number | null = null;
  private lastFlush = 0;
  private stopped = false;

  constructor(options: LogSessionOptions) {
    this.socket = new ReconnectingSocket({
      path: (reconnect) => {
        if (!reconnect) return options.initialPath;
        this.flush(); // The trackers must have seen every line before they pick the resume point.
        const since = this.store.beginResume();
        return since === null ? options.initialPath : options.resumePath(since);
      },
      parse: decodeLogStreamMessage,
      onMessage: (message) => {
        if (!isLogStreamMessage(message)) return;
        this.pending.push(message);
        if (message.type === 'lines') this.pendingLines += message.lines.length;
        if (this.pendingLines > MAX_PENDING_LINES && document.hidden) this.flush();
        else this.scheduleFlush();
        return isTerminalMessage(message) ? 'finish' : undefined;
      },
      onStatus: (status) => {
        this.status = status;
        this.notify();
      },
    });
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** A number that changes whenever anything shown changed (for useSyncExternalStore). */
  getSnapshot = (): number => this.store.version;

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.socket.stop();
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.frame = null;
    this.listeners.clear();
  }

  /** Applies a change made outside the stream (search, filter) and re-renders. */
  changed(): void {
    this.notify();
  }

  private scheduleFlush(): void {
    if (this.frame !== null || this.stopped) return;
    this.frame = requestAnimationFrame(this.onFrame);
  }

  private readonly onFrame = (now: number): void => {
    this.frame = null;
    if (now - this.lastFlush < minFlushIntervalMs(this.store.viewLength)) {
      this.scheduleFlush();
      return;
    }
    this.lastFlush = now;
    this.flush();
  };

  private flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingLines = 0;
    this.store.ingest(batch);
    this.notify();
  }

  private notify(): void {
    // The status is part of what is shown; bump the version so React sees a new snapshot.
    this.store.version++;
    for (const listener of this.listeners) listener();
  }
}
