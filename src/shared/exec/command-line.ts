/**
 * Reconstructs the command lines a user typed from what the browser sent on stdin, for the per-command
 * audit. It models the line editor of an interactive shell (readline/bash emacs mode, which ash and zsh
 * follow for these keys): printable text (any UTF-8), Enter, Backspace, Ctrl-U/W/K/Y/A/E/B/F/D, arrows,
 * Home/End, Delete, word moves, Up/Down history, bracketed paste.
 *
 * What it cannot know — and therefore flags or documents rather than guesses:
 * - Completion happens in the shell: after Tab the shell inserts text we never see. Lines where Tab was
 *   pressed are flagged 'tab-completion': the recorded text is what was typed, not what ran.
 * - History comes from the shell too: Up/Down recall lines of *this* session from our own copy, flagged
 *   'history-recall'. Lines from earlier sessions (~/.bash_history) and reverse search (Ctrl-R) are
 *   invisible; such lines are flagged 'history-recall' and hold only what we could see.
 * - vi editing mode (`set -o vi`) is not modelled: ESC switches modes there, and the result is garbage.
 * - What runs is not what is typed: aliases, functions, scripts and the commands they run, and programs
 *   reading input (a `read` prompt, a database shell) are indistinguishable from the shell's prompt.
 *   Input typed with echo off (a password prompt) is recorded like any other line.
 * - Full-screen programs (vim, less, top) read keys, not lines. Feed the session's output to `output()`:
 *   while the alternate screen is active (ESC[?1049h … ESC[?1049l, also 1047/47) the keys are not edited
 *   as a line but recorded as typed, flagged 'full-screen', with special keys in angle brackets
 *   (`ihello<Enter>`, `<Esc>:wq<Enter>`, see `visibleKeys`): one entry per Enter, one when the program
 *   leaves the alternate screen, and one per FULL_SCREEN_ENTRY_CHARS of keys without Enter. Any program —
 *   `printf '\e[?1049h'` too — can switch the screen, so what is typed meanwhile must not be lost: it may
 *   well be shell commands. A line half-typed when the switch comes is carried into the first entry.
 * - With bracketed paste, bash ≥ 5.1 and zsh keep a pasted multi-line text in the editor until Enter;
 *   each pasted line is recorded (flagged 'paste') when its newline arrives, so a paste later cancelled
 *   with Ctrl-C is still recorded.
 * Session recording (asciicast, which keeps output) is the complete record; this is the readable index.
 */

import { Utf8StreamDecoder } from '../text/utf8.js';

export type CommandFlag = 'tab-completion' | 'history-recall' | 'cancelled' | 'paste' | 'eof' | 'full-screen';

/** Every flag, in the order an entry lists them. */
export const COMMAND_FLAGS: readonly CommandFlag[] = [
  'tab-completion',
  'history-recall',
  'paste',
  'cancelled',
  'eof',
  'full-screen',
];

export interface CapturedCommand {
  line: string;
  /** Milliseconds since the session started. */
  at: number;
  /**
   * 'tab-completion': completion was used, the line may be incomplete. 'history-recall': the line came
   * (partly) from history. 'cancelled': Ctrl-C discarded it (or the session ended before Enter). 'paste':
   * pasted text. 'eof': Ctrl-D on an empty line (the shell exits); `line` is empty. 'full-screen': keys
   * typed while a program had the alternate screen, as typed (see `visibleKeys`), not an edited line.
   */
  flags: CommandFlag[];
}

export interface CommandLineRecorderOptions {
  /** Lines of history kept for Up/Down recall. */
  historyLimit?: number;
}

const ESC = '\x1b';
const ALT_SCREEN = /\x1b\[\?(?:1049|1047|47)([hl])/g;
const ALT_SCREEN_TAIL = 10;
/** Keys without Enter that make one full-screen entry (a long paste into an editor becomes several). */
export const FULL_SCREEN_ENTRY_CHARS = 1024;

type ParserState = 'ground' | 'esc' | 'csi' | 'ss3';

export class CommandLineRecorder {
  private readonly decoder = new Utf8StreamDecoder();
  private readonly outputDecoder = new Utf8StreamDecoder();
  private readonly historyLimit: number;
  private readonly history: string[] = [];
  /** Code points of the line being edited. */
  private buffer: string[] = [];
  private cursor = 0;
  private flags = new Set<CommandFlag>();
  private killed: string[] = [];
  /** Position in history while recalling (history.length = the line being edited). */
  private historyIndex = 0;
  private editedLine: string[] = [];
  private state: ParserState = 'ground';
  private csiParams = '';
  private pasting = false;
  private lastWasCR = false;
  private alternateScreen = false;
  private outputTail = '';
  /** Keys typed since the alternate screen was entered or the last full-screen entry, as received. */
  private fullScreenKeys = '';
  /** When the last key arrived: the time of a full-screen entry written when the program leaves. */
  private lastInputAt = 0;
  private emitted: CapturedCommand[] = [];
  private at = 0;

  constructor(options: CommandLineRecorderOptions = {}) {
    this.historyLimit = options.historyLimit ?? 1000;
  }

  /** Whether a full-screen program has the alternate screen (keys are recorded as typed meanwhile). */
  get inAlternateScreen(): boolean {
    return this.alternateScreen;
  }

  /** The line as currently edited (for tests and diagnostics). */
  get pendingLine(): string {
    return this.buffer.join('');
  }

  /** Feeds what the user sent on stdin at `at` ms since the session started; returns finished lines. */
  input(data: Uint8Array | string, at: number): CapturedCommand[] {
    this.at = at;
    this.lastInputAt = at;
    this.emitted = [];
    const text = typeof data === 'string' ? data : this.decoder.write(data);
    for (const char of text) this.feed(char);
    return this.emitted;
  }

  /**
   * Feeds terminal output, to notice full-screen programs entering and leaving the alternate screen.
   * Returns the full-screen entry of the keys typed since the last Enter when the program leaves.
   */
  output(data: Uint8Array | string): CapturedCommand[] {
    this.emitted = [];
    const text = this.outputTail + (typeof data === 'string' ? data : this.outputDecoder.write(data));
    let last: string | undefined;
    for (const match of text.matchAll(ALT_SCREEN)) last = match[1];
    if (last !== undefined) {
      const entering = last === 'h';
      if (entering !== this.alternateScreen) {
        this.alternateScreen = entering;
        if (entering) {
          // A line being typed goes on into the program (typed ahead, or the switch was a printf).
          this.fullScreenKeys = this.buffer.join('');
        } else {
          this.at = this.lastInputAt;
          this.flushFullScreen();
        }
        this.resetLine();
        this.state = 'ground';
        this.pasting = false;
        this.lastWasCR = false;
      }
    }
    this.outputTail = text.slice(-ALT_SCREEN_TAIL);
    return this.emitted;
  }

  /** The session ended: an unfinished line is returned as cancelled, unfinished full-screen keys as typed. */
  end(at: number): CapturedCommand[] {
    this.at = at;
    this.emitted = [];
    for (const char of this.decoder.end()) this.feed(char);
    if (this.alternateScreen) {
      this.at = this.lastInputAt;
      this.flushFullScreen();
    } else {
      this.finishLine(['cancelled']);
    }
    return this.emitted;
  }

  private feed(char: string): void {
    if (this.alternateScreen) return this.fullScreenKey(char);
    switch (this.state) {
      case 'esc':
        return this.afterEscape(char);
      case 'csi':
        return this.inCsi(char);
      case 'ss3':
        this.state = 'ground';
        return this.ss3(char);
      case 'ground':
        break;
    }
    const crlf = this.lastWasCR && char === '\n';
    this.lastWasCR = char === '\r';
    if (crlf) return;
    if (char === ESC) {
      this.state = 'esc';
      return;
    }
    if (this.pasting) return this.pasted(char);
    const code = char.codePointAt(0) as number;
    if (code >= 0x20 && code !== 0x7f && !(code >= 0x80 && code < 0xa0)) return this.insert([char]);
    switch (char) {
      case '\r':
      case '\n':
        return this.finishLine([]);
      case '\x7f': // Backspace (DEL), as xterm.js sends it
      case '\b':
        return this.deleteBack(1);
      case '\x03': // Ctrl-C
        return this.finishLine(['cancelled']);
      case '\x04': // Ctrl-D: EOF on an empty line, else delete under the cursor
        if (this.buffer.length === 0) {
          this.emit('', ['eof']);
          return;
        }
        return this.deleteForward();
      case '\t':
        this.flags.add('tab-completion');
        return;
      case '\x15': // Ctrl-U: kill to the start
        return this.kill(0, this.cursor);
      case '\x17': // Ctrl-W: kill the previous whitespace-delimited word
        return this.kill(this.wordStartBefore(this.cursor, isSpace), this.cursor);
      case '\x0b': // Ctrl-K: kill to the end
        return this.kill(this.cursor, this.buffer.length);
      case '\x19': // Ctrl-Y: yank the last kill
        return this.insert(this.killed);
      case '\x01': // Ctrl-A
        this.cursor = 0;
        return;
      case '\x05': // Ctrl-E
        this.cursor = this.buffer.length;
        return;
      case '\x02': // Ctrl-B
        return this.move(-1);
      case '\x06': // Ctrl-F
        return this.move(1);
      case '\x10': // Ctrl-P
        return this.recall(-1);
      case '\x0e': // Ctrl-N
        return this.recall(1);
      case '\x12': // Ctrl-R: reverse search runs in the shell; what it finds is invisible here
        this.flags.add('history-recall');
        return;
      default:
        return; // other control characters (Ctrl-L, bell…) do not change the line
    }
  }

  private afterEscape(char: string): void {
    this.state = 'ground';
    switch (char) {
      case '[':
        this.state = 'csi';
        this.csiParams = '';
        return;
      case 'O':
        this.state = 'ss3';
        return;
      default:
        break;
    }
    if (this.pasting) return;
    switch (char) {
      case 'b': // Alt-B
        this.cursor = this.wordStartBefore(this.cursor, isNotWordChar);
        return;
      case 'f': // Alt-F
        this.cursor = this.wordEndAfter(this.cursor);
        return;
      case 'd': // Alt-D
        return this.kill(this.cursor, this.wordEndAfter(this.cursor));
      case '\x7f': // Alt-Backspace
      case '\b':
        return this.kill(this.wordStartBefore(this.cursor, isNotWordChar), this.cursor);
      default:
        return; // other Alt- keys: ignored
    }
  }

  private inCsi(char: string): void {
    const code = char.codePointAt(0) as number;
    if (code >= 0x20 && code <= 0x3f) {
      this.csiParams += char;
      if (this.csiParams.length > 32) this.state = 'ground'; // not a sequence we know: drop it
      return;
    }
    this.state = 'ground';
    if (code < 0x40 || code > 0x7e) return; // malformed: abandon the sequence
    const params = this.csiParams;
    if (char === '~' && params === '200') {
      this.pasting = true;
      return;
    }
    if (char === '~' && params === '201') {
      this.pasting = false;
      return;
    }
    if (this.pasting) return;
    // xterm reports modifiers as "1;5" (Ctrl) or "1;3" (Alt): word moves.
    const modified = /^1;[35]$/.test(params);
    switch (char) {
      case 'D':
        if (modified) this.cursor = this.wordStartBefore(this.cursor, isNotWordChar);
        else this.move(-1);
        return;
      case 'C':
        if (modified) this.cursor = this.wordEndAfter(this.cursor);
        else this.move(1);
        return;
      case 'A':
        return this.recall(-1);
      case 'B':
        return this.recall(1);
      case 'H':
        this.cursor = 0;
        return;
      case 'F':
        this.cursor = this.buffer.length;
        return;
      case '~':
        if (params === '1' || params === '7') this.cursor = 0;
        else if (params === '4' || params === '8') this.cursor = this.buffer.length;
        else if (params === '3') this.deleteForward();
        return;
      default:
        return;
    }
  }

  /** ESC O x: cursor keys in application mode. */
  private ss3(char: string): void {
    if (this.pasting) return;
    switch (char) {
      case 'D':
        return this.move(-1);
      case 'C':
        return this.move(1);
      case 'A':
        return this.recall(-1);
      case 'B':
        return this.recall(1);
      case 'H':
        this.cursor = 0;
        return;
      case 'F':
        this.cursor = this.buffer.length;
        return;
      default:
        return;
    }
  }

  private pasted(char: string): void {
    if (char === '\r' || char === '\n') return this.finishLine([]);
    const code = char.codePointAt(0) as number;
    if (char === '\t' || (code >= 0x20 && code !== 0x7f)) {
      this.insert([char]);
      this.flags.add('paste');
    }
  }

  private insert(chars: string[]): void {
    this.buffer.splice(this.cursor, 0, ...chars);
    this.cursor += chars.length;
  }

  private move(delta: number): void {
    this.cursor = Math.min(this.buffer.length, Math.max(0, this.cursor + delta));
  }

  private deleteBack(count: number): void {
    const from = Math.max(0, this.cursor - count);
    this.buffer.splice(from, this.cursor - from);
    this.cursor = from;
  }

  private deleteForward(): void {
    if (this.cursor < this.buffer.length) this.buffer.splice(this.cursor, 1);
  }

  private kill(from: number, to: number): void {
    if (to <= from) return;
    this.killed = this.buffer.splice(from, to - from);
    this.cursor = from;
  }

  /** Start of the word before `pos`: skip separators, then word characters (readline's rules). */
  private wordStartBefore(pos: number, isSeparator: (c: string) => boolean): number {
    let i = pos;
    while (i > 0 && isSeparator(this.buffer[i - 1] as string)) i--;
    while (i > 0 && !isSeparator(this.buffer[i - 1] as string)) i--;
    return i;
  }

  private wordEndAfter(pos: number): number {
    let i = pos;
    while (i < this.buffer.length && isNotWordChar(this.buffer[i] as string)) i++;
    while (i < this.buffer.length && !isNotWordChar(this.buffer[i] as string)) i++;
    return i;
  }

  private recall(direction: -1 | 1): void {
    const target = this.historyIndex + direction;
    if (direction < 0 && target < 0) {
      // Older than this session's history: the shell shows a line from its history file, unseen here.
      this.flags.add('history-recall');
      return;
    }
    if (target > this.history.length) return;
    if (this.historyIndex === this.history.length) this.editedLine = this.buffer;
    this.historyIndex = target;
    this.buffer =
      target === this.history.length ? [...this.editedLine] : Array.from(this.history[target] as string);
    this.cursor = this.buffer.length;
    if (target < this.history.length) this.flags.add('history-recall');
  }

  private finishLine(extra: CommandFlag[]): void {
    const line = this.buffer.join('');
    if (line !== '') {
      this.emit(line, extra);
      if (!extra.includes('cancelled')) {
        this.history.push(line);
        if (this.history.length > this.historyLimit) this.history.shift();
      }
    }
    this.resetLine();
  }

  private emit(line: string, extra: CommandFlag[]): void {
    const flags = new Set([...this.flags, ...extra]);
    this.emitted.push({ line, at: this.at, flags: COMMAND_FLAGS.filter((f) => flags.has(f)) });
  }

  /** A key while a full-screen program runs: kept as typed; Enter (or a long run of keys) ends an entry. */
  private fullScreenKey(char: string): void {
    this.fullScreenKeys += char;
    if (char === '\r' || char === '\n') return this.flushFullScreen();
    if (this.fullScreenKeys.length >= FULL_SCREEN_ENTRY_CHARS && !INSIDE_ESCAPE.test(this.fullScreenKeys)) {
      this.flushFullScreen();
    }
  }

  private flushFullScreen(): void {
    if (this.fullScreenKeys === '') return;
    this.emitted.push({ line: visibleKeys(this.fullScreenKeys), at: this.at, flags: ['full-screen'] });
    this.fullScreenKeys = '';
  }

  private resetLine(): void {
    this.buffer = [];
    this.cursor = 0;
    this.flags = new Set();
    this.historyIndex = this.history.length;
    this.editedLine = [];
  }
}

/** Keys ending in an escape sequence not finished yet (so a long entry is not cut inside it). */
const INSIDE_ESCAPE = /\x1b(?:\[[\x20-\x3f]*|O)?$/;

const CSI_KEYS: Record<string, string> = { A: 'Up', B: 'Down', C: 'Right', D: 'Left', H: 'Home', F: 'End' };
const SS3_KEYS: Record<string, string> = { ...CSI_KEYS, P: 'F1', Q: 'F2', R: 'F3', S: 'F4' };
const TILDE_KEYS: Record<string, string> = {
  '1': 'Home',
  '2': 'Insert',
  '3': 'Del',
  '4': 'End',
  '5': 'PageUp',
  '6': 'PageDown',
  '7': 'Home',
  '8': 'End',
  '11': 'F1',
  '12': 'F2',
  '13': 'F3',
  '14': 'F4',
  '15': 'F5',
  '17': 'F6',
  '18': 'F7',
  '19': 'F8',
  '20': 'F9',
  '21': 'F10',
  '23': 'F11',
  '24': 'F12',
  '200': 'PasteStart',
  '201': 'PasteEnd',
};
/** xterm's modifier parameter (the n in ESC[1;nA) → vim's prefixes. */
const MODIFIERS: Record<string, string> = {
  '2': 'S-',
  '3': 'M-',
  '4': 'M-S-',
  '5': 'C-',
  '6': 'C-S-',
  '7': 'C-M-',
  '8': 'C-M-S-',
};
const NAMED_CONTROLS: Record<string, string> = {
  '\r': 'Enter',
  '\n': 'NL',
  '\t': 'Tab',
  '\x7f': 'BS',
  '\x1b': 'Esc',
  '\x00': 'C-@',
  '\x1c': 'C-\\',
  '\x1d': 'C-]',
  '\x1e': 'C-^',
  '\x1f': 'C-_',
};
/** Characters shown by code point: C1 controls, line/paragraph separators, bidi controls. */
const INVISIBLE = /[\u0080-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * Keys as a person reads them, in vim's key notation: printable text as typed, special keys in angle
 * brackets (`<Enter>`, `<Esc>`, `<BS>`, `<C-c>`, `<Up>`, `<C-Left>`, `<F5>`, `<Mouse>`; Alt-x is `<Esc>x`),
 * a literal '<' as `<lt>`, and invisible characters by code point (`<U+202E>`). An escape sequence that
 * is not a known key is shown as `<Esc>` followed by its characters. Never throws.
 */
export function visibleKeys(raw: string): string {
  const chars = Array.from(raw);
  let out = '';
  let i = 0;
  const key = (name: string) => (out += `<${name}>`);
  while (i < chars.length) {
    const c = chars[i] as string;
    i++;
    if (c !== ESC) {
      out += visibleChar(c);
      continue;
    }
    const next = chars[i];
    if (next === '[') {
      let j = i + 1;
      let params = '';
      while (j < chars.length && /[\x20-\x3f]/.test(chars[j] as string) && params.length <= 32)
        params += chars[j++];
      const final = chars[j];
      if (final === undefined || !/[\x40-\x7e]/.test(final)) {
        key('Esc'); // not a complete sequence: show what follows as typed
        continue;
      }
      i = j + 1;
      if (final === 'M' && params === '') {
        i += 3; // X10 mouse report: three raw bytes follow
        key('Mouse');
      } else if ((final === 'M' || final === 'm') && params.startsWith('<')) key('Mouse');
      else if (final === 'Z' && params === '') key('S-Tab');
      else if ((final === 'I' || final === 'O') && params === '') key(final === 'I' ? 'FocusIn' : 'FocusOut');
      else if (
        final !== '~' &&
        CSI_KEYS[final] !== undefined &&
        (params === '' || /^1;[2-8]$/.test(params))
      ) {
        key(`${MODIFIERS[params.slice(2)] ?? ''}${CSI_KEYS[final]}`);
      } else if (final === '~' && TILDE_KEYS[params.split(';')[0] ?? ''] !== undefined) {
        const [code = '', modifier = ''] = params.split(';');
        key(`${MODIFIERS[modifier] ?? ''}${TILDE_KEYS[code]}`);
      } else {
        key('Esc');
        out += visibleText(`[${params}${final}`);
      }
      continue;
    }
    if (next === 'O' && i + 1 < chars.length && SS3_KEYS[chars[i + 1] as string] !== undefined) {
      key(SS3_KEYS[chars[i + 1] as string] as string);
      i += 2;
      continue;
    }
    // ESC then a key is Alt-<key> or Esc followed by the key (as in vim's <Esc>:wq): the bytes are the
    // same, so it is shown as it came.
    key('Esc');
  }
  return out;
}

function visibleText(text: string): string {
  return Array.from(text, visibleChar).join('');
}

function visibleChar(c: string): string {
  const named = NAMED_CONTROLS[c];
  if (named !== undefined) return `<${named}>`;
  const code = c.codePointAt(0) as number;
  if (code < 0x20) return `<C-${String.fromCharCode(code + 0x60)}>`;
  if (c === '<') return '<lt>';
  // Lone surrogates too (a pair is one character here, with a code point above U+FFFF).
  if (INVISIBLE.test(c) || (code >= 0xd800 && code <= 0xdfff)) {
    return `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
  }
  return c;
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t';
}

/** Readline's word characters are letters and digits; everything else separates words. */
function isNotWordChar(c: string): boolean {
  return !/[\p{L}\p{N}]/u.test(c);
}
