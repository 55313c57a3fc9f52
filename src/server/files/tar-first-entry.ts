// Reads the first entry of a tar stream as it arrives: a download runs `tar cf - ./name` (one command
// that both says what the path is and, for a file, streams it, as `kubectl cp` does) and this finds the
// entry's type and size in its header, then hands over exactly that many bytes of content. Meta entries
// before it (GNU long names 'L'/'K', pax 'x'/'g') are skipped. Pure: bytes in, events out.

import { TAR_BLOCK } from './tar-entry.js';

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'other';

export interface TarEntryHeader {
  type: TarEntryType;
  /** Content bytes that follow the header (0 for anything but a file). */
  size: number;
}

const META_TYPES = new Set(['L', 'K', 'x', 'g']);

function entryType(flag: string): TarEntryType {
  if (flag === '0' || flag === '\0' || flag === '7') return 'file';
  if (flag === '5') return 'directory';
  if (flag === '2') return 'symlink';
  return 'other';
}

/** A numeric header field: octal digits (NUL/space padded), or GNU's base-256 (high bit set). */
export function tarNumber(field: Buffer): number {
  if (field.length > 0 && (field[0]! & 0x80) !== 0) {
    if ((field[0]! & 0x40) !== 0) throw new Error('a negative base-256 number in a tar header');
    let n = field[0]! & 0x3f;
    for (let i = 1; i < field.length; i++) {
      n = n * 256 + field[i]!;
      if (!Number.isSafeInteger(n)) throw new Error('a tar header number too large');
    }
    return n;
  }
  const text = field
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .replace(/^ +/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new Error(`not a tar header number: ${JSON.stringify(text)}`);
  return parseInt(text, 8);
}

/** Whether a 512-byte block is a header whose checksum holds (signed or unsigned sums, as tar accepts). */
export function tarChecksumOk(block: Buffer): boolean {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < TAR_BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  let stored: number;
  try {
    stored = tarNumber(block.subarray(148, 156));
  } catch {
    return false;
  }
  return stored === unsigned || stored === signed;
}

export type TarFirstEntryEvent =
  | { kind: 'header'; header: TarEntryHeader }
  | { kind: 'data'; data: Buffer }
  /** The entry's content is complete; what follows (padding, the end of the archive) is not needed. */
  | { kind: 'end' }
  /** The archive ended before any entry (busybox tar writes one when it could not read the path). */
  | { kind: 'empty' };

/**
 * Feed it the archive's bytes in order; it returns what each chunk completed. Throws on a stream that
 * is not a tar archive (bad checksum). After 'end' or 'empty', input is ignored.
 */
export class TarFirstEntryReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes of a meta entry's content still to skip. */
  private skip = 0;
  private header: TarEntryHeader | null = null;
  private remaining = 0;
  private ended = false;

  get done(): boolean {
    return this.ended;
  }

  push(chunk: Buffer): TarFirstEntryEvent[] {
    if (this.ended) return [];
    const events: TarFirstEntryEvent[] = [];
    let at = 0;
    if (this.header === null) {
      while (this.header === null) {
        if (this.skip > 0) {
          const n = Math.min(this.skip, chunk.length - at);
          this.skip -= n;
          at += n;
          if (this.skip > 0) return events;
        }
        const need = TAR_BLOCK - this.pendingBytes;
        const take = Math.min(need, chunk.length - at);
        if (take > 0) {
          this.pending.push(chunk.subarray(at, at + take));
          this.pendingBytes += take;
          at += take;
        }
        if (this.pendingBytes < TAR_BLOCK) return events;
        const block = Buffer.concat(this.pending, TAR_BLOCK);
        this.pending = [];
        this.pendingBytes = 0;
        if (block.every((b) => b === 0)) {
          this.ended = true;
          events.push({ kind: 'empty' });
          return events;
        }
        if (!tarChecksumOk(block)) throw new Error('not a tar header (its checksum does not hold)');
        const flag = String.fromCharCode(block[156]!);
        const size = tarNumber(block.subarray(124, 136));
        if (META_TYPES.has(flag)) {
          this.skip = Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
          continue;
        }
        const type = entryType(flag);
        this.header = { type, size: type === 'file' ? size : 0 };
        this.remaining = this.header.size;
        events.push({ kind: 'header', header: this.header });
      }
    }
    if (this.remaining > 0 && at < chunk.length) {
      const n = Math.min(this.remaining, chunk.length - at);
      events.push({
        kind: 'data',
        data: at === 0 && n === chunk.length ? chunk : chunk.subarray(at, at + n),
      });
      this.remaining -= n;
    }
    if (this.remaining === 0) {
      this.ended = true;
      events.push({ kind: 'end' });
    }
    return events;
  }
}
