// Every browser WebSocket the server holds, by kind: what /metrics counts (open streams, bytes each
// way) and what a shutdown closes with "reconnect". Sockets are classified by their path once, when the
// upgrade is accepted, so no route has to remember to register its streams.
import type { WebSocket } from 'ws';
import { closeSocket } from './close-reason.js';

export const STREAM_KINDS = [
  'logs',
  'merged-logs',
  'events',
  'pods',
  'terminal',
  'debug-lease',
  'other',
] as const;
export type StreamKind = (typeof STREAM_KINDS)[number];

const API = '^/api/clusters/[^/]+/namespaces/[^/]+';
const KIND_PATTERNS: [RegExp, StreamKind][] = [
  [new RegExp(`${API}/pods/[^/]+/logs/stream$`), 'logs'],
  [new RegExp(`${API}/(workloads/[^/]+/[^/]+/)?logs/stream$`), 'merged-logs'],
  [new RegExp(`${API}/events/watch$`), 'events'],
  [new RegExp(`${API}/pods/([^/]+/)?watch$`), 'pods'],
  [new RegExp(`${API}/pods/[^/]+/terminal$`), 'terminal'],
  [new RegExp(`${API}/debug-pods/[^/]+/lease$`), 'debug-lease'],
];

/** The kind of stream a WebSocket URL opens (its query ignored); 'other' for anything else. */
export function streamKind(url: string): StreamKind {
  const path = url.split('?')[0] ?? '';
  for (const [pattern, kind] of KIND_PATTERNS) if (pattern.test(path)) return kind;
  return 'other';
}

/** Told of each socket's life and traffic (the metrics). */
export interface StreamObserver {
  opened(kind: StreamKind): void;
  closed(kind: StreamKind): void;
  bytes(kind: StreamKind, direction: 'in' | 'out', count: number): void;
}

function sizeOf(data: unknown): number {
  if (typeof data === 'string') return Buffer.byteLength(data, 'utf8');
  if (Buffer.isBuffer(data) || data instanceof Uint8Array) return data.byteLength;
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (Array.isArray(data)) return data.reduce((n: number, d) => n + sizeOf(d), 0);
  return 0;
}

export class OpenStreams {
  private readonly sockets = new Map<WebSocket, StreamKind>();

  constructor(private readonly observer?: StreamObserver) {}

  /** Starts tracking an accepted socket until it closes. */
  track(ws: WebSocket, kind: StreamKind): void {
    this.sockets.set(ws, kind);
    this.observer?.opened(kind);
    ws.once('close', () => {
      if (this.sockets.delete(ws)) this.observer?.closed(kind);
    });
    if (this.observer === undefined) return;
    const observer = this.observer;
    ws.on('message', (data) => observer.bytes(kind, 'in', sizeOf(data)));
    // ws has no event for outgoing frames: count what every caller hands to send().
    const send = ws.send.bind(ws) as (...args: unknown[]) => void;
    (ws as unknown as { send: (...args: unknown[]) => void }).send = (data: unknown, ...rest: unknown[]) => {
      observer.bytes(kind, 'out', sizeOf(data));
      send(data, ...rest);
    };
  }

  count(kind?: StreamKind): number {
    if (kind === undefined) return this.sockets.size;
    let n = 0;
    for (const k of this.sockets.values()) if (k === kind) n += 1;
    return n;
  }

  /**
   * Closes every socket (of the given kinds, default all) with `code` and `reason`, and resolves once
   * their closing handshakes are over or `timeoutMs` has passed; sockets still open then are terminated.
   */
  async closeAll(
    code: number,
    reason: string,
    timeoutMs: number,
    kinds: readonly StreamKind[] = STREAM_KINDS,
  ): Promise<void> {
    const closing = [...this.sockets].filter(([, kind]) => kinds.includes(kind)).map(([ws]) => ws);
    const closed = closing.map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === ws.CLOSED) return resolve();
          ws.once('close', () => resolve());
        }),
    );
    for (const ws of closing) {
      // A paused socket (a terminal holding input) would never read the browser's close frame.
      if (ws.isPaused) ws.resume();
      closeSocket(ws, code, reason);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const result = await Promise.race([Promise.all(closed), timeout]);
    clearTimeout(timer);
    if (result === 'timeout') {
      for (const ws of closing) if (ws.readyState !== ws.CLOSED) ws.terminate();
      await Promise.all(closed); // a terminated socket says 'close' as soon as its TCP socket is gone
    }
  }
}
