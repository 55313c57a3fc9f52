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
 *   while the alternate screen is active (ESC[?1049h … ESC[?1049l, also 1047/47) no lines are captured.
 * - With bracketed paste, bash ≥ 5.1 and zsh keep a pasted multi-line text in the editor until Enter;
 *   each pasted line is recorded (flagged 'paste') when its newline arrives, so a paste later cancelled
 *   with Ctrl-C is still recorded.
 * Session recording (asciicast, which keeps output) is the complete record; this is the readable index.
 */

import { Utf8StreamDecoder } from '../text/utf8.js';

export type CommandFlag = 'tab-completion' | 'history-recall' | 'cancelled' | 'paste' | 'eof';

export interface CapturedCommand {
  line: string;
  /** Milliseconds since the session started. */
  at: number;
  /**
   * 'tab-completion': completion was used, the line may be incomplete. 'history-recall': the line came
   * (partly) from history. 'cancelled': Ctrl-C discarded it (or the session ended before Enter). 'paste':
   * pasted text. 'eof': Ctrl-D on an empty line (the shell exits); `line` is empty.
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
  private emitted: CapturedCommand[] = [];
  private at = 0;

  constructor(options: CommandLineRecorderOptions = {}) {
    this.historyLimit = options.historyLimit ?? 1000;
  }

  /** Whether a full-screen program has the alternate screen (input is not captured meanwhile). */
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
    this.emitted = [];
    const text = typeof data === 'string' ? data : this.decoder.write(data);
    for (const char of text) this.feed(char);
    return this.emitted;
  }

  /** Feeds terminal output, to notice full-screen programs entering and leaving the alternate screen. */
  output(data: Uint8Array | string): void {
    const text = this.outputTail + (typeof data === 'string' ? data : this.outputDecoder.write(data));
    let last: string | undefined;
    for (const match of text.matchAll(ALT_SCREEN)) last = match[1];
    if (last !== undefined) {
      const entering = last === 'h';
      if (entering !== this.alternateScreen) {
        this.alternateScreen = entering;
        // Keys typed in the full-screen program are not a command line.
        this.resetLine();
        this.state = 'ground';
        this.pasting = false;
      }
    }
    this.outputTail = text.slice(-ALT_SCREEN_TAIL);
  }

  /** The session ended: an unfinished line is returned as cancelled. */
  end(at: number): CapturedCommand[] {
    this.at = at;
    this.emitted = [];
    for (const char of this.decoder.end()) this.feed(char);
    if (!this.alternateScreen) this.finishLine(['cancelled']);
    return this.emitted;
  }

  private feed(char: string): void {
    if (this.alternateScreen) return;
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
    const order: CommandFlag[] = ['tab-completion', 'history-recall', 'paste', 'cancelled', 'eof'];
    this.emitted.push({ line, at: this.at, flags: order.filter((f) => flags.has(f)) });
  }

  private resetLine(): void {
    this.buffer = [];
    this.cursor = 0;
    this.flags = new Set();
    this.historyIndex = this.history.length;
    this.editedLine = [];
  }
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t';
}

/** Readline's word characters are letters and digits; everything else separates words. */
function isNotWordChar(c: string): boolean {
  return !/[\p{L}\p{N}]/u.test(c);
}
