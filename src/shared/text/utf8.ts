/**
 * Streaming UTF-8 for code that may use neither DOM nor Node types (so neither `TextDecoder` nor
 * `Buffer`). Terminal output arrives in frames cut at arbitrary byte offsets, so a character may be
 * split across two frames: the decoder keeps the unfinished sequence until the next chunk.
 *
 * Decoding follows the WHATWG Encoding Standard's UTF-8 decoder exactly (the same output as
 * `new TextDecoder('utf-8', { ignoreBOM: true })` with `{ stream: true }`), including how invalid input
 * becomes U+FFFD: one replacement character per "maximal subpart" of an ill-formed sequence.
 */

const REPLACEMENT = 0xfffd;
/** Code units collected before they are turned into a string, bounded so `fromCharCode` stays safe. */
const FLUSH_UNITS = 4096;

export class Utf8StreamDecoder {
  private bytesNeeded = 0;
  private bytesSeen = 0;
  private codePoint = 0;
  private lowerBoundary = 0x80;
  private upperBoundary = 0xbf;

  /** True while a multi-byte sequence has started but not finished. */
  get pending(): boolean {
    return this.bytesNeeded !== 0;
  }

  /** Decodes a chunk; an incomplete sequence at its end is kept for the next call. */
  write(bytes: Uint8Array): string {
    const out = new StringBuilder();
    let i = 0;
    while (i < bytes.length) {
      const byte = bytes[i] as number;
      if (this.bytesNeeded === 0) {
        i++;
        if (byte <= 0x7f) {
          out.unit(byte);
        } else if (byte >= 0xc2 && byte <= 0xdf) {
          this.bytesNeeded = 1;
          this.codePoint = byte & 0x1f;
        } else if (byte >= 0xe0 && byte <= 0xef) {
          if (byte === 0xe0) this.lowerBoundary = 0xa0; // no overlong 3-byte forms
          if (byte === 0xed) this.upperBoundary = 0x9f; // no UTF-16 surrogates
          this.bytesNeeded = 2;
          this.codePoint = byte & 0x0f;
        } else if (byte >= 0xf0 && byte <= 0xf4) {
          if (byte === 0xf0) this.lowerBoundary = 0x90; // no overlong 4-byte forms
          if (byte === 0xf4) this.upperBoundary = 0x8f; // nothing above U+10FFFF
          this.bytesNeeded = 3;
          this.codePoint = byte & 0x07;
        } else {
          out.unit(REPLACEMENT);
        }
        continue;
      }
      if (byte < this.lowerBoundary || byte > this.upperBoundary) {
        // The sequence so far is a maximal subpart: replace it, then look at this byte afresh.
        this.reset();
        out.unit(REPLACEMENT);
        continue;
      }
      i++;
      this.lowerBoundary = 0x80;
      this.upperBoundary = 0xbf;
      this.codePoint = (this.codePoint << 6) | (byte & 0x3f);
      this.bytesSeen++;
      if (this.bytesSeen === this.bytesNeeded) {
        out.codePoint(this.codePoint);
        this.reset();
      }
    }
    return out.finish();
  }

  /** Ends the stream: an unfinished sequence becomes one U+FFFD. The decoder can then be reused. */
  end(bytes?: Uint8Array): string {
    const text = bytes ? this.write(bytes) : '';
    if (this.bytesNeeded === 0) return text;
    this.reset();
    return text + String.fromCharCode(REPLACEMENT);
  }

  private reset(): void {
    this.bytesNeeded = 0;
    this.bytesSeen = 0;
    this.codePoint = 0;
    this.lowerBoundary = 0x80;
    this.upperBoundary = 0xbf;
  }
}

/** Decodes a complete byte sequence (no state carried over). */
export function decodeUtf8(bytes: Uint8Array): string {
  return new Utf8StreamDecoder().end(bytes);
}

/**
 * Encodes a string as UTF-8. A lone surrogate (not valid Unicode) becomes U+FFFD, as `TextEncoder` does.
 */
export function encodeUtf8(text: string): Uint8Array {
  // Worst case is 3 bytes per UTF-16 code unit (a surrogate pair is 2 units → 4 bytes).
  const out = new Uint8Array(text.length * 3);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdfff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (cp <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        cp = REPLACEMENT;
      }
    }
    if (cp < 0x80) {
      out[n++] = cp;
    } else if (cp < 0x800) {
      out[n++] = 0xc0 | (cp >> 6);
      out[n++] = 0x80 | (cp & 0x3f);
    } else if (cp < 0x10000) {
      out[n++] = 0xe0 | (cp >> 12);
      out[n++] = 0x80 | ((cp >> 6) & 0x3f);
      out[n++] = 0x80 | (cp & 0x3f);
    } else {
      out[n++] = 0xf0 | (cp >> 18);
      out[n++] = 0x80 | ((cp >> 12) & 0x3f);
      out[n++] = 0x80 | ((cp >> 6) & 0x3f);
      out[n++] = 0x80 | (cp & 0x3f);
    }
  }
  return out.slice(0, n);
}

/** Collects UTF-16 code units and joins them in bounded batches. */
class StringBuilder {
  private readonly parts: string[] = [];
  private units: number[] = [];

  unit(u: number): void {
    this.units.push(u);
    if (this.units.length >= FLUSH_UNITS) this.flush();
  }

  codePoint(cp: number): void {
    if (cp < 0x10000) {
      this.unit(cp);
    } else {
      const v = cp - 0x10000;
      this.unit(0xd800 + (v >> 10));
      this.unit(0xdc00 + (v & 0x3ff));
    }
  }

  finish(): string {
    this.flush();
    return this.parts.length === 1 ? (this.parts[0] as string) : this.parts.join('');
  }

  private flush(): void {
    if (this.units.length === 0) return;
    this.parts.push(String.fromCharCode(...this.units));
    this.units = [];
  }
}
