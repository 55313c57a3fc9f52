import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { generateToken } from './access-token.js';
import { parseSharedToken, readTokenFile } from './token-file.js';

const dir = mkdtempSync(path.join(tmpdir(), 'podscope-token-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('shared token file', () => {
  test('a generated token, or a Secret value with a final newline, is read as is', () => {
    const t = generateToken();
    assert.equal(parseSharedToken(`${t}\n`, 'f'), t);
    assert.equal(parseSharedToken('AbC123._~+/=-AbC123._~+/=-', 'f'), 'AbC123._~+/=-AbC123._~+/=-');
  });

  test('empty, short, spaced or odd tokens are refused with the file named', () => {
    assert.throws(() => parseSharedToken('\n', '/s/token'), /the token file \/s\/token is empty/);
    assert.throws(
      () => parseSharedToken('short', '/s/token'),
      /22 to 512 characters.*\(it has 5 characters\)/,
    );
    assert.throws(
      () => parseSharedToken('a'.repeat(20) + ' ' + 'b'.repeat(20), 'f'),
      /with whitespace inside/,
    );
    assert.throws(() => parseSharedToken('a'.repeat(30) + ';', 'f'), /A-Z a-z 0-9/);
    assert.throws(() => parseSharedToken('a'.repeat(513), 'f'), /it has 513 characters/);
  });

  test('a missing or oversized file says so', () => {
    assert.throws(
      () => readTokenFile(path.join(dir, 'missing')),
      /cannot read the token file .*missing: ENOENT/,
    );
    const big = path.join(dir, 'big');
    writeFileSync(big, 'a'.repeat(5000));
    assert.throws(() => readTokenFile(big), /larger than 4 KiB/);
    const ok = path.join(dir, 'ok');
    writeFileSync(ok, 'x'.repeat(43) + '\n');
    assert.equal(readTokenFile(ok), 'x'.repeat(43));
  });
});
