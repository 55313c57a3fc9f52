// Long-lived API requests (log follows, watches) over HTTP/2: hundreds of streams share a few TLS
// connections to the API server instead of one TLS socket + HTTP parser each (a follow over HTTP/1.1
// holds a connection for as long as it lasts). Each request still carries its own identity (the
// headers: Authorization, Impersonate-*); what a connection carries is only the TLS material — the
// client certificate of the kubeconfig, or none for calls made with a person's own token — so
// connections are shared only between requests whose TLS options are identical.
//
// Flow control does the back-pressure: a stream whose reader stops reading stops taking data once its
// window (INITIAL_WINDOW_SIZE) is full, while Node hands the connection-level window back at once for
// data it has received, so one paused stream never stalls the others on its connection.
import { createHash, KeyObject } from 'node:crypto';
import http2 from 'node:http2';
import type { Readable } from 'node:stream';
import tls from 'node:tls';

/** What decides which TLS connection a request may share. */
export interface H2TlsOptions {
  host: string;
  port: number;
  servername?: string;
  ca?: tls.ConnectionOptions['ca'];
  cert?: tls.ConnectionOptions['cert'];
  key?: tls.ConnectionOptions['key'];
  pfx?: tls.ConnectionOptions['pfx'];
  passphrase?: string;
  rejectUnauthorized?: boolean;
}

export interface H2Response {
  status: number;
  /** The response body; destroy it to cancel the request (RST_STREAM). */
  body: Readable;
}

export interface H2StreamsOptions {
  /** Per-stream receive window: what a paused stream may hold in memory. */
  streamWindowBytes: number;
  /** Streams per connection before the server's own SETTINGS_MAX_CONCURRENT_STREAMS is known, and at most. */
  maxStreamsPerConnection: number;
  /** An unused connection is closed after this long. */
  idleMs: number;
}

export const DEFAULT_H2_OPTIONS: H2StreamsOptions = {
  streamWindowBytes: 64 * 1024,
  maxStreamsPerConnection: 1000,
  idleMs: 60_000,
};

/** Streams per connection until the server's SETTINGS arrive (RFC 9113 recommends servers allow ≥ 100). */
const ASSUMED_MAX_STREAMS = 100;

interface Session {
  readonly h2: http2.ClientHttp2Session;
  readonly key: string;
  active: number;
  /** GOAWAY received, closed or failed: takes no new streams. */
  done: boolean;
  idleTimer: NodeJS.Timeout | undefined;
}

/** The server does not speak HTTP/2 (ALPN chose HTTP/1.1): the caller uses HTTP/1.1 instead. */
export class NoHttp2 extends Error {}

/** Key objects have no text to hash: each object is its own identity. */
const objectIds = new WeakMap<object, number>();
let nextObjectId = 0;

function digest(value: unknown): string {
  const h = createHash('sha256');
  const add = (v: unknown) => {
    if (v === undefined || v === null) h.update('\0');
    else if (Array.isArray(v)) v.forEach(add);
    else if (typeof v === 'string' || Buffer.isBuffer(v)) h.update(v).update('\u0001');
    else if (v instanceof KeyObject) {
      if (!objectIds.has(v)) objectIds.set(v, ++nextObjectId);
      h.update(`key#${objectIds.get(v)}`);
    } else if (typeof v === 'object') h.update(JSON.stringify(v)).update('\u0001');
    else h.update(String(v)).update('\u0001');
  };
  add(value);
  return h.digest('hex');
}

/** Requests with equal keys may share a connection (same server, same TLS material). */
export function tlsKey(o: H2TlsOptions): string {
  return digest([
    o.host,
    String(o.port),
    o.servername ?? '',
    String(o.rejectUnauthorized !== false),
    digest(o.ca),
    digest(o.cert),
    digest(o.key),
    digest(o.pfx),
    o.passphrase ?? '',
  ]);
}

/**
 * Errors of an HTTP/2 stream that mean the connection (or the stream) was dropped, not that the
 * request was wrong: a follow resumes after them as after a dropped HTTP/1.1 connection.
 */
export function isDroppedHttp2(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' &&
    [
      'ERR_HTTP2_STREAM_ERROR',
      'ERR_HTTP2_SESSION_ERROR',
      'ERR_HTTP2_GOAWAY_SESSION',
      'ERR_HTTP2_STREAM_CANCEL',
      'ERR_HTTP2_INVALID_SESSION',
      'ERR_HTTP2_PING_CANCEL',
      'ERR_HTTP2_SOCKET_UNBOUND',
    ].includes(code)
  );
}

/** One cluster's HTTP/2 connections for long-lived requests. */
export class H2Streams {
  private readonly sessions = new Set<Session>();
  private readonly connecting = new Map<string, Promise<Session>>();
  /** Set once a server answered ALPN with HTTP/1.1: every later request goes the HTTP/1.1 way. */
  unsupported = false;
  private closed = false;

  constructor(private readonly opts: H2StreamsOptions = DEFAULT_H2_OPTIONS) {}

  /** Open connections and the streams each carries (for tests and metrics). */
  get connections(): { active: number; maxStreams: number }[] {
    return [...this.sessions].map((s) => ({ active: s.active, maxStreams: this.maxStreams(s) }));
  }

  private maxStreams(s: Session): number {
    const remote = s.h2.remoteSettings?.maxConcurrentStreams;
    const limit = s.h2.remoteSettings === undefined || remote === undefined ? ASSUMED_MAX_STREAMS : remote;
    return Math.max(1, Math.min(limit, this.opts.maxStreamsPerConnection));
  }

  /** A connection with room for one more stream, its count already taken; undefined if none. */
  private take(key: string): Session | undefined {
    for (const s of this.sessions) {
      if (s.key !== key || s.done || s.h2.destroyed || s.h2.closed) continue;
      if (s.active >= this.maxStreams(s)) continue;
      s.active++;
      if (s.idleTimer !== undefined) {
        clearTimeout(s.idleTimer);
        s.idleTimer = undefined;
      }
      return s;
    }
    return undefined;
  }

  private release(s: Session): void {
    s.active--;
    if (s.active > 0) return;
    if (s.done) {
      s.h2.close();
      return;
    }
    s.idleTimer = setTimeout(() => {
      s.done = true;
      s.h2.close();
    }, this.opts.idleMs);
    s.idleTimer.unref();
  }

  private async session(target: H2TlsOptions): Promise<Session> {
    const key = tlsKey(target);
    for (;;) {
      if (this.closed) throw new Error('the cluster connection is closed');
      const s = this.take(key);
      if (s) return s;
      let pending = this.connecting.get(key);
      if (!pending) {
        pending = this.connect(key, target).finally(() => this.connecting.delete(key));
        this.connecting.set(key, pending);
      }
      await pending; // then take a stream on it (or on another one, if others were quicker)
    }
  }

  private connect(key: string, target: H2TlsOptions): Promise<Session> {
    return new Promise<Session>((resolve, reject) => {
      const { host, port, ...tlsOptions } = target;
      const socket = tls.connect({ ...tlsOptions, host, port, ALPNProtocols: ['h2', 'http/1.1'] });
      socket.once('error', reject);
      socket.once('secureConnect', () => {
        if (socket.alpnProtocol !== 'h2') {
          socket.destroy();
          this.unsupported = true;
          reject(new NoHttp2(`${host}:${port} does not offer HTTP/2`));
          return;
        }
        socket.off('error', reject);
        socket.setKeepAlive(true, 30_000);
        const windowBytes = this.opts.streamWindowBytes;
        const h2 = http2.connect(`https://${host}:${port}`, {
          createConnection: () => socket,
          settings: { enablePush: false, initialWindowSize: windowBytes },
          // Room for every stream's window (Node's default of 10 MB refuses streams beyond ~150 paused ones).
          maxSessionMemory: Math.ceil((this.opts.maxStreamsPerConnection * windowBytes) / 1e6) + 16,
        });
        const session: Session = { h2, key, active: 0, done: false, idleTimer: undefined };
        const forget = () => {
          session.done = true;
          if (session.idleTimer !== undefined) clearTimeout(session.idleTimer);
          this.sessions.delete(session);
        };
        // Errors end the session; its streams see them and end (a follow then resumes).
        h2.on('error', forget);
        h2.on('goaway', () => {
          session.done = true;
        });
        h2.once('close', forget);
        h2.once('connect', () => {
          // The connection window only limits data in flight (Node returns it as data arrives): large, so
          // it is never what slows a stream down.
          h2.setLocalWindowSize(Math.max(windowBytes * 64, 16 * 1024 * 1024));
        });
        // Streams are counted against the server's limit: wait for its SETTINGS (sent first, RFC 9113).
        const ready = () => {
          if (this.closed) {
            h2.destroy();
            reject(new Error('the cluster connection is closed'));
            return;
          }
          this.sessions.add(session);
          resolve(session);
        };
        h2.once('remoteSettings', ready);
        h2.once('close', () => reject(new Error(`the HTTP/2 connection to ${host}:${port} closed`)));
      });
    });
  }

  /**
   * Sends a GET (or any bodiless request) and resolves once the response headers arrive. `headers`
   * are this request's own (identity included). Rejects with NoHttp2 when the server speaks HTTP/1.1
   * only. The body must be read or destroyed.
   */
  async request(
    target: H2TlsOptions,
    method: string,
    path: string,
    headers: Record<string, string | string[]>,
    signal?: AbortSignal,
    timeoutMs?: number,
  ): Promise<H2Response> {
    signal?.throwIfAborted();
    const session = await this.session(target);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.release(session);
    };
    let stream: http2.ClientHttp2Stream;
    try {
      signal?.throwIfAborted();
      stream = session.h2.request({ ...headers, ':method': method, ':path': path }, { endStream: true });
    } catch (err) {
      release();
      throw err;
    }
    stream.once('close', release);
    const onAbort = () => stream.close(http2.constants.NGHTTP2_CANCEL);
    signal?.addEventListener('abort', onAbort, { once: true });
    stream.once('close', () => signal?.removeEventListener('abort', onAbort));
    return new Promise<H2Response>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      if (timeoutMs) {
        timer = setTimeout(() => {
          stream.destroy(new Error(`no answer within ${timeoutMs} ms`));
        }, timeoutMs);
      }
      const fail = (err: unknown) => {
        clearTimeout(timer);
        reject(signal?.aborted ? (signal.reason ?? err) : err);
      };
      stream.once('error', fail);
      stream.once('close', () =>
        fail(
          Object.assign(new Error(`the stream closed before its response (code ${stream.rstCode})`), {
            code: 'ERR_HTTP2_STREAM_ERROR',
          }),
        ),
      );
      stream.once('response', (h) => {
        clearTimeout(timer);
        stream.off('error', fail);
        // Whoever reads the body hears its errors; none crashes the process before they listen.
        stream.on('error', () => undefined);
        resolve({ status: Number(h[':status']), body: stream });
      });
    });
  }

  close(): void {
    this.closed = true;
    for (const s of this.sessions) {
      s.done = true;
      if (s.idleTimer !== undefined) clearTimeout(s.idleTimer);
      s.h2.destroy();
    }
    this.sessions.clear();
  }
}
