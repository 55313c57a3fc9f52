// A one-file ustar archive, built around a stream of bytes: the 512-byte header, then the file's bytes
// as they arrive, then zeros to a whole block and the two zero blocks that end an archive. What
// `kubectl cp` sends to `tar xf -`, so an upload needs no command that echoes the data back. Only the
// header is built here (no file content is ever copied or parsed); GNU tar and busybox tar read it.

export const TAR_BLOCK = 512;

/** The largest size the 11 octal digits of a ustar header hold (8 GiB − 1). */
export const TAR_MAX_SIZE = 0o77777777777;

/** The longest name the header's name field holds, in UTF-8 bytes. */
export const TAR_MAX_NAME_BYTES = 100;

export interface TarFileEntry {
  /** A plain file name: no '/', no NUL, at most 100 UTF-8 bytes. */
  name: string;
  size: number;
  /** Permission bits, e.g. 0o644. */
  mode: number;
  /** Modification time, whole seconds since the epoch. */
  mtime: number;
}

function octal(value: number, width: number): string {
  // `width` digits (zero-padded) then a NUL, as GNU tar writes them.
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** Whether `name` can be the name of an entry this module writes (a why when not). */
export function tarNameProblem(name: string): string | null {
  if (name === '' || name === '.' || name === '..') return 'an empty or dot name';
  if (name.includes('/') || name.includes('\0')) return "a '/' or NUL in the name";
  if (Buffer.byteLength(name, 'utf8') > TAR_MAX_NAME_BYTES)
    return `a name longer than ${TAR_MAX_NAME_BYTES} bytes`;
  return null;
}

/** The 512-byte ustar header of a regular file (owner uid/gid 0; extract with `tar -o` to ignore it). */
export function tarFileHeader(entry: TarFileEntry): Buffer {
  const problem = tarNameProblem(entry.name);
  if (problem !== null) throw new Error(`a tar entry cannot have ${problem}`);
  if (!Number.isSafeInteger(entry.size) || entry.size < 0 || entry.size > TAR_MAX_SIZE) {
    throw new Error(`a tar entry's size must be a whole number from 0 to ${TAR_MAX_SIZE}`);
  }
  if (!Number.isInteger(entry.mode) || entry.mode < 0 || entry.mode > 0o7777) {
    throw new Error('a tar entry mode must be permission bits (0 to 0o7777)');
  }
  if (!Number.isSafeInteger(entry.mtime) || entry.mtime < 0 || entry.mtime > TAR_MAX_SIZE) {
    throw new Error('a tar entry mtime must be whole seconds that fit 11 octal digits');
  }
  const h = Buffer.alloc(TAR_BLOCK, 0);
  h.write(entry.name, 0, 'utf8'); // name (100)
  h.write(octal(entry.mode, 8), 100, 'ascii'); // mode
  h.write(octal(0, 8), 108, 'ascii'); // uid
  h.write(octal(0, 8), 116, 'ascii'); // gid
  h.write(octal(entry.size, 12), 124, 'ascii'); // size
  h.write(octal(entry.mtime, 12), 136, 'ascii'); // mtime
  h.write(' '.repeat(8), 148, 'ascii'); // checksum: spaces while it is computed
  h.write('0', 156, 'ascii'); // typeflag: regular file
  h.write('ustar\0', 257, 'ascii'); // magic
  h.write('00', 263, 'ascii'); // version
  h.write('root', 265, 'ascii'); // uname
  h.write('root', 297, 'ascii'); // gname
  let sum = 0;
  for (const byte of h) sum += byte;
  // Six octal digits, NUL, space (the traditional layout every tar accepts).
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

/** Zeros after `size` bytes of content, up to the next whole block. */
export function tarPadding(size: number): Buffer {
  const rest = size % TAR_BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : TAR_BLOCK - rest, 0);
}

/** The end of an archive: two zero blocks. */
export function tarEnd(): Buffer {
  return Buffer.alloc(2 * TAR_BLOCK, 0);
}
