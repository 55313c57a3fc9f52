import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { TAR_BLOCK, TAR_MAX_SIZE, tarEnd, tarFileHeader, tarNameProblem, tarPadding } from './tar-entry.js';

const field = (h: Buffer, from: number, len: number) => h.subarray(from, from + len).toString('latin1');

describe('tarFileHeader', () => {
  const h = tarFileHeader({
    name: '.report.csv.podscope-upload-0a1b2c3d',
    size: 1234,
    mode: 0o644,
    mtime: 1700000000,
  });

  it('is one 512-byte block with the ustar fields', () => {
    assert.equal(h.length, TAR_BLOCK);
    assert.equal(field(h, 0, 100).replace(/\0+$/, ''), '.report.csv.podscope-upload-0a1b2c3d');
    assert.equal(field(h, 100, 8), '0000644\0');
    assert.equal(field(h, 124, 12), `${(1234).toString(8).padStart(11, '0')}\0`);
    assert.equal(field(h, 136, 12), `${(1700000000).toString(8).padStart(11, '0')}\0`);
    assert.equal(field(h, 156, 1), '0');
    assert.equal(field(h, 257, 8), 'ustar\x0000');
  });

  it('carries the checksum of its bytes, counted with the checksum field as spaces', () => {
    const copy = Buffer.from(h);
    copy.write(' '.repeat(8), 148, 'ascii');
    let sum = 0;
    for (const b of copy) sum += b;
    assert.equal(parseInt(field(h, 148, 6), 8), sum);
    assert.equal(field(h, 154, 2), '\0 ');
  });

  it('refuses names and sizes the format cannot carry', () => {
    const ok = { name: 'a', size: 0, mode: 0o644, mtime: 0 };
    assert.throws(() => tarFileHeader({ ...ok, name: 'dir/a' }), /'\/' or NUL/);
    assert.throws(() => tarFileHeader({ ...ok, name: 'a\0b' }), /'\/' or NUL/);
    assert.throws(() => tarFileHeader({ ...ok, name: '..' }), /dot name/);
    assert.throws(() => tarFileHeader({ ...ok, name: 'é'.repeat(51) }), /longer than 100 bytes/);
    assert.throws(() => tarFileHeader({ ...ok, size: TAR_MAX_SIZE + 1 }), /size/);
    assert.throws(() => tarFileHeader({ ...ok, size: -1 }), /size/);
    assert.throws(() => tarFileHeader({ ...ok, mode: 0o10000 }), /mode/);
    assert.equal(tarNameProblem('é'.repeat(50)), null);
  });
});

describe('tarPadding / tarEnd', () => {
  it('pads to whole blocks and ends with two zero blocks', () => {
    assert.equal(tarPadding(0).length, 0);
    assert.equal(tarPadding(1).length, 511);
    assert.equal(tarPadding(512).length, 0);
    assert.equal(tarPadding(513).length, 511);
    assert.equal(tarEnd().length, 1024);
    assert.ok(tarEnd().every((b) => b === 0));
  });
});

// The archive as an upload sends it, extracted by the two tars containers have: GNU tar and busybox
// tar (the demo app image's), with the flags the upload uses.
describe('an archive of one entry, extracted by real tars', () => {
  for (const tar of [['tar'], ['busybox', 'tar']]) {
    it(`${tar.join(' ')} extracts it byte for byte`, () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'podscope-tar-'));
      try {
        const all = Buffer.alloc(256 * 3 + 7);
        for (let i = 0; i < all.length; i++) all[i] = i % 256;
        const content = Buffer.concat([all, randomBytes(70_000)]);
        const name = '.naïve -x.bin.podscope-upload-0a1b2c3d';
        const archive = Buffer.concat([
          tarFileHeader({ name, size: content.length, mode: 0o644, mtime: 1700000000 }),
          content,
          tarPadding(content.length),
          tarEnd(),
        ]);
        execFileSync(tar[0]!, [...tar.slice(1), '-x', '-m', '-o', '-k', '-f', '-', '-C', dir], {
          input: archive,
        });
        assert.deepEqual(readdirSync(dir), [name]);
        assert.ok(readFileSync(path.join(dir, name)).equals(content));
        assert.equal(statSync(path.join(dir, name)).mode & 0o777, 0o644);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
