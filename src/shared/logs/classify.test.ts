import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyLevel, tryPrettyJson } from './classify.js';

describe('classifyLevel', () => {
  const table: [string, 'error' | 'warn' | null][] = [
    // Plain level words
    ['ERROR failed to connect', 'error'],
    ['2026-11-25 20:01:02 [error] upstream timed out', 'error'],
    ['FATAL: database system is shutting down', 'error'],
    ['PANIC: could not write to file', 'error'],
    ['CRIT disk almost full', 'error'],
    ['error: open /etc/app.conf: no such file or directory', 'error'],
    ['WARN deprecated flag --foo', 'warn'],
    ['[WARNING] memory usage high', 'warn'],
    ['Warning: resource limits not set', 'warn'],
    // Structured levels
    ['{"level":"error","msg":"request failed"}', 'error'],
    ['{"severity":"ERROR","message":"boom"}', 'error'],
    ['{"level":"warn","msg":"slow"}', 'warn'],
    ['ts=2026-11-25T20:01:02Z level=error msg="db down"', 'error'],
    ['time="2026-11-25T20:01:02Z" level=warning msg="retrying"', 'warn'],
    ['{"level":50,"msg":"pino error"}', 'error'],
    ['{"level":60,"msg":"pino fatal"}', 'error'],
    ['{"level":40,"msg":"pino warn"}', 'warn'],
    ['{"level":30,"msg":"pino info"}', null],
    // klog (Kubernetes components)
    ['E1125 20:01:02.123456       1 reflector.go:158] failed to list', 'error'],
    ['W1125 20:01:02.123456       1 warnings.go:70] deprecated API', 'warn'],
    ['I1125 20:01:02.123456       1 server.go:42] error budget fine', null],
    // Crashes without a level word
    ['panic: runtime error: invalid memory address', 'error'],
    ['Traceback (most recent call last):', 'error'],
    ['java.lang.NullPointerException: null', 'error'],
    ['Exception in thread "main" java.lang.IllegalStateException', 'error'],
    // Documented non-matches: an explicit calm level wins over words in the message
    ['{"level":"info","msg":"retrying after error"}', null],
    ['level=debug msg="error count is 0"', null],
    ['INFO retry after error', null],
    ['DEBUG: ERROR handler registered', null],
    // Field names and plurals are not levels
    ['requests=120 errors=0 warnings=0', null],
    ['err=<nil> status=200', null],
    ['{"msg":"done","error":null}', null],
    ['error_count=0', null],
    ['0 errors, 0 warnings', null],
    ['ErrImagePull is a reason, not a level', null],
    ['terror and warnings', null],
    // Prose words "info" do not hide a later error word
    ['more info: error opening file', 'error'],
    // A "level" that is not a log level falls through to the words
    ['ERROR battery level: low', 'error'],
    ['plain line', null],
    ['', null],
  ];
  for (const [line, level] of table) {
    test(`${JSON.stringify(line)} → ${level}`, () => {
      assert.equal(classifyLevel(line), level);
    });
  }

  test('looks through ANSI colours', () => {
    assert.equal(classifyLevel('\u001b[31mERROR\u001b[0m boom'), 'error');
    assert.equal(classifyLevel('\u001b[33mlevel\u001b[0m=warn'), 'warn');
  });
});

describe('tryPrettyJson', () => {
  test('pretty-prints an object with 2-space indentation like JSON.stringify', () => {
    const line = '{"level":"info","msg":"hi","ctx":{"a":[1,2,{"b":null}],"e":{},"f":[]},"ok":true}';
    assert.equal(tryPrettyJson(line), JSON.stringify(JSON.parse(line), null, 2));
  });

  test('pretty-prints an array', () => {
    assert.equal(tryPrettyJson('[1, "two" ,{ }]'), '[\n  1,\n  "two",\n  {}\n]');
  });

  test('keeps big integers and number spellings exactly as written', () => {
    assert.equal(
      tryPrettyJson('{"id":1234567890123456789,"x":1.50,"y":1e400}'),
      '{\n  "id": 1234567890123456789,\n  "x": 1.50,\n  "y": 1e400\n}',
    );
  });

  test('keeps strings byte for byte, including escapes, braces and commas inside them', () => {
    const line = '{"msg":"a, b: {c} [d] \\"q\\" \\\\ \\u00e9 \\n"}';
    assert.equal(tryPrettyJson(line), '{\n  "msg": "a, b: {c} [d] \\"q\\" \\\\ \\u00e9 \\n"\n}');
  });

  test('strips ANSI colours and surrounding spaces first', () => {
    assert.equal(tryPrettyJson('  \u001b[32m{"a":1}\u001b[0m  '), '{\n  "a": 1\n}');
  });

  const notJson = [
    'hello',
    '{"a":1',
    '{a:1}',
    '"string"',
    '42',
    'null',
    '{"a":1} trailing',
    'prefix {"a":1}',
    '',
    '{}{}',
  ];
  for (const line of notJson) {
    test(`returns null for ${JSON.stringify(line)}`, () => {
      assert.equal(tryPrettyJson(line), null);
    });
  }

  test('prints empty containers compactly', () => {
    assert.equal(tryPrettyJson('{ }'), '{}');
    assert.equal(tryPrettyJson('[ ]'), '[]');
  });
});
