import { decodeUtf8 } from '../text/utf8.js';

export const DEFAULT_MAX_LINE_BYTES = 256 * 1024;

/** Appended to a line cut at the length limit, so the reader sees that text is missing. */
export function truncationNotice(maxLineBytes: number): string {
  return ` [… line cut by Podscope: longer than ${maxLineBytes} bytes]`;
}

/**
 * Turns a byte stream (the body of a log request) into complete lines.
 *
 * Splitting happens on bytes, before decoding: 0x0A never occurs inside a multi-byte UTF-8 sequence,
 * so a character split across chunks is always reassembled before it is decoded.
 *
 * A line longer than `maxLineBytes` (a binary dump, a minified bundle) is emitted at once, cut at a
 * character boundary and marked with `truncationNotice`, and the rest of it up to the next newline is
 * dropped — otherwise one endless line would buffer without bound.
 */
export class LineSplitter {
  readonly maxLineBytes: number;
  /** How many lines have been cut so far. */
  truncatedCount = 0;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private discardingRest = false;
  private readonly decode: (bytes: Uint8Array) => string;

  /**
   * `decode` lets a runtime with a native UTF-8 decoder (Node's Buffer) replace the portable one; it must
   * decode invalid sequences to U+FFFD like `decodeUtf8` does.
   */
  constructor(options: { maxLineBytes?: number; decode?: (bytes: Uint8Array) => string } = {}) {
    this.decode = options.decode ?? decodeUtf8;
    const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    if (!Number.isInteger(max) || max < 4)
      throw new RangeError('maxLineBytes must be an integer of at least 4');
    this.maxLineBytes = max;
  }

  push(chunk: Uint8Array): string[] {
    const lines: string[] = [];
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline;
      // Fast path: a whole line inside this chunk is decoded in place, without copying.
      if (
        newline !== -1 &&
        !this.discardingRest &&
        this.pendingBytes === 0 &&
        end - start <= this.maxLineBytes
      ) {
        lines.push(stripCarriageReturn(this.decode(chunk.subarray(start, end))));
        start = newline + 1;
        continue;
      }
      if (!this.discardingRest) {
        const cut = this.addToLine(chunk.subarray(start, end));
        if (cut !== null) lines.push(cut);
      }
      if (newline === -1) break;
      if (this.discardingRest) this.discardingRest = false;
      else lines.push(stripCarriageReturn(this.takeLine()));
      start = newline + 1;
    }
    return lines;
  }

  /** The last line, if the stream ended without a newline. */
  flush(): string[] {
    if (this.discardingRest) {
      this.discardingRest = false;
      return [];
    }
    return this.pendingBytes > 0 ? [stripCarriageReturn(this.takeLine())] : [];
  }

  /** Buffers part of a line; returns the cut line if this made it too long. */
  private addToLine(piece: Uint8Array): string | null {
    if (piece.length === 0) return null;
    if (this.pendingBytes + piece.length <= this.maxLineBytes) {
      // Copied: the caller may reuse its chunk buffer.
      this.pending.push(piece.slice());
      this.pendingBytes += piece.length;
      return null;
    }
    const all = concat([...this.pending, piece], this.pendingBytes + piece.length);
    this.pending = [];
    this.pendingBytes = 0;
    this.discardingRest = true;
    this.truncatedCount++;
    let cutAt = this.maxLineBytes;
    // Back off to the start of the character the limit falls inside, so no half character is decoded.
    while (cutAt > 0 && ((all[cutAt] ?? 0) & 0xc0) === 0x80) cutAt--;
    return this.decode(all.subarray(0, cutAt)) + truncationNotice(this.maxLineBytes);
  }

  private takeLine(): string {
    const bytes = concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    return this.decode(bytes);
  }
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

// Output written with CRLF endings would otherwise carry an invisible '\r' into search and JSON detection.
function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
