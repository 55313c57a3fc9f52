// A browser WebSocket seen as a message sink with back-pressure: `send` resolves only once the
// message has been handed to the kernel, so a slow browser slows the upstream read instead of
// growing a queue. `signal` aborts when the browser goes away, cancelling upstream requests.
import type { WebSocket } from 'ws';
import { toErrorBody } from '../http/errors.js';
import { closeSocket } from './close-reason.js';

export class JsonSocket {
  private readonly controller = new AbortController();
  readonly signal = this.controller.signal;

  constructor(
    readonly ws: WebSocket,
    private readonly log: { warn(obj: unknown, msg?: string): void },
  ) {
    ws.on('close', () => this.controller.abort());
    ws.on('error', () => this.controller.abort());
  }

  get closed(): boolean {
    return this.signal.aborted;
  }

  /**
   * Resolves once the message is written to the kernel (or the browser is gone): at most one message
   * per caller waits in user space. Rejects only if the message cannot be serialised or sent at all.
   */
  send(message: unknown): Promise<void> {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return Promise.resolve();
    return this.sendText(JSON.stringify(message));
  }

  /** As `send`, for a message already encoded as a text frame (see shared/logs/wire.ts). */
  sendText(text: string): Promise<void> {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.send(text, (err) => {
        if (err) this.controller.abort();
        resolve();
      });
    });
  }

  /** Sends an error message (status + plain sentence) and closes the socket. Never rejects. */
  async fail(err: unknown): Promise<void> {
    const body = toErrorBody(err);
    // Once the browser is gone, a failure is only the abort of what it was waiting for.
    if (body.status >= 500 && !this.closed) this.log.warn({ err }, 'stream failed');
    try {
      await this.send({ type: 'error', message: body.error, status: body.status });
    } catch (sendErr) {
      this.log.warn({ err: sendErr }, 'could not send the error message');
    }
    this.close(body.status >= 500 ? 1011 : 1008, body.error);
  }

  /** Closes the socket (the reason is cut to fit a close frame); never throws. */
  close(code = 1000, reason = ''): void {
    closeSocket(this.ws, code, reason);
    this.controller.abort();
  }
}
