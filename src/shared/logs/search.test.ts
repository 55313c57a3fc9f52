import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileQuery, findMatches, MAX_QUERY_LENGTH } from './search.js';

describe('findMatches', () => {
  test('finds every occurrence of plain text, case-insensitively by default', () => {
    assert.deepEqual(findMatches('Error: error ERROR', 'error'), [
      [0, 5],
      [7, 12],
      [13, 18],
    ]);
  });

  test('respects caseSensitive', () => {
    assert.deepEqual(findMatches('Error: error', 'error', { caseSensitive: true }), [[7, 12]]);
  });

  test('treats regex characters literally in plain mode', () => {
    assert.deepEqual(findMatches('a.b axb (x) [y] $1 ^', 'a.b'), [[0, 3]]);
    assert.deepEqual(findMatches('cost (x) $1 [y]', '(x) $1 [y]'), [[5, 15]]);
    assert.deepEqual(findMatches('a\\b', '\\'), [[1, 2]]);
  });

  test('returns non-overlapping matches', () => {
    assert.deepEqual(findMatches('aaaa', 'aa'), [
      [0, 2],
      [2, 4],
    ]);
  });

  test('supports regular expressions', () => {
    assert.deepEqual(findMatches('took 12ms then 345ms', '\\d+ms', { regex: true }), [
      [5, 9],
      [15, 20],
    ]);
  });

  test('skips empty matches instead of looping forever', () => {
    assert.deepEqual(findMatches('baab', 'a*', { regex: true }), [[1, 3]]);
    assert.deepEqual(findMatches('abc', '^', { regex: true }), []);
    assert.deepEqual(findMatches('abc', '(?:)', { regex: true }), []);
  });

  test('finds nothing for an invalid regex instead of throwing', () => {
    assert.deepEqual(findMatches('(((', '(', { regex: true }), []);
  });

  test('reports UTF-16 offsets that slice the original string', () => {
    const text = '😀 ünïcode ÜNÏCODE';
    const ranges = findMatches(text, 'ünïcode');
    assert.deepEqual(
      ranges.map(([s, e]) => text.slice(s, e)),
      ['ünïcode', 'ÜNÏCODE'],
    );
  });
});

describe('compileQuery', () => {
  test('returns a readable error for an invalid regex', () => {
    const q = compileQuery('a(b', { regex: true });
    assert.equal(q.ok, false);
    assert.match(!q.ok ? q.error : '', /^The regular expression is not valid: .+\.$/);
  });

  test('the same text is fine in plain mode', () => {
    assert.equal(compileQuery('a(b').ok, true);
  });

  test('an empty query matches every line but highlights nothing', () => {
    const q = compileQuery('');
    assert.ok(q.ok);
    assert.equal(q.test('anything'), true);
    assert.deepEqual(q.matches('anything'), []);
  });

  test('test() gives the same answer on repeated calls (no global-regex state)', () => {
    const q = compileQuery('x', { regex: true });
    assert.ok(q.ok);
    assert.deepEqual([q.test('x'), q.test('x'), q.test('x')], [true, true, true]);
    assert.deepEqual(q.matches('xx'), q.matches('xx'));
  });

  test('refuses over-long queries', () => {
    const q = compileQuery('a'.repeat(MAX_QUERY_LENGTH + 1));
    assert.equal(q.ok, false);
  });
});
