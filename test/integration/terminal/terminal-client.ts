// A browser-like client of the terminal WebSocket: binary frames are terminal bytes, text frames JSON.
import { WebSocket } from 'ws';
import type { TerminalServerMessage } from '../../../src/server/terminal/protocol.js';
import { CLUSTER } from '../../support/podscope.js';

export function terminalUrl(
  wsUrl: string,
  namespace: string,
  pod: string,
  query: Record<string, string | string[]> = {},
): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) for (const x of [v].flat()) params.append(k, x);
  const qs = params.toString();
  return `${wsUrl}/api/clusters/${CLUSTER}/namespaces/${namespace}/pods/${pod}/terminal${qs ? `?${qs}` : ''}`;
}

/**
 * A shell prompt at the end of the output. Busybox ash asks for the cursor position after its prompt
 * (ESC [6n), which nothing here answers, and redraws the line (CR, the prompt, ESC [J) when the window
 * size arrives or the first key comes while it waits: either may end the output.
 */
export const PROMPT_AT_END = /[$#] (?:\x1b\[6n|\x1b\[J)*$/;

export class TerminalClient {
  readonly messages: TerminalServerMessage[] = [];
  private readonly chunks: Buffer[] = [];
  readonly ws: WebSocket;
  closedWith: { code: number; reason: string } | null = null;
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: (() => void)[] = [];

  constructor(url: string, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(url, { headers });
    this.ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) this.chunks.push(data);
      else this.messages.push(JSON.parse(data.toString('utf8')) as TerminalServerMessage);
      this.notify();
    });
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        this.closedWith = { code, reason: reason.toString() };
        this.notify();
        resolve(this.closedWith);
      });
    });
    this.ws.on('error', () => undefined);
  }

  /** Everything received on binary frames, as text. */
  get output(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }

  get outputBytes(): number {
    return this.chunks.reduce((n, c) => n + c.length, 0);
  }

  message<T extends TerminalServerMessage['type']>(type: T) {
    return this.messages.find((m) => m.type === type) as
      Extract<TerminalServerMessage, { type: T }> | undefined;
  }

  private notify() {
    for (const w of this.waiters.splice(0)) w();
  }

  async until(what: string, predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (this.closedWith) {
        throw new Error(
          `terminal closed (${this.closedWith.code} ${this.closedWith.reason}) before ${what}; messages ${JSON.stringify(this.messages)}; output ${JSON.stringify(this.output.slice(-500))}`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `timed out waiting for ${what}; messages ${JSON.stringify(this.messages)}; output ${JSON.stringify(this.output.slice(-500))}`,
        );
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 500));
        this.waiters.push(() => (clearTimeout(t), resolve()));
      });
    }
  }

  async ready() {
    await this.until('ready', () => this.message('ready') !== undefined);
    return this.message('ready')!;
  }

  /** Waits until the output (since `from` characters) matches. */
  async outputMatches(re: RegExp, from = 0, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    await this.until(`output matching ${re}`, () => re.test(this.output.slice(from)), timeoutMs);
    return this.output.slice(from).match(re)!;
  }

  /** Waits for the fatal error (the socket closes right after it). */
  async error() {
    let timer: ReturnType<typeof setTimeout> | undefined;
    // The timer is cleared, so a test that is done does not wait for it before its process exits.
    await Promise.race([this.closed, new Promise((r) => (timer = setTimeout(r, 60_000)))]);
    clearTimeout(timer);
    return this.message('error');
  }

  type(text: string | Buffer): void {
    this.ws.send(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, { binary: true });
  }

  control(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message), { binary: false });
  }

  close(): void {
    this.ws.close();
  }
}
