/**
 * The Kubernetes exec/attach WebSocket channel protocol (`v4.channel.k8s.io`, `v5.channel.k8s.io`).
 *
 * Every binary message starts with one byte naming the channel; the rest is that channel's payload.
 * Channel 3 carries a metav1.Status as JSON when the command ends (v4+); channel 4 carries terminal
 * size as JSON; v5 adds channel 255, whose one-byte payload names a stream being closed (the client
 * half-closes stdin with `[255, 0]`). v4 has no such frame: the only way to end stdin there is to close
 * the whole socket.
 *
 * Pure functions over `Uint8Array`: the socket plumbing lives elsewhere.
 */

import { Utf8StreamDecoder, decodeUtf8, encodeUtf8 } from '../text/utf8.js';

export const EXEC_PROTOCOL_V5 = 'v5.channel.k8s.io';
export const EXEC_PROTOCOL_V4 = 'v4.channel.k8s.io';
export type ExecProtocol = typeof EXEC_PROTOCOL_V5 | typeof EXEC_PROTOCOL_V4;
/** Offered in the `Sec-WebSocket-Protocol` header, most preferred first. */
export const EXEC_PROTOCOLS: readonly ExecProtocol[] = [EXEC_PROTOCOL_V5, EXEC_PROTOCOL_V4];

export const STDIN_CHANNEL = 0;
export const STDOUT_CHANNEL = 1;
export const STDERR_CHANNEL = 2;
export const STATUS_CHANNEL = 3;
export const RESIZE_CHANNEL = 4;
export const CLOSE_CHANNEL = 255;

export type StreamChannel =
  | typeof STDIN_CHANNEL
  | typeof STDOUT_CHANNEL
  | typeof STDERR_CHANNEL
  | typeof STATUS_CHANNEL
  | typeof RESIZE_CHANNEL;
export type ExecChannel = StreamChannel | typeof CLOSE_CHANNEL;

const STREAM_CHANNEL_NAMES: Record<StreamChannel, string> = {
  [STDIN_CHANNEL]: 'stdin',
  [STDOUT_CHANNEL]: 'stdout',
  [STDERR_CHANNEL]: 'stderr',
  [STATUS_CHANNEL]: 'status',
  [RESIZE_CHANNEL]: 'resize',
};

/** Terminal sizes travel as uint16 in Kubernetes (remotecommand.TerminalSize). */
const MAX_TERMINAL_DIMENSION = 0xffff;

export type ExecProtocolErrorCode =
  | 'empty-frame'
  | 'unknown-channel'
  | 'unexpected-channel'
  | 'close-not-supported'
  | 'malformed-close'
  | 'malformed-status'
  | 'invalid-size'
  | 'unknown-protocol';

/** Something on the wire (or asked of the codec) that the protocol does not allow. */
export class ExecProtocolError extends Error {
  override readonly name = 'ExecProtocolError';
  constructor(
    readonly code: ExecProtocolErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isExecProtocol(value: string): value is ExecProtocol {
  return value === EXEC_PROTOCOL_V5 || value === EXEC_PROTOCOL_V4;
}

/** Whether the protocol has the CLOSE frame (channel 255). */
export function supportsClose(protocol: ExecProtocol): boolean {
  return protocol === EXEC_PROTOCOL_V5;
}

/** Validates the subprotocol the server picked (the `Sec-WebSocket-Protocol` response header). */
export function negotiatedProtocol(header: string | undefined | null): ExecProtocol {
  const value = (header ?? '').trim();
  if (isExecProtocol(value)) return value;
  throw new ExecProtocolError(
    'unknown-protocol',
    value === ''
      ? `the server chose no exec subprotocol (offered ${EXEC_PROTOCOLS.join(', ')})`
      : `the server chose exec subprotocol "${value}", which is not supported (offered ${EXEC_PROTOCOLS.join(', ')})`,
  );
}

function frame(channel: ExecChannel, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 1);
  out[0] = channel;
  out.set(payload, 1);
  return out;
}

/** A stdin frame: `[0, ...data]`. Strings are sent as UTF-8. */
export function encodeStdin(data: Uint8Array | string): Uint8Array {
  return frame(STDIN_CHANNEL, typeof data === 'string' ? encodeUtf8(data) : data);
}

/** A resize frame: `[4, ...'{"Width":W,"Height":H}']` (the same on v4 and v5). */
export function encodeResize(cols: number, rows: number): Uint8Array {
  for (const [name, value] of [
    ['cols', cols],
    ['rows', rows],
  ] as const) {
    if (!Number.isInteger(value) || value < 1 || value > MAX_TERMINAL_DIMENSION) {
      throw new ExecProtocolError(
        'invalid-size',
        `terminal ${name} must be a whole number from 1 to ${MAX_TERMINAL_DIMENSION}, got ${String(value)}`,
      );
    }
  }
  return frame(RESIZE_CHANNEL, encodeUtf8(JSON.stringify({ Width: cols, Height: rows })));
}

/**
 * A CLOSE frame `[255, channel]` — only v5 has it. Throws on v4, where the caller must instead close the
 * socket (which ends the whole exec) or keep stdin open.
 */
export function encodeClose(channel: StreamChannel, protocol: ExecProtocol): Uint8Array {
  if (!supportsClose(protocol)) {
    throw new ExecProtocolError(
      'close-not-supported',
      `${protocol} has no CLOSE frame; half-closing ${STREAM_CHANNEL_NAMES[channel]} needs ${EXEC_PROTOCOL_V5}`,
    );
  }
  if (!isStreamChannel(channel)) {
    throw new ExecProtocolError('unknown-channel', `cannot close unknown channel ${String(channel)}`);
  }
  return Uint8Array.of(CLOSE_CHANNEL, channel);
}

function isStreamChannel(value: number): value is StreamChannel {
  return value >= STDIN_CHANNEL && value <= RESIZE_CHANNEL && Number.isInteger(value);
}

export type DecodedFrame =
  | { channel: StreamChannel; payload: Uint8Array }
  /** A v5 CLOSE frame; `closed` is the stream that ended. */
  | { channel: typeof CLOSE_CHANNEL; payload: Uint8Array; closed: StreamChannel };

/**
 * Splits a binary message into channel and payload (a view, not a copy). Throws `ExecProtocolError` for an
 * empty message, an unknown channel, a CLOSE frame on v4, or a CLOSE frame that does not name one stream.
 */
export function decodeFrame(data: Uint8Array, protocol: ExecProtocol = EXEC_PROTOCOL_V5): DecodedFrame {
  if (data.length === 0) {
    throw new ExecProtocolError(
      'empty-frame',
      'empty exec frame: every frame must start with a channel byte',
    );
  }
  const channel = data[0] as number;
  const payload = data.subarray(1);
  if (isStreamChannel(channel)) return { channel, payload };
  if (channel === CLOSE_CHANNEL) {
    if (!supportsClose(protocol)) {
      throw new ExecProtocolError(
        'close-not-supported',
        `CLOSE frame (channel 255) is not part of ${protocol}`,
      );
    }
    const closed = payload[0];
    if (payload.length !== 1 || closed === undefined || !isStreamChannel(closed)) {
      throw new ExecProtocolError(
        'malformed-close',
        `CLOSE frame must name exactly one stream channel (0-4), got [${Array.from(payload).join(', ')}]`,
      );
    }
    return { channel, payload, closed };
  }
  throw new ExecProtocolError('unknown-channel', `unknown exec channel ${channel}`);
}

/** How the command ended, from the channel-3 metav1.Status. */
export type ExecStatus =
  | { kind: 'success' }
  | { kind: 'exit'; code: number }
  | { kind: 'failure'; message: string; reason?: string };

/**
 * Interprets the channel-3 payload: `{"status":"Success"}`, a `NonZeroExitCode` failure carrying the exit
 * code in `details.causes[{type:"ExitCode", message:"<rc>"}]`, or any other failure (e.g. the container
 * is not running, the executable was not found). Throws `ExecProtocolError` if it is not a Status object.
 */
export function parseStatus(payload: Uint8Array | string): ExecStatus {
  const text = typeof payload === 'string' ? payload : decodeUtf8(payload);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ExecProtocolError('malformed-status', `exec status is not JSON: ${truncate(text)}`);
  }
  if (!isRecord(value)) {
    throw new ExecProtocolError('malformed-status', `exec status is not a JSON object: ${truncate(text)}`);
  }
  if (value['status'] === 'Success') return { kind: 'success' };
  const reason = typeof value['reason'] === 'string' && value['reason'] !== '' ? value['reason'] : undefined;
  const message =
    typeof value['message'] === 'string' && value['message'] !== ''
      ? value['message']
      : (reason ?? 'the command failed without a message');
  if (reason === 'NonZeroExitCode') {
    const code = exitCodeFromDetails(value['details']);
    if (code !== undefined) return { kind: 'exit', code };
  }
  return reason === undefined ? { kind: 'failure', message } : { kind: 'failure', message, reason };
}

function exitCodeFromDetails(details: unknown): number | undefined {
  if (!isRecord(details) || !Array.isArray(details['causes'])) return undefined;
  for (const cause of details['causes'] as unknown[]) {
    // metav1.StatusCause serialises its Go field `Type` under the JSON key "reason"; accept "type" too.
    const type = isRecord(cause) ? (cause['reason'] ?? cause['type']) : undefined;
    if (!isRecord(cause) || type !== 'ExitCode' || typeof cause['message'] !== 'string') continue;
    const text = cause['message'].trim();
    // A number past 2^53 would be stored rounded: an exit code that cannot be kept exactly is not read.
    if (/^\d+$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function truncate(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

export type ExecEvent =
  | { type: 'output'; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'status'; status: ExecStatus }
  /** The server half-closed a stream (v5). */
  | { type: 'closed'; stream: 'stdout' | 'stderr' | 'status' };

/**
 * Turns frames from the server into text and status events. One streaming UTF-8 decoder per output
 * channel, so a character split across two frames (or interleaved with the other stream's frames) decodes
 * correctly. The status may arrive in more than one frame: its bytes are collected until they form JSON.
 */
export class ExecDemuxer {
  private readonly stdout = new Utf8StreamDecoder();
  private readonly stderr = new Utf8StreamDecoder();
  private statusBytes: Uint8Array[] = [];
  private statusSeen = false;

  constructor(readonly protocol: ExecProtocol) {}

  /** Whether the command's status has been received. */
  get finished(): boolean {
    return this.statusSeen;
  }

  /** Feeds one binary message. Throws `ExecProtocolError` for frames a server must not send. */
  push(data: Uint8Array): ExecEvent[] {
    const decoded = decodeFrame(data, this.protocol);
    switch (decoded.channel) {
      case STDOUT_CHANNEL:
        return output('stdout', this.stdout.write(decoded.payload));
      case STDERR_CHANNEL:
        return output('stderr', this.stderr.write(decoded.payload));
      case STATUS_CHANNEL:
        return this.pushStatus(decoded.payload);
      case CLOSE_CHANNEL:
        return this.close(decoded.closed);
      default:
        throw new ExecProtocolError(
          'unexpected-channel',
          `the server sent a frame on ${STREAM_CHANNEL_NAMES[decoded.channel]} (channel ${decoded.channel}), which only the client writes`,
        );
    }
  }

  /**
   * The socket closed: flushes unfinished characters (as U+FFFD) and reports a status that never became
   * valid JSON as a failure.
   */
  end(): ExecEvent[] {
    const events = [...output('stdout', this.stdout.end()), ...output('stderr', this.stderr.end())];
    if (!this.statusSeen && this.statusBytes.length > 0) {
      const text = decodeUtf8(concat(this.statusBytes));
      this.statusBytes = [];
      this.statusSeen = true;
      events.push({
        type: 'status',
        status: {
          kind: 'failure',
          message: `incomplete exec status: ${truncate(text)}`,
          reason: 'MalformedStatus',
        },
      });
    }
    return events;
  }

  private pushStatus(payload: Uint8Array): ExecEvent[] {
    if (this.statusSeen || payload.length === 0) return [];
    this.statusBytes.push(payload);
    const text = decodeUtf8(concat(this.statusBytes));
    try {
      JSON.parse(text);
    } catch {
      return []; // not complete yet
    }
    this.statusBytes = [];
    this.statusSeen = true;
    return [{ type: 'status', status: parseStatus(text) }];
  }

  private close(channel: StreamChannel): ExecEvent[] {
    switch (channel) {
      case STDOUT_CHANNEL:
        return [...output('stdout', this.stdout.end()), { type: 'closed', stream: 'stdout' }];
      case STDERR_CHANNEL:
        return [...output('stderr', this.stderr.end()), { type: 'closed', stream: 'stderr' }];
      case STATUS_CHANNEL:
        return [{ type: 'closed', stream: 'status' }];
      default:
        throw new ExecProtocolError(
          'unexpected-channel',
          `the server closed ${STREAM_CHANNEL_NAMES[channel]} (channel ${channel}), which only the client writes`,
        );
    }
  }
}

function output(stream: 'stdout' | 'stderr', text: string): ExecEvent[] {
  return text === '' ? [] : [{ type: 'output', stream, text }];
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
