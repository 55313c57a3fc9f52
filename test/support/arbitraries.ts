// fast-check arbitraries shared by the property tests of the pure parsers (src/**/*.property.test.ts).
import fc from 'fast-check';

/** Bytes that start, continue, break or forbid UTF-8 sequences, plus the ASCII controls parsers care about. */
const INTERESTING_BYTES = [
  0x00, 0x07, 0x0a, 0x0d, 0x1b, 0x20, 0x41, 0x5b, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2,
  0xc3, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff,
];

/** Any code point as UTF-8 (surrogates excluded, as UTF-8 cannot carry them). */
const encodedCodePoint = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 1 })
  .map((s) => [...Buffer.from(s, 'utf8')]);

/** A lead byte followed by 1–3 bytes of the continuation range: overlong, surrogate, too large or fine. */
const sequenceShaped = fc
  .tuple(
    fc.constantFrom(0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xef, 0xf0, 0xf1, 0xf4, 0xf5),
    fc.array(fc.integer({ min: 0x80, max: 0xbf }), { minLength: 1, maxLength: 3 }),
  )
  .map(([lead, rest]) => [lead, ...rest]);

/**
 * Byte strings biased towards UTF-8: whole characters of every length, sequence-shaped runs, bytes that
 * begin or end sequences, invalid bytes, and random bytes, in any mix — so valid, overlong, truncated and
 * ill-formed sequences all occur.
 */
export function utf8ishBytes(maxParts = 48): fc.Arbitrary<Uint8Array> {
  return fc
    .array(
      fc.oneof(
        encodedCodePoint,
        sequenceShaped,
        fc.constantFrom(...INTERESTING_BYTES).map((b) => [b]),
        fc.integer({ min: 0, max: 255 }).map((b) => [b]),
      ),
      { maxLength: maxParts },
    )
    .map((parts) => Uint8Array.from(parts.flat()));
}

/** Any UTF-16 string, lone surrogates included (what a JS string can hold, not only valid Unicode). */
export const anyUtf16 = (maxLength = 40): fc.Arbitrary<string> =>
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)), maxLength });

/** Offsets at which to cut a sequence; taken modulo its length + 1, so any list fits any length. */
export const cutPoints = fc.array(fc.nat(), { maxLength: 8 });

/** Cuts `items` at the given offsets (sorted, modulo length + 1): empty pieces are kept, as they happen. */
export function cutAt<T extends { length: number; slice(start: number, end?: number): T }>(
  items: T,
  cuts: readonly number[],
): T[] {
  const offsets = cuts.map((c) => c % (items.length + 1)).sort((a, b) => a - b);
  const pieces: T[] = [];
  let start = 0;
  for (const offset of offsets) {
    pieces.push(items.slice(start, offset));
    start = offset;
  }
  pieces.push(items.slice(start));
  return pieces;
}

/** Cuts a string at code-point boundaries only (so no piece holds half a surrogate pair). */
export function cutCodePoints(text: string, cuts: readonly number[]): string[] {
  return cutAt([...text], cuts).map((piece) => piece.join(''));
}
