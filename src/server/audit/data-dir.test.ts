import { after, afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sessionStart } from './audit-store.contract.js';
import { secureDataDir } from './data-dir.js';
import { SqliteAuditStore } from './sqlite-audit-store.js';

const root = mkdtempSync(join(tmpdir(), 'podscope-datadir-'));
after(() => rmSync(root, { recursive: true, force: true }));

const mode = (file: string) => statSync(file).mode & 0o777;
let counter = 0;
const fresh = () => join(root, `data-${++counter}`);

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

// With umask 0 nothing is tightened for us: the modes below are the ones Podscope asks for.
let savedUmask = 0;
beforeEach(() => {
  savedUmask = process.umask(0);
});
afterEach(() => {
  process.umask(savedUmask);
});

/** A data directory as an older Podscope (or a umask of 022) left it: readable by everyone. */
function looseDataDir(): string {
  const dir = fresh();
  mkdirSync(join(dir, 'recordings'), { recursive: true, mode: 0o755 });
  chmodSync(dir, 0o755);
  for (const name of ['audit.db', 'audit.db-wal', 'audit.db-shm'])
    writeFileSync(join(dir, name), '', { mode: 0o644 });
  writeFileSync(join(dir, 'recordings', 'a.cast'), '{}\n', { mode: 0o644 });
  writeFileSync(join(dir, 'recordings', 'b.cast'), '{}\n', { mode: 0o664 });
  writeFileSync(join(dir, 'notes.txt'), 'not ours', { mode: 0o644 });
  return dir;
}

describe('data directory permissions', () => {
  it('creates a missing data directory, and missing parents, as 0700', () => {
    const dir = join(fresh(), 'share', 'podscope');
    assert.deepEqual(secureDataDir(dir), []);
    assert.equal(mode(dir), 0o700);
    assert.equal(mode(join(dir, '..')), 0o700);
  });

  it('tightens an existing directory, its audit database files and recordings when this user owns them', () => {
    const dir = looseDataDir();
    assert.deepEqual(secureDataDir(dir), []);
    assert.equal(mode(dir), 0o700);
    assert.equal(mode(join(dir, 'recordings')), 0o700);
    for (const name of ['audit.db', 'audit.db-wal', 'audit.db-shm'])
      assert.equal(mode(join(dir, name)), 0o600, name);
    assert.equal(mode(join(dir, 'recordings', 'a.cast')), 0o600);
    assert.equal(mode(join(dir, 'recordings', 'b.cast')), 0o600);
    // Only what Podscope keeps there is changed.
    assert.equal(mode(join(dir, 'notes.txt')), 0o644);
  });

  it('takes only group and other bits away, keeping the owner bits as they were', () => {
    const dir = fresh();
    mkdirSync(dir, { mode: 0o750 });
    writeFileSync(join(dir, 'audit.db'), '', { mode: 0o444 });
    assert.deepEqual(secureDataDir(dir), []);
    assert.equal(mode(dir), 0o700);
    assert.equal(mode(join(dir, 'audit.db')), 0o400);
  });

  it('does not follow a symbolic link in the recordings directory', () => {
    const dir = looseDataDir();
    const outside = join(root, `outside-${++counter}.cast`);
    writeFileSync(outside, '', { mode: 0o644 });
    symlinkSync(outside, join(dir, 'recordings', 'link.cast'));
    assert.deepEqual(secureDataDir(dir), []);
    assert.equal(mode(outside), 0o644);
  });

  it(
    'leaves alone and reports what another user owns',
    { skip: isRoot ? false : 'needs root to chown' },
    () => {
      const dir = looseDataDir();
      chownSync(dir, NOBODY, NOBODY);
      chownSync(join(dir, 'audit.db'), NOBODY, NOBODY);
      const warnings = secureDataDir(dir);
      assert.equal(mode(dir), 0o755);
      assert.equal(mode(join(dir, 'audit.db')), 0o644);
      assert.equal(mode(join(dir, 'audit.db-wal')), 0o600, 'what this user owns is still tightened');
      assert.deepEqual(warnings, [
        `The data directory ${dir} can be read by other users (mode 0755) and belongs to uid ${NOBODY}, not to this user (uid 0), so Podscope did not change it; its owner can run: chmod 0700 ${dir}`,
        `The audit database file ${join(dir, 'audit.db')} can be read by other users (mode 0644) and belongs to uid ${NOBODY}, not to this user (uid 0), so Podscope did not change it; its owner can run: chmod 0600 ${join(dir, 'audit.db')}`,
      ]);
    },
  );

  it(
    'sums up many recordings it could not tighten in one warning',
    { skip: isRoot ? false : 'needs root to chown' },
    () => {
      const dir = looseDataDir();
      for (let i = 0; i < 5; i++) {
        const file = join(dir, 'recordings', `other-${i}.cast`);
        writeFileSync(file, '', { mode: 0o644 });
        chownSync(file, NOBODY, NOBODY);
      }
      const warnings = secureDataDir(dir);
      assert.equal(warnings.length, 1);
      assert.match(
        warnings[0] ?? '',
        /^5 recordings in .*recordings can be read by other users .*; the first: The recording /,
      );
    },
  );
});

describe('SqliteAuditStore file modes', () => {
  it('creates the directory 0700 and audit.db, -wal and -shm 0600, whatever the umask', async () => {
    const dir = join(fresh(), 'nested');
    const store = new SqliteAuditStore(join(dir, 'audit.db'));
    const id = await store.startSession(sessionStart());
    await store.addCommand(id, { line: 'id', at: 1, flags: [] });
    assert.equal(mode(dir), 0o700);
    assert.equal(mode(join(dir, '..')), 0o700);
    for (const name of ['audit.db', 'audit.db-wal', 'audit.db-shm'])
      assert.equal(mode(join(dir, name)), 0o600, name);
    await store.close();
  });
});
