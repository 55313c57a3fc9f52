// The command field of the terminal tab, turned into argv words. Pure.
//
// Words are separated by whitespace; single or double quotes keep spaces inside one word, and a
// backslash takes the next character literally. Nothing else is interpreted: no variables, globs,
// pipes or redirections — the words go to the container as argv, never through a shell. Someone who
// wants shell syntax types `sh -c 'ls /tmp | wc -l'`.

import { MAX_COMMAND_ARGS } from '../../shared/terminal/api.js';

export type CommandWords = { ok: true; words: string[] } | { ok: false; error: string };

export function splitCommandWords(text: string): CommandWords {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote !== null) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += ch;
      continue;
    }
    if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '\\') {
      if (i + 1 >= text.length) return { ok: false, error: 'The command ends with a lone backslash.' };
      word += text[++i];
      inWord = true;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote !== null) return { ok: false, error: `The command has an unclosed ${quote} quote.` };
  if (inWord) words.push(word);
  if (words.length > MAX_COMMAND_ARGS) {
    return {
      ok: false,
      error: `A command may have at most ${MAX_COMMAND_ARGS} words (it has ${words.length}).`,
    };
  }
  if (words.length > 0 && words[0] === '') {
    return { ok: false, error: 'The command must start with a program name.' };
  }
  return { ok: true, words };
}

/** How argv is shown back to the user: words with spaces or quotes are quoted so they read unambiguously. */
export function formatCommandWords(words: readonly string[]): string {
  return words.map((w) => (w === '' || /[\s'"\\]/.test(w) ? `'${w.replace(/'/g, `'\\''`)}'` : w)).join(' ');
}
