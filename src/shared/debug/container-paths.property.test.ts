import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { anyUtf16 } from '../../../test/support/arbitraries.js';
import {
  MAX_PATH_LENGTH,
  STAT_FORMAT,
  baseName,
  downloadFileName,
  parentDir,
  parseStatListing,
  underRoot,
  validateContainerPath,
} from './container-paths.js';

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** A file name as a container may have one: anything printable but '/', including dots and spaces. */
const segment = fc
  .oneof(
    fc.stringMatching(/^[A-Za-z0-9._ -]{1,12}$/),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }),
    fc.constantFrom('...', '.hidden', '..x', 'x..', '-rf', 'ünï', '😀'),
  )
  .filter((s) => s !== '.' && s !== '..' && !s.includes('/') && !UNSAFE.test(s));
const normalizedPath = fc.array(segment, { maxLength: 6 }).map((parts) => `/${parts.join('/')}`);

/** Paths near the grammar: valid ones with a piece changed, inserted or removed, and anything at all. */
const pathish = fc.oneof(
  normalizedPath,
  fc
    .tuple(
      normalizedPath,
      fc.nat(),
      fc.constantFrom('/', '//', '/..', '/../', '/.', '..', '\0', '\n', '\u202e', '\u0085', ' ', '', '-'),
    )
    .map(([p, at, insert]) => p.slice(0, at % (p.length + 1)) + insert + p.slice(at % (p.length + 1))),
  anyUtf16(),
  fc.string({ unit: 'binary-ascii', maxLength: 30 }).map((s) => `/${s}`),
);

describe('container path properties', () => {
  it('accepts every absolute, normalized path of printable names', () => {
    fc.assert(
      fc.property(normalizedPath, (path) => {
        assert.deepEqual(validateContainerPath(path), { ok: true, value: path });
      }),
    );
  });

  it('accepts from any string only absolute paths without "..", ".", empty segments or invisible characters', () => {
    fc.assert(
      fc.property(pathish, (raw) => {
        const result = validateContainerPath(raw);
        if (!result.ok) {
          assert.doesNotMatch(result.error, UNSAFE, JSON.stringify(result.error));
          return;
        }
        assert.equal(result.value, raw);
        assert.ok(raw.startsWith('/') && raw.length <= MAX_PATH_LENGTH);
        assert.doesNotMatch(raw, UNSAFE);
        assert.ok(!raw.includes('\0'));
        if (raw === '/') return;
        for (const part of raw.slice(1).split('/')) assert.ok(part !== '' && part !== '.' && part !== '..');
      }),
    );
  });

  it('keeps an accepted path under the root it is placed in (no way up through /proc/<pid>/root)', () => {
    fc.assert(
      fc.property(fc.nat({ max: 99999 }), pathish, (pid, raw) => {
        const result = validateContainerPath(raw);
        if (!result.ok) return;
        const root = `/proc/${pid}/root`;
        const full = underRoot(root, result.value);
        assert.ok(full === root || full.startsWith(`${root}/`), full);
        // Resolving the segments as the kernel would never leaves the root either.
        const resolved: string[] = [];
        for (const part of full.split('/').filter((p) => p !== '' && p !== '.')) {
          if (part === '..') resolved.pop();
          else resolved.push(part);
        }
        assert.ok(`/${resolved.join('/')}`.startsWith(root));
      }),
    );
  });

  it('derives parent directories and base names that are valid in turn', () => {
    fc.assert(
      fc.property(normalizedPath, (path) => {
        const parent = parentDir(path);
        assert.ok(validateContainerPath(parent).ok, parent);
        assert.ok(!baseName(path).includes('/'));
        assert.equal(path === '/' ? '/' : `${parent === '/' ? '' : parent}/${baseName(path)}`, path);
      }),
    );
  });

  it('makes a download file name of printable ASCII without quotes or backslashes, from any path', () => {
    fc.assert(
      fc.property(fc.oneof(pathish, normalizedPath), fc.boolean(), (path, directory) => {
        const name = downloadFileName(path, directory);
        assert.match(name, /^[\x20-\x7e]+$/);
        assert.ok(!name.includes('"') && !name.includes('\\'));
        if (directory) assert.ok(name.endsWith('.tar.gz'));
      }),
    );
  });

  it('reads back a listing as stat prints it, and never throws on any output', () => {
    const entry = fc.record({
      name: segment,
      mode: fc.constantFrom(0o100644, 0o040755, 0o120777, 0o020666, 0o104755),
      size: fc.nat(),
      mtime: fc.nat({ max: 4102444800 }),
      uid: fc.nat({ max: 65535 }),
      gid: fc.nat({ max: 65535 }),
    });
    assert.equal(STAT_FORMAT, '%f/%s/%Y/%u/%g/%n'); // the format the lines below imitate
    fc.assert(
      fc.property(
        normalizedPath,
        fc.uniqueArray(entry, { selector: (e) => e.name, maxLength: 6 }),
        (dir, entries) => {
          const prefix = dir === '/' ? '/' : `${dir}/`;
          const output = entries
            .map((e) => `${e.mode.toString(16)}/${e.size}/${e.mtime}/${e.uid}/${e.gid}/${prefix}${e.name}\n`)
            .join('');
          const listed = parseStatListing(output, dir);
          assert.deepEqual(listed.map((e) => e.name).sort(), entries.map((e) => e.name).sort());
          for (const e of listed) {
            const original = entries.find((o) => o.name === e.name);
            assert.equal(e.size, original?.size);
            assert.equal(e.mode, ((original?.mode ?? 0) & 0o7777).toString(8).padStart(3, '0'));
          }
          const firstFile = listed.findIndex((e) => e.type !== 'directory');
          if (firstFile !== -1) assert.ok(listed.slice(firstFile).every((e) => e.type !== 'directory'));
        },
      ),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 80 }), pathish, (output, dir) => {
        parseStatListing(output, dir);
      }),
    );
  });
});
