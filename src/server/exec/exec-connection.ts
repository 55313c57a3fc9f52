// One `pods/exec` call over WebSocket (v5.channel.k8s.io, falling back to v4), as raw byte streams.
// Shared by the terminal (TTY, interactive) and file transfer (no TTY, binary stdout).
import { WebSocket } from 'ws';
import {
  CLOSE_CHANNEL,
  EXEC_PROTOCOLS,
  STATUS_CHANNEL,
  STDERR_CHANNEL,
  STDOUT_CHANNEL,
  decodeFrame,
  encodeClose,
  encodeResize,
  encodeStdin,
  negotiatedProtocol,
  parseStatus,
  supportsClose,
  type ExecProtocol,
  type ExecStatus,
} from '../../shared/exec/channel.js';
import { KubeApiError, PodscopeError, unreachable } from '../http/errors.js';
import { buildQuery, reportKubeRequest, type KubeClient } from '../kube/kube-client.js';
import { podPath } from '../kube/pods.js';
import { closeSocket } from '../ws/close-reason.js';

export interface ExecRequest {
  namespace: string;
  pod: string;
  container: string;
  /** argv — never a shell string built from user input. */
  command: string[];
  stdin: boolean;
  tty: boolean;
}

export interface ExecHandlers {
  stdout(data: Buffer): void;
  stderr(data: Buffer): void;
  /** Called once: the command's status, or a failure if the connection ended without one. */
  exit(status: ExecStatus): void;
}

export class ExecConnection {
  private exited = false;

  constructor(
    private readonly ws: WebSocket,
    readonly protocol: ExecProtocol,
    private readonly handlers: ExecHandlers,
  ) {
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) return;
      let frame;
      try {
        frame = decodeFrame(data, protocol);
      } catch (err) {
        this.finish({ kind: 'failure', message: (err as Error).message, reason: 'ProtocolError' });
        ws.terminate();
        return;
      }
      // A view of the message's bytes, not a copy: ws hands each message over once and keeps no reference.
      if (frame.channel === STDOUT_CHANNEL) handlers.stdout(asBuffer(frame.payload));
      else if (frame.channel === STDERR_CHANNEL) handlers.stderr(asBuffer(frame.payload));
      else if (frame.channel === STATUS_CHANNEL && frame.payload.length > 0) {
        try {
          this.finish(parseStatus(frame.payload));
        } catch (err) {
          this.finish({ kind: 'failure', message: (err as Error).message, reason: 'ProtocolError' });
        }
      }
    });
    ws.on('close', () =>
      this.finish({
        kind: 'failure',
        message: 'the connection to the container closed without an exit status',
        reason: 'ConnectionClosed',
      }),
    );
    ws.on('error', (err) =>
      this.finish({ kind: 'failure', message: err.message, reason: 'ConnectionError' }),
    );
  }

  private finish(status: ExecStatus): void {
    if (this.exited) return;
    this.exited = true;
    this.handlers.exit(status);
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends stdin; resolves once handed to the kernel (back-pressure towards the browser). */
  write(data: Uint8Array | string): Promise<void> {
    return this.sendFrame(encodeStdin(data));
  }

  /**
   * Sends stdin for a bulk transfer: resolves at once while at most `window` bytes wait to be written
   * to the socket, else once this frame is written — back-pressure without a round of waiting on every
   * chunk (which `write` does, and which kept uploads far below the link's speed).
   */
  writeStreaming(data: Uint8Array, window: number): Promise<void> {
    if (!this.open) return Promise.resolve();
    const written = new Promise<void>((resolve) =>
      this.ws.send(encodeStdin(data), { binary: true }, () => resolve()),
    );
    return this.ws.bufferedAmount > window ? written : Promise.resolve();
  }

  resize(cols: number, rows: number): Promise<void> {
    return this.sendFrame(encodeResize(cols, rows));
  }

  /** Half-closes stdin (v5); on v4 there is no such frame, so the caller must close the socket. */
  async closeStdin(): Promise<boolean> {
    if (!supportsClose(this.protocol)) return false;
    await this.sendFrame(encodeClose(0, this.protocol));
    return true;
  }

  private sendFrame(frame: Uint8Array): Promise<void> {
    if (!this.open) return Promise.resolve();
    return new Promise((resolve) => this.ws.send(frame, { binary: true }, () => resolve()));
  }

  /** Stops reading from the container until resume() (browser is slow). */
  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }

  /** Ends the session. Closing the exec socket makes the kubelet kill the process it started. */
  close(): void {
    closeSocket(this.ws, 1000);
    setTimeout(() => this.ws.terminate(), 2000).unref();
  }
}

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * Opens the exec WebSocket; an HTTP error from the upgrade becomes a KubeApiError. `protocols`: what
 * to offer, best first (every supported API server picks v5; offering only v4 exercises the fallback).
 */
export async function openExec(
  client: KubeClient,
  req: ExecRequest,
  handlers: ExecHandlers,
  protocols: readonly ExecProtocol[] = EXEC_PROTOCOLS,
): Promise<ExecConnection> {
  const query = buildQuery({
    container: req.container,
    command: req.command,
    stdin: req.stdin,
    stdout: true,
    stderr: !req.tty,
    tty: req.tty,
  });
  const path = `${podPath(req.namespace, req.pod)}/exec${query}`;
  const opts = await client.requestOptions(path);
  const url = new URL(client.cluster.server);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const target = `${url.origin}${opts.path}`;
  const { agent: _agent, ...tls } = opts;
  // No Accept header: the upgrade answers with a stream, not a representation, and from 1.37 the API
  // server answers "406 Not Acceptable" to an exec upgrade that asks for application/json.
  const { Accept: _accept, ...headers } = opts.headers as Record<string, string>;
  const ws = new WebSocket(target, [...protocols], {
    ...(tls as object),
    headers,
    perMessageDeflate: false,
    handshakeTimeout: 30_000,
  });
  const started = performance.now();
  let reported = false;
  // Once: the upgrade's answer (a later error on the open stream is the session's, not the request's).
  const report = (status: number | null): void => {
    if (reported) return;
    reported = true;
    reportKubeRequest({
      method: 'POST',
      path: `${podPath(req.namespace, req.pod)}/exec`,
      query: {},
      status,
      seconds: (performance.now() - started) / 1000,
    });
  };
  return new Promise<ExecConnection>((resolve, reject) => {
    ws.once('upgrade', (res) => {
      report(res.statusCode ?? 101);
      const protocol = negotiatedProtocol(res.headers['sec-websocket-protocol'] as string | undefined);
      resolve(new ExecConnection(ws, protocol, handlers));
    });
    // A refused upgrade is an ordinary keep-alive response: with this listener, ws leaves its request to
    // us, so it is destroyed once read — otherwise each refusal held a connection to the API server until
    // the server dropped it (about 90 s), a pile-up anyone with a refused account could cause.
    ws.once('unexpected-response', (clientRequest, res) => {
      // Taken now: once the response has been read, the request lets go of its socket (and leaves it open).
      const socket = clientRequest.socket;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        report(res.statusCode ?? null);
        const text = Buffer.concat(chunks).toString('utf8');
        let message = text;
        let reason: string | null = null;
        try {
          const s = JSON.parse(text) as { message?: string; reason?: string };
          message = s.message ?? text;
          reason = s.reason ?? null;
        } catch {
          // not a Status
        }
        const status = res.statusCode ?? 500;
        ws.on('error', () => {}); // the handshake is over; nothing more is reported for it
        socket?.destroy();
        reject(new KubeApiError(status, explainUpgradeRefusal(status, message, req.namespace), reason));
      });
    });
    ws.once('error', (err) => {
      report(null);
      reject(err instanceof PodscopeError ? err : unreachable(client.cluster.server, err));
    });
  });
}

/**
 * From 1.35 the API server checks `create` on pods/exec for a WebSocket upgrade, and when that check
 * fails its message stops after "is forbidden: " (no user, verb or resource; measured on 1.35–1.37).
 * Say what is missing, as kubectl's SPDY path would.
 */
export function explainUpgradeRefusal(status: number, message: string, namespace: string): string {
  if (status !== 403 || !/is forbidden:\s*$/.test(message)) return message;
  return `${message.trimEnd()} your account may not create "pods/exec" in namespace "${namespace}" (from Kubernetes 1.35 a WebSocket exec needs the "create" verb on pods/exec, not only "get")`;
}

/** Runs a command without a TTY and collects its output (for small outputs: probes, listings). */
export async function execCollect(
  client: KubeClient,
  req: Omit<ExecRequest, 'tty' | 'stdin'>,
  opts: { maxBytes?: number; timeoutMs?: number } = {},
): Promise<{ stdout: Buffer; stderr: Buffer; status: ExecStatus }> {
  const max = opts.maxBytes ?? 4 * 1024 * 1024;
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let size = 0;
  let conn: ExecConnection | undefined;
  const status = await new Promise<ExecStatus>((resolve, reject) => {
    const timer = setTimeout(() => {
      conn?.close();
      resolve({
        kind: 'failure',
        message: `no answer within ${opts.timeoutMs ?? 30_000} ms`,
        reason: 'Timeout',
      });
    }, opts.timeoutMs ?? 30_000);
    const keep = (into: Buffer[]) => (d: Buffer) => {
      size += d.length;
      if (size <= max) into.push(d);
      else conn?.close();
    };
    openExec(
      client,
      { ...req, stdin: false, tty: false },
      {
        stdout: keep(out),
        stderr: keep(err),
        exit: (s) => {
          clearTimeout(timer);
          resolve(s);
        },
      },
    ).then(
      (c) => (conn = c),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });
  conn?.close();
  return { stdout: Buffer.concat(out), stderr: Buffer.concat(err), status };
}

export { CLOSE_CHANNEL };
