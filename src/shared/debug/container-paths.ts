// Paths inside a container that a user asks to list, download or upload, and the listing format.
// Paths travel as argv elements (never through a shell), so the risks are surprises, not injection:
// `..` climbing out of a /proc/<pid>/root prefix, a leading '-' read as an option, control characters
// forging lines in the UI or the audit trail.

import { quote } from '../validation/names.js';
import type { Result } from './debug-container.js';

export const MAX_PATH_LENGTH = 4096;
// C0/C1 controls, line/paragraph separators and bidirectional overrides.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * An absolute, normalized path: starts with '/', no empty, '.' or '..' segments, no trailing '/'
 * (except the root itself), no control characters. Anything else is refused, not rewritten, so what
 * the user sees in the audit trail is what ran.
 */
export function validateContainerPath(raw: string, what = 'Path'): Result<string> {
  if (raw === '') return { ok: false, error: `${what} must not be empty.` };
  if (raw.length > MAX_PATH_LENGTH) {
    return { ok: false, error: `${what} must be at most ${MAX_PATH_LENGTH} characters long.` };
  }
  if (UNSAFE.test(raw))
    return { ok: false, error: `${what} ${quote(raw)} contains control or invisible characters.` };
  if (!raw.startsWith('/'))
    return { ok: false, error: `${what} ${quote(raw)} must be absolute (start with '/').` };
  if (raw === '/') return { ok: true, value: raw };
  const segments = raw.slice(1).split('/');
  if (segments.some((s) => s === '..')) {
    return { ok: false, error: `${what} ${quote(raw)} must not contain '..' segments.` };
  }
  if (segments.some((s) => s === '' || s === '.')) {
    return { ok: false, error: `${what} ${quote(raw)} is not normalized (no '//', '/./' or trailing '/').` };
  }
  return { ok: true, value: raw };
}

export function parentDir(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** `path` as seen from a container that reaches the target's filesystem under `root` (/proc/<pid>/root). */
export function underRoot(root: string | null, path: string): string {
  if (root === null) return path;
  return path === '/' ? root : `${root}${path}`;
}

/** A file name for Content-Disposition: printable ASCII without quotes or backslashes. */
export function downloadFileName(path: string, directory: boolean): string {
  const base = baseName(path) || 'root';
  const safe = base.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return directory ? `${safe}.tar.gz` : safe;
}

// ---- Listing -------------------------------------------------------------------------------------

export type EntryType = 'file' | 'directory' | 'symlink' | 'other';

export interface DirectoryEntry {
  name: string;
  type: EntryType;
  size: number;
  /** Permission bits as octal text, e.g. "644". */
  mode: string;
  uid: number;
  gid: number;
  /** ISO time of the last modification. */
  modifiedAt: string;
}

/**
 * The stat format both GNU and busybox stat understand: raw mode in hex, size, mtime, uid, gid, then
 * the name as given (the directory prefix is removed by the parser).
 */
export const STAT_FORMAT = '%f/%s/%Y/%u/%g/%n';

const LINE = /^([0-9a-f]+)\/(\d+)\/(\d+)\/(\d+)\/(\d+)\/(.*)$/;

function entryType(mode: number): EntryType {
  switch (mode & 0o170000) {
    case 0o100000:
      return 'file';
    case 0o040000:
      return 'directory';
    case 0o120000:
      return 'symlink';
    default:
      return 'other';
  }
}

/**
 * Parses `stat -c STAT_FORMAT` output for the entries of `dir` (as passed to find, possibly under a
 * /proc/<pid>/root prefix). A name containing a newline continues on the next line; such a line does
 * not start with `<hex>/<n>/<n>/<n>/<n>/<dir>/`, so it is joined back to the previous name.
 */
export function parseStatListing(output: string, dir: string): DirectoryEntry[] {
  const prefix = dir === '/' ? '/' : `${dir}/`;
  const entries: DirectoryEntry[] = [];
  const lines = output.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    const m = LINE.exec(line);
    if (!m || !m[6]!.startsWith(prefix)) {
      const last = entries[entries.length - 1];
      if (last) last.name += `\n${line}`;
      continue;
    }
    const mode = parseInt(m[1]!, 16);
    entries.push({
      name: m[6]!.slice(prefix.length),
      type: entryType(mode),
      size: Number(m[2]),
      mode: (mode & 0o7777).toString(8).padStart(3, '0'),
      uid: Number(m[4]),
      gid: Number(m[5]),
      modifiedAt: new Date(Number(m[3]) * 1000).toISOString(),
    });
  }
  return entries.sort((a, b) =>
    a.type === 'directory' && b.type !== 'directory'
      ? -1
      : b.type === 'directory' && a.type !== 'directory'
        ? 1
        : a.name < b.name
          ? -1
          : a.name > b.name
            ? 1
            : 0,
  );
}

/** Parses one `stat -c STAT_FORMAT PATH` line for a single path. */
export function parseStatLine(output: string, path: string): DirectoryEntry | null {
  const m = LINE.exec(output.replace(/\n$/, ''));
  if (!m || m[6] !== path) return null;
  const mode = parseInt(m[1]!, 16);
  return {
    name: baseName(path),
    type: entryType(mode),
    size: Number(m[2]),
    mode: (mode & 0o7777).toString(8).padStart(3, '0'),
    uid: Number(m[4]),
    gid: Number(m[5]),
    modifiedAt: new Date(Number(m[3]) * 1000).toISOString(),
  };
}
