/**
 * Session recording in asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/): a JSON header
 * line, then one `[seconds, code, data]` line per event — "o" output, "i" input, "r" resize ("WxH").
 *
 * Durability: events are buffered in memory and appended to the sink (a file, or the audit store's
 * recording) at least every `flushIntervalMs` (default 250 ms) — once written, they survive a SIGKILL of
 * Podscope (in the kernel's page cache; committed in PostgreSQL). The sink's `sync` (fsync; a WAL flush:
 * surviving a machine crash) runs once per `syncIntervalMs` (default 1 s) when something new was written, and
 * at close. So a killed process loses at most the events of its last flush interval.
 *
 * Output and input are decoded as UTF-8 each with its own streaming decoder (the platform's WHATWG
 * `TextDecoder`: native, where a decoder in JavaScript cost more CPU than the rest of a terminal's output
 * path), so a character cut across chunks is written whole and the file is always valid UTF-8 (invalid
 * bytes become U+FFFD). A caller that decodes the output anyway passes text instead.
 *
 * Size cap (`maxBytes`): the event that would take the file past the cap is not written; a marker event
 * (`"m"`, which asciinema's player shows as a marker) saying why the recording ends is written instead,
 * `onLimit` is called once, and every later event is dropped. Room for the marker is kept, so the file
 * never exceeds the cap — unless the cap is smaller than the header and the marker themselves.
 */

import { open, readFile } from 'node:fs/promises';
import { TextDecoder } from 'node:util';
import type { RecordingSink } from '../../audit/audit-store.js';
import { PRIVATE_FILE_MODE } from '../../audit/data-dir.js';
import { fileRecordingSink } from '../../audit/file-recordings.js';

/** Where the writer's bytes go: a file, or the audit store's recording (AuditStore.createRecording). */
export type { RecordingSink };

export interface AsciicastHeader {
  version: 2;
  width: number;
  height: number;
  /** Unix time (seconds) of the start. */
  timestamp: number;
  env?: { TERM?: string; SHELL?: string };
  title?: string;
}

/** Output, input, resize, and a marker (a label on the timeline). */
export type AsciicastEventCode = 'o' | 'i' | 'r' | 'm';
export type AsciicastEvent = [time: number, code: AsciicastEventCode, data: string];

export interface AsciicastWriterOptions {
  width: number;
  height: number;
  startedAt: Date;
  /** The shell or command run, for the header's env.SHELL. */
  shell?: string;
  title?: string;
  /** Milliseconds on a monotonic clock; defaults to performance.now(). */
  now?: () => number;
  flushIntervalMs?: number;
  syncIntervalMs?: number;
  /** Buffered bytes that trigger a flush before the timer does (bounds memory). */
  maxBufferBytes?: number;
  /** Called once when writing fails; later events are dropped and close() rejects with the error. */
  onError?: (error: Error) => void;
  /** Size cap of the file in bytes (see above); none when absent. */
  maxBytes?: number;
  /** Called once when the cap is reached and the recording stops. */
  onLimit?: (info: { maxBytes: number; seconds: number }) => void;
}

/** The marker that ends a recording stopped by its size cap. */
export function limitMarkerText(maxBytes: number): string {
  return `Recording stopped: it reached its size limit of ${maxBytes} bytes. The session went on unrecorded.`;
}

const TERM = 'xterm-256color';
const STREAM = { stream: true } as const;

/**
 * A streaming UTF-8 decoder as the recording needs it: invalid bytes become U+FFFD, a BOM is kept as
 * text, an unfinished character waits for the next chunk (and becomes U+FFFD at the final `decode()`).
 */
export function utf8Decoder(): TextDecoder {
  return new TextDecoder('utf-8', { ignoreBOM: true });
}
const MARKER_TIME_CHARS = 17;

export class AsciicastWriter {
  private readonly output = utf8Decoder();
  private readonly input = utf8Decoder();
  private readonly now: () => number;
  private readonly start: number;
  private readonly syncIntervalMs: number;
  private readonly maxBufferBytes: number;
  private readonly timer: ReturnType<typeof setInterval>;
  private buffer: string[] = [];
  private bufferedLength = 0;
  /** Bytes handed to the sink (or waiting for the write before them) whose write has not finished. */
  private writing = 0;
  private lastTime = 0;
  private lastSync: number;
  private unsynced = false;
  /** Serialises writes: each flush waits for the one before. */
  private chain: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private closing: Promise<void> | undefined;
  /** Bytes of the lines accepted so far, header included: the file's size once flushed. */
  private bytes = 0;
  /** Kept free for the marker line, so it fits under the cap. */
  private readonly markerReserve: number;
  private stoppedAt: number | undefined;

  /**
   * Creates the file (refusing to overwrite an existing recording), writes the header and syncs it, so a
   * recording exists on disk before the session's stream opens.
   */
  static async create(path: string, options: AsciicastWriterOptions): Promise<AsciicastWriter> {
    // Only the owner may read a recording: it holds everything the session showed.
    const handle = await open(path, 'ax', PRIVATE_FILE_MODE);
    return AsciicastWriter.start(fileRecordingSink(handle), options);
  }

  /**
   * Writes the header to an empty sink and syncs it, so the recording exists durably before the session's
   * stream opens. On failure the sink is closed.
   */
  static async start(sink: RecordingSink, options: AsciicastWriterOptions): Promise<AsciicastWriter> {
    let writer: AsciicastWriter;
    try {
      writer = new AsciicastWriter(sink, options);
    } catch (error) {
      await sink.close().catch(() => undefined);
      throw error;
    }
    try {
      await writer.flush(true);
    } catch (error) {
      await writer.close().catch(() => undefined);
      throw error;
    }
    return writer;
  }

  constructor(
    private readonly sink: RecordingSink,
    private readonly options: AsciicastWriterOptions,
  ) {
    for (const [name, value] of [
      ['width', options.width],
      ['height', options.height],
    ] as const) {
      if (!Number.isInteger(value) || value < 1)
        throw new RangeError(`recording ${name} must be a positive integer`);
    }
    this.now = options.now ?? (() => performance.now());
    this.start = this.now();
    this.lastSync = this.start;
    this.syncIntervalMs = options.syncIntervalMs ?? 1000;
    this.maxBufferBytes = options.maxBufferBytes ?? 64 * 1024;
    if (options.maxBytes !== undefined && (!Number.isSafeInteger(options.maxBytes) || options.maxBytes < 1)) {
      throw new RangeError('recording maxBytes must be a positive integer');
    }
    // The marker's time is written like any event's: room for 17 characters where "0" stands (10 digits
    // and 6 decimals, 300 years).
    this.markerReserve =
      options.maxBytes === undefined ? 0 : lineBytes(markerLine(0, options.maxBytes)) - 1 + MARKER_TIME_CHARS;
    this.push(JSON.stringify(header(options)));
    this.timer = setInterval(() => void this.flush().catch(() => undefined), options.flushIntervalMs ?? 250);
    this.timer.unref();
  }

  /**
   * Roughly what the recording holds in memory: events not yet written to the sink, in bytes. A sink
   * slower than the session's output makes it grow; the caller stops reading the session while it is
   * high and waits for `flush()` (see TerminalSession).
   */
  get backlogBytes(): number {
    return this.bufferedLength + this.writing;
  }

  /** Whether the size cap stopped the recording. */
  get limitReached(): boolean {
    return this.stoppedAt !== undefined;
  }

  /** Terminal output (stdout and stderr as the user saw them). */
  recordOutput(data: Uint8Array | string): void {
    if (this.stoppedAt !== undefined) return;
    this.event('o', typeof data === 'string' ? data : this.output.decode(data, STREAM));
  }

  /** What the user typed or pasted (stdin). */
  recordInput(data: Uint8Array | string): void {
    if (this.stoppedAt !== undefined) return;
    this.event('i', typeof data === 'string' ? data : this.input.decode(data, STREAM));
  }

  recordResize(cols: number, rows: number): void {
    this.event('r', `${cols}x${rows}`);
  }

  /**
   * Appends buffered events to the file, and fsyncs if `sync` is set or the last fsync is at least
   * `syncIntervalMs` old. Called by the timer; callable directly.
   */
  flush(sync = false): Promise<void> {
    const text = this.buffer.join('');
    this.buffer = [];
    this.bufferedLength = 0;
    const now = this.now();
    const dueForSync = sync || (now - this.lastSync >= this.syncIntervalMs && (this.unsynced || text !== ''));
    if (text !== '') this.unsynced = true;
    if (dueForSync) {
      this.lastSync = now;
      this.unsynced = false;
    }
    const data = Buffer.from(text, 'utf8');
    this.writing += data.length;
    // A failed write fails every later flush too (this.failure), so the chain's own failure is not needed.
    this.chain = this.chain
      .catch(() => undefined)
      .then(async () => {
        try {
          if (this.failure) throw this.failure;
          if (data.length > 0) await this.sink.write(data);
          if (dueForSync) await this.sink.sync();
        } catch (error) {
          this.fail(error);
          throw this.failure ?? error;
        } finally {
          this.writing -= data.length;
        }
      });
    return this.chain;
  }

  /** Writes what is left (unfinished characters as U+FFFD), fsyncs and closes. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.timer);
      this.event('o', this.output.decode());
      this.event('i', this.input.decode());
      try {
        await this.flush(true);
      } finally {
        await this.sink.close();
      }
    })();
    return this.closing;
  }

  private event(code: AsciicastEventCode, data: string): void {
    if (data === '' || this.closing !== undefined || this.failure !== undefined) return;
    if (this.stoppedAt !== undefined) return;
    // Monotonic, in seconds with microsecond precision as asciinema writes them.
    const time = Math.max(this.lastTime, Math.round((this.now() - this.start) * 1000) / 1e6);
    this.lastTime = time;
    const line = JSON.stringify([time, code, data]);
    const max = this.options.maxBytes;
    if (max !== undefined && this.bytes + lineBytes(line) + this.markerReserve > max) {
      this.stop(time, max);
      return;
    }
    this.push(line);
    if (this.bufferedLength >= this.maxBufferBytes) void this.flush().catch(() => undefined);
  }

  /** The cap is reached: the marker goes in, nothing after it, and the caller hears of it once. */
  private stop(time: number, maxBytes: number): void {
    this.stoppedAt = time;
    this.push(markerLine(time, maxBytes));
    void this.flush().catch(() => undefined);
    this.options.onLimit?.({ maxBytes, seconds: time });
  }

  private push(line: string): void {
    this.buffer.push(line, '\n');
    this.bufferedLength += line.length + 1;
    this.bytes += lineBytes(line);
  }

  private fail(error: unknown): void {
    if (this.failure) return;
    this.failure = error instanceof Error ? error : new Error(String(error));
    clearInterval(this.timer);
    this.options.onError?.(this.failure);
  }
}

function markerLine(time: number, maxBytes: number): string {
  return JSON.stringify([time, 'm', limitMarkerText(maxBytes)]);
}

/** Bytes a line takes in the file, its newline included (JSON.stringify leaves no lone surrogate). */
function lineBytes(line: string): number {
  return Buffer.byteLength(line, 'utf8') + 1;
}

function header(options: AsciicastWriterOptions): AsciicastHeader {
  const env: AsciicastHeader['env'] = { TERM };
  if (options.shell !== undefined) env.SHELL = options.shell;
  const h: AsciicastHeader = {
    version: 2,
    width: options.width,
    height: options.height,
    timestamp: Math.floor(options.startedAt.getTime() / 1000),
    env,
  };
  if (options.title !== undefined) h.title = options.title;
  return h;
}

export interface Asciicast {
  header: AsciicastHeader;
  events: AsciicastEvent[];
  /** The last line was cut off (the writer was killed mid-write) and was ignored. */
  truncated: boolean;
}

/**
 * Reads a recording. A final line without its newline that does not parse is taken as cut off by a
 * crash and ignored; any other malformed line is an error naming its line number.
 */
export async function readAsciicast(path: string): Promise<Asciicast> {
  return parseAsciicast(await readFile(path, 'utf8'));
}

export function parseAsciicast(text: string): Asciicast {
  const lines = text.split('\n');
  const complete = text.endsWith('\n');
  if (complete) lines.pop();
  let truncated = false;
  const parsed: unknown[] = [];
  for (const [index, line] of lines.entries()) {
    const last = index === lines.length - 1;
    try {
      parsed.push(JSON.parse(line));
    } catch (error) {
      if (last && !complete && index > 0) {
        truncated = true;
        break;
      }
      throw new Error(`asciicast line ${index + 1} is not JSON: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  const [first, ...rest] = parsed;
  if (!isHeader(first)) throw new Error('asciicast line 1 is not an asciicast v2 header');
  const events = rest.map((value, i) => {
    if (!isEvent(value)) throw new Error(`asciicast line ${i + 2} is not a [time, code, data] event`);
    return value;
  });
  return { header: first, events, truncated };
}

function isHeader(value: unknown): value is AsciicastHeader {
  if (typeof value !== 'object' || value === null) return false;
  const h = value as Record<string, unknown>;
  return h['version'] === 2 && typeof h['width'] === 'number' && typeof h['height'] === 'number';
}

function isEvent(value: unknown): value is AsciicastEvent {
  return (
    Array.isArray(value) &&
    value.length === 3 &&
    typeof value[0] === 'number' &&
    (value[1] === 'o' || value[1] === 'i' || value[1] === 'r' || value[1] === 'm') &&
    typeof value[2] === 'string'
  );
}
