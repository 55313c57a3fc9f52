// A WebSocket that reopens itself with backoff when the network or the server drops it.
// It owns its socket and timer; stop() is idempotent, so React's double effects are harmless.

import { delayAfterClose } from './backoff.js';
import { toWebSocketUrl } from './api-paths.js';
import { announceLoginRequired, isSignedOutClose, requestSessionCheck } from '../auth/login-required.js';

export type SocketStatus =
  | { state: 'connecting' }
  | { state: 'open' }
  | { state: 'reconnecting'; attempt: number; inMs: number }
  | { state: 'closed' };

export interface ReconnectingSocketOptions {
  /** Same-origin path with query; called before every (re)connect so callers can add resume params. */
  path: (reconnect: boolean) => string;
  /** Each parsed message. Return 'finish' for a terminal message (no reconnect after it). */
  onMessage: (message: unknown) => 'finish' | void;
  /** Turns a text frame into a message (JSON.parse unless given); a frame it throws on is ignored. */
  parse?: (data: string) => unknown;
  onStatus: (status: SocketStatus) => void;
}

/** A connection that stayed open this long resets the backoff. */
const STABLE_AFTER_MS = 5_000;

export class ReconnectingSocket {
  private socket: WebSocket | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private openedAt = 0;
  private finished = false;
  private stopped = false;
  private readonly onOnline = (): void => {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
      this.connect(true);
    }
  };

  constructor(private readonly options: ReconnectingSocketOptions) {
    window.addEventListener('online', this.onOnline);
    this.connect(false);
  }

  /** Closes for good (the page left, or the parameters changed). Safe to call twice. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000, 'client left');
  }

  private connect(reconnect: boolean): void {
    if (this.stopped) return;
    this.options.onStatus({ state: 'connecting' });
    let socket: WebSocket;
    try {
      socket = new WebSocket(toWebSocketUrl(this.options.path(reconnect), window.location));
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.openedAt = Date.now();
      this.options.onStatus({ state: 'open' });
    };
    socket.onmessage = (event: MessageEvent) => {
      if (this.socket !== socket || typeof event.data !== 'string') return;
      let message: unknown;
      try {
        message = this.options.parse ? this.options.parse(event.data) : JSON.parse(event.data);
      } catch {
        return; // Not ours to interpret: not a message of this socket's protocol.
      }
      if (this.options.onMessage(message) === 'finish') this.finished = true;
    };
    socket.onclose = (event: CloseEvent) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.stopped) return;
      if (this.finished) {
        this.options.onStatus({ state: 'closed' });
        return;
      }
      // 4401: the session this stream was opened under ended. Reconnecting would only be refused: the
      // app shows the sign-in page instead (and opens its streams anew after it).
      if (isSignedOutClose(event.code)) {
        this.finished = true;
        this.options.onStatus({ state: 'closed' });
        announceLoginRequired();
        return;
      }
      // Closed before it opened: a refused upgrade, perhaps because the session ended (token login).
      if (this.openedAt === 0) requestSessionCheck();
      if (this.openedAt && Date.now() - this.openedAt > STABLE_AFTER_MS) this.attempt = 0;
      this.openedAt = 0;
      // 1012: the server is stopping on purpose (an upgrade) and said so; come back at once.
      this.scheduleReconnect(event.code);
    };
  }

  private scheduleReconnect(closeCode = 1006): void {
    const { inMs, countsAsFailure } = delayAfterClose(closeCode, this.attempt);
    if (countsAsFailure) this.attempt += 1;
    else this.attempt = 0;
    this.options.onStatus({ state: 'reconnecting', attempt: this.attempt, inMs });
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect(true);
    }, inMs);
  }
}
