import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { tarFileHeader } from './tar-entry.js';
import { tarChecksumOk, TarFirstEntryReader, tarNumber, type TarEntryHeader } from './tar-first-entry.js';

/** Feeds `archive` in pieces of the given sizes (cycled) and collects what the reader gave. */
function read(
  archive: Buffer,
  pieces: number[],
): { header: TarEntryHeader | null; data: Buffer; ended: boolean } {
  const r = new TarFirstEntryReader();
  let header: TarEntryHeader | null = null;
  const data: Buffer[] = [];
  let ended = false;
  for (let at = 0, i = 0; at < archive.length; i++) {
    const n = pieces[i % pieces.length]!;
    for (const e of r.push(archive.subarray(at, at + n))) {
      if (e.kind === 'header') header = e.header;
      else if (e.kind === 'data') data.push(e.data);
      else ended = true;
    }
    at += n;
  }
  return { header, data: Buffer.concat(data), ended };
}

const CHUNKINGS = [[1 << 20], [7], [511, 2, 700], [512], [4096, 13], [32768]];

// Archives made by this machine's GNU tar, the way a download runs it: `tar cf - -C DIR ./NAME`.
describe('TarFirstEntryReader on real GNU tar archives', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'podscope-tar-first-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const tar = (name: string, format?: string) =>
    execFileSync('tar', ['cf', '-', ...(format ? [`--format=${format}`] : []), '-C', dir, `./${name}`], {
      maxBuffer: 64 << 20,
    });

  const content = randomBytes(3 * 1024 * 1024 + 123);
  writeFileSync(path.join(dir, 'data.bin'), content);
  writeFileSync(path.join(dir, 'empty'), '');
  const longName = `${'n'.repeat(150)}.bin`;
  writeFileSync(path.join(dir, longName), content.subarray(0, 5000));
  mkdirSync(path.join(dir, 'sub'));
  writeFileSync(path.join(dir, 'sub', 'inner.txt'), 'inner');
  symlinkSync('data.bin', path.join(dir, 'link'));
  execFileSync('mkfifo', [path.join(dir, 'fifo')]);

  for (const pieces of CHUNKINGS) {
    it(`a file: its header then exactly its bytes (pieces ${pieces.join('/')})`, () => {
      const got = read(tar('data.bin'), pieces);
      assert.deepEqual(got.header, { type: 'file', size: content.length });
      assert.ok(got.data.equals(content));
      assert.ok(got.ended);
    });
  }

  it('an empty file ends at its header', () => {
    const got = read(tar('empty'), [100]);
    assert.deepEqual(got.header, { type: 'file', size: 0 });
    assert.equal(got.data.length, 0);
    assert.ok(got.ended);
  });

  for (const format of ['gnu', 'posix']) {
    it(`a name past 100 bytes: the ${format} meta entry before it is skipped`, () => {
      for (const pieces of [[1], [513], [1 << 20]]) {
        const got = read(tar(longName, format), pieces);
        assert.deepEqual(got.header, { type: 'file', size: 5000 });
        assert.ok(got.data.equals(content.subarray(0, 5000)));
      }
    });
  }

  it('a directory, a symbolic link (not followed) and a fifo (not read) are told apart', () => {
    assert.deepEqual(read(tar('sub'), [700]).header, { type: 'directory', size: 0 });
    assert.deepEqual(read(tar('link'), [700]).header, { type: 'symlink', size: 0 });
    assert.deepEqual(read(tar('fifo'), [700]).header, { type: 'other', size: 0 });
  });

  it('input after the entry is ignored', () => {
    const r = new TarFirstEntryReader();
    const events = r.push(tar('empty'));
    assert.deepEqual(
      events.map((e) => e.kind),
      ['header', 'end'],
    );
    assert.ok(r.done);
    assert.deepEqual(r.push(Buffer.from('more')), []);
  });
});

describe('TarFirstEntryReader on what is not an archive', () => {
  it('refuses bytes whose checksum does not hold', () => {
    assert.throws(() => new TarFirstEntryReader().push(Buffer.alloc(512, 0x41)), /checksum/);
  });

  it('says when the archive ends before any entry (busybox tar, a path it could not read)', () => {
    const r = new TarFirstEntryReader();
    assert.deepEqual(r.push(Buffer.alloc(1024)), [{ kind: 'empty' }]);
    assert.ok(r.done);
    assert.deepEqual(r.push(Buffer.alloc(512, 1)), []);
  });

  it('waits for a whole header', () => {
    const h = tarFileHeader({ name: 'x', size: 3, mode: 0o644, mtime: 1 });
    const r = new TarFirstEntryReader();
    assert.deepEqual(r.push(h.subarray(0, 511)), []);
    assert.deepEqual(r.push(h.subarray(511)), [{ kind: 'header', header: { type: 'file', size: 3 } }]);
  });
});

describe('tar header numbers', () => {
  it('octal with NUL or space padding, and GNU base-256', () => {
    assert.equal(tarNumber(Buffer.from('00000001750\0', 'latin1')), 1000);
    assert.equal(tarNumber(Buffer.from('     1750 \0', 'latin1')), 1000);
    assert.equal(tarNumber(Buffer.alloc(12)), 0);
    const b256 = Buffer.alloc(12);
    b256[0] = 0x80;
    b256.writeUIntBE(10 * 1024 ** 3, 6, 6);
    assert.equal(tarNumber(b256), 10 * 1024 ** 3);
    assert.throws(() => tarNumber(Buffer.from('12a4', 'latin1')), /not a tar header number/);
  });

  it('a header this project builds has a good checksum; one flipped byte breaks it', () => {
    const h = tarFileHeader({ name: 'x', size: 3, mode: 0o644, mtime: 1 });
    assert.ok(tarChecksumOk(h));
    h[0] = 0x79;
    assert.ok(!tarChecksumOk(h));
  });
});
