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
    // The line begun in an earlier chunk (or being dropped past the limit) goes the careful way.
    if (this.pendingBytes > 0 || this.discardingRest) start = this.continueLine(chunk, lines);
    const last = chunk.lastIndexOf(0x0a);
    if (last >= start) {
      if (last - start <= this.maxLineBytes) {
        // Fast path: no line in here can be over the limit, so the whole run of complete lines is decoded
        // at once, in place, and split on '\n' (the decoder never takes 0x0A into a character: invalid
        // sequences end before it, so this is exactly the lines decoded one by one).
        const text = this.decode(chunk.subarray(start, last));
        const parts = text.split('\n');
        if (text.includes('\r')) for (const part of parts) lines.push(stripCarriageReturn(part));
        else for (const part of parts) lines.push(part);
      } else {
        for (let newline = chunk.indexOf(0x0a, start); newline !== -1 && newline <= last;) {
          if (newline - start <= this.maxLineBytes) {
            lines.push(stripCarriageReturn(this.decode(chunk.subarray(start, newline))));
          } else {
            lines.push(this.addToLine(chunk.subarray(start, newline))!);
            this.discardingRest = false;
          }
          start = newline + 1;
          newline = chunk.indexOf(0x0a, start);
        }
      }
      start = last + 1;
    }
    if (start < chunk.length && !this.discardingRest) {
      const cut = this.addToLine(chunk.subarray(start));
      if (cut !== null) lines.push(cut);
    }
    return lines;
  }

  /**
   * Feeds the start of `chunk` to the pending (or discarded) line, up to and including its newline:
   * pushes the line if it ends here and returns where the rest of the chunk starts.
   */
  private continueLine(chunk: Uint8Array, lines: string[]): number {
    const newline = chunk.indexOf(0x0a);
    const end = newline === -1 ? chunk.length : newline;
    if (!this.discardingRest) {
      const cut = this.addToLine(chunk.subarray(0, end));
      if (cut !== null) lines.push(cut);
    }
    if (newline === -1) return chunk.length;
    if (this.discardingRest) this.discardingRest = false;
    else lines.push(stripCarriageReturn(this.takeLine()));
    return newline + 1;
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
