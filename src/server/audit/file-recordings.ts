/**
 * Session recordings as files in the data directory (`<data-dir>/recordings/<session id>.cast`), the way
 * the SQLite store keeps them: created 0600 in a 0700 directory, never overwritten, appended and fsynced
 * through a RecordingSink.
 */
import { mkdir, open, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { RecordingSink } from './audit-store.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './data-dir.js';

export function recordingFile(dir: string, id: string): string {
  return path.join(dir, `${id}.cast`);
}

/** Creates the file, refusing one that exists (EEXIST). */
export async function createRecordingFile(file: string): Promise<RecordingSink> {
  await mkdir(path.dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
  return fileRecordingSink(await open(file, 'ax', PRIVATE_FILE_MODE));
}

export function fileRecordingSink(handle: FileHandle): RecordingSink {
  return {
    write: async (data) => {
      let offset = 0;
      while (offset < data.length) {
        const { bytesWritten } = await handle.write(data, offset);
        offset += bytesWritten;
      }
    },
    sync: () => handle.sync(),
    close: () => handle.close(),
  };
}

/** The file as a stream; opening first, so a missing file rejects (ENOENT) before anything is sent. */
export async function readRecordingFile(file: string): Promise<Readable> {
  const handle = await open(file, 'r');
  return handle.createReadStream({ autoClose: true });
}

/**
 * Deletes a recording, but only inside `dir`: the path comes from the database, and retention must not
 * become a way to delete any file. A file already gone is fine.
 */
export async function deleteRecordingFile(dir: string, file: string): Promise<void> {
  const relative = path.relative(path.resolve(dir), path.resolve(file));
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return;
  try {
    await unlink(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
