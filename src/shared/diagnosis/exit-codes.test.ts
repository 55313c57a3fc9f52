import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { exitLabel, exitMeaning, exitPhrase, signalName } from './exit-codes.js';

describe('exit codes', () => {
  const table: [code: number, signal: string | null, meaning: RegExp][] = [
    [0, null, /^success/],
    [1, null, /general error reported by the program/],
    [2, null, /usage error.*Go program.*panics/],
    [3, null, /error code chosen by the program/],
    [126, null, /found but could not be run/],
    [127, null, /command not found/],
    [128, null, /runtime could not start/],
    [130, 'SIGINT', /interrupted/],
    [134, 'SIGABRT', /aborted by the program itself/],
    [137, 'SIGKILL', /killed outright/],
    [139, 'SIGSEGV', /segmentation fault/],
    [141, 'SIGPIPE', /pipe or socket/],
    [143, 'SIGTERM', /normal shutdown signal/],
    [255, null, /-1 or out of range/],
  ];
  for (const [code, signal, meaning] of table) {
    test(`${code}`, () => {
      const m = exitMeaning(code);
      assert.equal(m.signal?.name ?? null, signal);
      assert.match(m.meaning, meaning);
    });
  }

  test("the status' own signal field wins over the code", () => {
    assert.deepEqual(exitMeaning(0, 9).signal, { number: 9, name: 'SIGKILL' });
  });

  test('an unknown signal is still a signal', () => {
    assert.deepEqual(exitMeaning(128 + 30).signal, { number: 30, name: 'signal 30' });
    assert.equal(signalName(30), null);
  });

  test('labels and phrases', () => {
    assert.equal(exitLabel(137), 'exit code 137 (SIGKILL)');
    assert.equal(exitLabel(1), 'exit code 1');
    assert.equal(
      exitPhrase(137),
      'code 137 (SIGKILL — killed outright, not by the memory limit (Kubernetes would report OOMKilled))',
    );
    assert.equal(exitPhrase(137, null, true), 'code 137 (SIGKILL — killed outright)');
    assert.equal(exitPhrase(1), 'code 1 (a general error reported by the program itself)');
  });
});
