import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LogLine } from '../api.js';
import { isErrorLine, quotableLine, quote, telltaleLines, unretrievableNotice } from './log-excerpts.js';

const lines = (...texts: string[]): LogLine[] =>
  texts.map((text, i) => ({ ts: `2026-11-30T10:00:0${i}Z`, text }));

describe('log excerpts', () => {
  test('error lines first (in their order), then the last lines', () => {
    const l = lines('starting', 'ERROR: a', 'working', 'panic: b', 'goroutine 1 [running]:', 'exit');
    assert.deepEqual(
      telltaleLines(l, 4).map((x) => x.text),
      ['ERROR: a', 'panic: b', 'goroutine 1 [running]:', 'exit'],
    );
    assert.deepEqual(
      telltaleLines(l, 2).map((x) => x.text),
      ['ERROR: a', 'panic: b'],
    );
  });

  test('without errors: the last lines', () => {
    assert.deepEqual(
      telltaleLines(lines('a', 'b', 'c', 'd')).map((x) => x.text),
      ['b', 'c', 'd'],
    );
  });

  test('what counts as an error line', () => {
    for (const t of [
      'FATAL: x',
      'Segmentation fault',
      'sh: exec: line 0: x: not found',
      'Traceback (most recent call last):',
      'java.lang.IllegalStateException: x',
      'connection refused',
    ]) {
      assert.ok(isErrorLine(t), t);
    }
    for (const t of ['listening on :8080', '{"level":"info","msg":"retrying after error"}'])
      assert.ok(!isErrorLine(t), t);
  });

  test('only an error line is quoted', () => {
    assert.equal(quotableLine(lines('starting', 'ERROR: x', 'sleeping'))?.text, 'ERROR: x');
    assert.equal(quotableLine(lines('starting', 'sleeping')), null);
  });

  test('quotes are short and plain', () => {
    assert.equal(quote('\u001b[31mERROR\u001b[0m boom'), 'ERROR boom');
    assert.equal(quote('x'.repeat(200)).length, 120);
  });

  test("the kubelet's notice in place of the output", () => {
    assert.match(
      unretrievableNotice([
        { ts: '', text: 'unable to retrieve container logs for containerd://79a382883a55' },
      ]) ?? '',
      /could not retrieve/,
    );
    assert.equal(
      unretrievableNotice(lines('unable to retrieve container logs for x is what I print', 'b', 'c')),
      null,
    );
  });
});
