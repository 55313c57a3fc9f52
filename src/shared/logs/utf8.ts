// A UTF-8 decoder for code that may use neither DOM nor Node types (TextDecoder is declared by both,
// but by neither lib ES2022 alone). It follows the WHATWG decoder: each maximal invalid subsequence
// becomes one U+FFFD, so logs with stray binary bytes still render.

const REPLACEMENT = 0xfffd;
const FLUSH_EVERY = 8192;

export function decodeUtf8(bytes: Uint8Array): string {
  let out = '';
  const units: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i]!;
    if (b0 < 0x80) {
      units.push(b0);
      i += 1;
    } else {
      const [codePoint, length] = decodeMultiByte(bytes, i, b0);
      if (codePoint > 0xffff) {
        const v = codePoint - 0x10000;
        units.push(0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff));
      } else {
        units.push(codePoint);
      }
      i += length;
    }
    if (units.length >= FLUSH_EVERY) {
      out += String.fromCharCode(...units);
      units.length = 0;
    }
  }
  return out + String.fromCharCode(...units);
}

/** Returns [code point, bytes consumed]; an invalid sequence consumes only its valid prefix. */
function decodeMultiByte(bytes: Uint8Array, start: number, b0: number): [number, number] {
  let needed: number;
  let codePoint: number;
  let lower = 0x80;
  let upper = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    needed = 1;
    codePoint = b0 & 0x1f;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    needed = 2;
    codePoint = b0 & 0x0f;
    if (b0 === 0xe0) lower = 0xa0; // overlong
    if (b0 === 0xed) upper = 0x9f; // surrogates
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    needed = 3;
    codePoint = b0 & 0x07;
    if (b0 === 0xf0) lower = 0x90; // overlong
    if (b0 === 0xf4) upper = 0x8f; // beyond U+10FFFF
  } else {
    return [REPLACEMENT, 1];
  }
  let i = start + 1;
  for (let k = 0; k < needed; k++, i++) {
    const b = bytes[i];
    if (b === undefined || b < lower || b > upper) return [REPLACEMENT, i - start];
    codePoint = (codePoint << 6) | (b & 0x3f);
    lower = 0x80;
    upper = 0xbf;
  }
  return [codePoint, needed + 1];
}

/** UTF-8 encoding, the inverse of decodeUtf8 (lone surrogates become U+FFFD). */
export function encodeUtf8(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    let cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) cp = REPLACEMENT;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else
      out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return Uint8Array.from(out);
}
