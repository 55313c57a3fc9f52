// One terminal WebSocket. It owns the socket; close() is idempotent and silences the handlers, so a
// closed connection can never touch a newer session. A terminal does not reconnect on its own: the
// remote process ends with the socket, so a new connection is a new session the user asks for.

import { toWebSocketUrl } from '../common/api-paths.js';
import {
  asServerMessage,
  type TerminalClientMessage,
  type TerminalServerMessage,
} from '../../shared/terminal/api.js';

export interface TerminalConnectionHandlers {
  /** Raw terminal output; may split a UTF-8 character across calls (xterm.js reassembles it). */
  onOutput: (bytes: Uint8Array) => void;
  onMessage: (message: TerminalServerMessage) => void;
  /** The socket closed without close() having been called; wasOpen: the upgrade had succeeded. */
  onClosed: (code: number, wasOpen: boolean) => void;
}

export class TerminalConnection {
  private readonly socket: WebSocket;
  private opened = false;
  private closed = false;
  /** Input typed before the socket opened; the server itself holds input that arrives before `ready`. */
  private pending: Uint8Array[] = [];
  private pendingSize: { cols: number; rows: number } | null = null;

  constructor(
    path: string,
    private readonly handlers: TerminalConnectionHandlers,
  ) {
    this.socket = new WebSocket(toWebSocketUrl(path, window.location));
    this.socket.binaryType = 'arraybuffer';
    this.socket.onopen = () => {
      if (this.closed) return;
      this.opened = true;
      for (const frame of this.pending) this.socket.send(frame);
      this.pending = [];
      if (this.pendingSize) this.resize(this.pendingSize.cols, this.pendingSize.rows);
      this.pendingSize = null;
    };
    this.socket.onmessage = (event: MessageEvent) => {
      if (this.closed) return;
      if (event.data instanceof ArrayBuffer) {
        this.handlers.onOutput(new Uint8Array(event.data));
        return;
      }
      if (typeof event.data !== 'string') return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(event.data);
      } catch {
        return; // not a control message; the contract has none but JSON
      }
      const message = asServerMessage(parsed);
      if (message) this.handlers.onMessage(message);
    };
    this.socket.onclose = (event: CloseEvent) => {
      if (this.closed) return;
      this.closed = true;
      this.handlers.onClosed(event.code, this.opened);
    };
  }

  sendInput(frames: readonly Uint8Array[]): void {
    if (this.closed || frames.length === 0) return;
    if (!this.opened) {
      this.pending.push(...frames);
      return;
    }
    for (const frame of frames) this.socket.send(frame);
  }

  resize(cols: number, rows: number): void {
    if (this.closed) return;
    if (!this.opened) {
      this.pendingSize = { cols, rows };
      return;
    }
    const message: TerminalClientMessage = { type: 'resize', cols, rows };
    this.socket.send(JSON.stringify(message));
  }

  /** Ends the session (the server ends the process when the socket closes). Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = [];
    if (this.socket.readyState === WebSocket.CONNECTING || this.socket.readyState === WebSocket.OPEN) {
      this.socket.close(1000, 'terminal closed by the user');
    }
  }
}
