/**
 * The data directory holds what a terminal session reveals — the audit database (typed command lines,
 * password prompts included) and the recordings (everything shown on screen) — so only its owner may read
 * it: the directory and its sub-directories 0700, the files 0600.
 *
 * New files and directories are created with those modes (umask can only tighten them). A directory left
 * looser by an older Podscope or by hand is tightened at start when this user owns it; what belongs to
 * someone else is left alone and reported, because changing another user's files is not ours to do.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** The audit database and the files SQLite keeps beside it. */
export const AUDIT_DB_FILES = ['audit.db', 'audit.db-wal', 'audit.db-shm', 'audit.db-journal'];
export const RECORDINGS_DIR = 'recordings';

const octal = (mode: number) => `0${(mode & 0o777).toString(8).padStart(3, '0')}`;

/**
 * Takes group and other permissions away from an existing file or directory that has any. Returns a
 * sentence when that could not be done (owned by another user, or chmod failed), else null.
 */
export function tightenMode(file: string, what: string, stats: Stats = statSync(file)): string | null {
  const mode = stats.mode & 0o777;
  if ((mode & 0o077) === 0) return null;
  const uid = process.getuid?.();
  const tight = mode & 0o700;
  if (uid !== undefined && stats.uid !== uid) {
    return (
      `${what} ${file} can be read by other users (mode ${octal(mode)}) and belongs to uid ${stats.uid}, ` +
      `not to this user (uid ${uid}), so Podscope did not change it; its owner can run: chmod ${octal(tight)} ${file}`
    );
  }
  try {
    chmodSync(file, tight);
    return null;
  } catch (err) {
    return `${what} ${file} can be read by other users (mode ${octal(mode)}) and could not be made private: ${(err as Error).message}`;
  }
}

/** Creates `dir` (and missing parents) as 0700, or tightens it if it exists. Returns warnings. */
export function ensurePrivateDir(dir: string, what = 'The directory'): string[] {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const warning = tightenMode(dir, what);
  return warning === null ? [] : [warning];
}

/**
 * Run at start: creates the data directory private, and tightens the data directory, the recordings
 * directory, the audit database files and every recording that others can read. Returns one sentence per
 * thing it could not make private; throws only if the data directory cannot be created at all.
 */
export function secureDataDir(dataDir: string): string[] {
  const warnings = ensurePrivateDir(dataDir, 'The data directory');
  const recordings = path.join(dataDir, RECORDINGS_DIR);
  const tighten = (file: string, what: string, into = warnings) => {
    let stats: Stats;
    try {
      stats = lstatSync(file);
    } catch {
      return; // absent: it will be created private
    }
    // A symbolic link is not followed: what it points to is not the data directory's to change.
    if (!stats.isFile() && !stats.isDirectory()) return;
    const warning = tightenMode(file, what, stats);
    if (warning !== null) into.push(warning);
  };
  for (const name of AUDIT_DB_FILES) tighten(path.join(dataDir, name), 'The audit database file');
  tighten(recordings, 'The recordings directory');
  let casts: string[] = [];
  try {
    casts = readdirSync(recordings).filter((name) => name.endsWith('.cast'));
  } catch {
    // no recordings yet, or an unreadable directory (already reported above)
  }
  const castWarnings: string[] = [];
  for (const name of casts) tighten(path.join(recordings, name), 'The recording', castWarnings);
  if (castWarnings.length <= 3) warnings.push(...castWarnings);
  else {
    warnings.push(
      `${castWarnings.length} recordings in ${recordings} can be read by other users and could not be made private; the first: ${castWarnings[0] ?? ''}`,
    );
  }
  return warnings;
}
