import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCommandWords, splitCommandWords } from './command-words.js';

const words = (text: string): string[] => {
  const r = splitCommandWords(text);
  if (!r.ok) throw new Error(r.error);
  return r.words;
};

test('an empty or blank field means no command (an automatic shell)', () => {
  assert.deepEqual(words(''), []);
  assert.deepEqual(words('   \t '), []);
});

test('words are split on any run of whitespace', () => {
  assert.deepEqual(words('  ls   -la\t/tmp '), ['ls', '-la', '/tmp']);
});

test('quotes keep spaces in one word and are removed', () => {
  assert.deepEqual(words(`sh -c 'ls /tmp | wc -l'`), ['sh', '-c', 'ls /tmp | wc -l']);
  assert.deepEqual(words(`echo "a b" c`), ['echo', 'a b', 'c']);
  assert.deepEqual(words(`echo ab"c d"e`), ['echo', 'abc de']);
  assert.deepEqual(words(`echo "" x`), ['echo', '', 'x']);
});

test('shell syntax is not interpreted: variables, globs and pipes stay literal words', () => {
  assert.deepEqual(words('echo $HOME * | wc'), ['echo', '$HOME', '*', '|', 'wc']);
});

test('a backslash takes the next character literally; inside double quotes too', () => {
  assert.deepEqual(words('echo a\\ b'), ['echo', 'a b']);
  assert.deepEqual(words('echo "say \\"hi\\""'), ['echo', 'say "hi"']);
  assert.deepEqual(words("echo 'a\\b'"), ['echo', 'a\\b']);
});

test('Unicode words pass through unchanged', () => {
  assert.deepEqual(words('echo héllo 世界 🚀'), ['echo', 'héllo', '世界', '🚀']);
});

test('broken input is an error sentence, not a guess', () => {
  assert.deepEqual(splitCommandWords(`echo 'oops`), {
    ok: false,
    error: "The command has an unclosed ' quote.",
  });
  assert.equal(splitCommandWords('echo \\').ok, false);
  assert.equal(splitCommandWords('"" ls').ok, false);
  assert.equal(splitCommandWords(Array.from({ length: 65 }, () => 'x').join(' ')).ok, false);
  assert.equal(splitCommandWords(Array.from({ length: 64 }, () => 'x').join(' ')).ok, true);
});

test('formatCommandWords quotes only what needs it, and round-trips', () => {
  const argv = ['sh', '-c', "echo 'hi' there", '', 'plain'];
  const text = formatCommandWords(argv);
  assert.equal(text, `sh -c 'echo '\\''hi'\\'' there' '' plain`);
  assert.deepEqual(words(text), argv);
});
