import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CommandLineRecorder,
  FULL_SCREEN_ENTRY_CHARS,
  visibleKeys,
  type CapturedCommand,
} from './command-line.js';

/** Feeds each chunk at the given time and collects the lines. */
function typed(chunks: (string | Uint8Array)[], recorder = new CommandLineRecorder()): CapturedCommand[] {
  return chunks.flatMap((chunk, i) => recorder.input(chunk, (i + 1) * 100));
}
const lines = (commands: CapturedCommand[]) => commands.map((c) => c.line);

const LEFT = '\x1b[D';
const RIGHT = '\x1b[C';
const UP = '\x1b[A';
const DOWN = '\x1b[B';
const HOME = '\x1b[H';
const END = '\x1b[F';
const DELETE = '\x1b[3~';
const PASTE_START = '\x1b[200~';
const PASTE_END = '\x1b[201~';

describe('CommandLineRecorder: typing and Enter', () => {
  it('emits a line on Enter (\\r, as xterm.js sends) with the time of the Enter', () => {
    const recorder = new CommandLineRecorder();
    assert.deepEqual(recorder.input('ls -la', 250), []);
    assert.deepEqual(recorder.input('\r', 900), [{ line: 'ls -la', at: 900, flags: [] }]);
  });

  it('treats \\n and \\r\\n as one Enter each', () => {
    assert.deepEqual(lines(typed(['a\nb\r\nc\r'])), ['a', 'b', 'c']);
  });

  it('does not split a \\r\\n that arrives in two chunks', () => {
    assert.deepEqual(lines(typed(['a\r', '\nb\r'])), ['a', 'b']);
  });

  it('emits nothing for Enter on an empty line', () => {
    assert.deepEqual(typed(['\r', '\r']), []);
  });

  it('keeps multi-byte UTF-8 characters, even when split across chunks', () => {
    const bytes = Buffer.from('echo ü€😀\r', 'utf8');
    const chunks = Array.from(bytes, (b) => Uint8Array.of(b)); // one byte at a time
    assert.deepEqual(lines(typed(chunks)), ['echo ü€😀']);
  });

  it('counts a multi-byte character as one position for Backspace and arrows', () => {
    assert.deepEqual(lines(typed(['a😀b', LEFT, '\x7f', 'X\r'])), ['aXb']);
  });

  it('ignores control characters that do not edit (Ctrl-L, bell)', () => {
    assert.deepEqual(lines(typed(['l\x0cs\x07\r'])), ['ls']);
  });
});

describe('CommandLineRecorder: editing keys', () => {
  it('Backspace deletes before the cursor, as DEL (0x7f) and as BS (0x08)', () => {
    assert.deepEqual(lines(typed(['lss\x7f -l\x08a\r'])), ['ls -a']);
  });

  it('Backspace at the start of the line does nothing', () => {
    assert.deepEqual(lines(typed(['\x7f\x7fok\r'])), ['ok']);
  });

  it('inserts in the middle after moving left, and Right moves back', () => {
    assert.deepEqual(lines(typed(['ech', LEFT, LEFT, 'X', RIGHT, 'Y\r'])), ['eXcYh']);
  });

  it('Home and End in CSI, SS3 and tilde forms, and Ctrl-A / Ctrl-E', () => {
    assert.deepEqual(lines(typed(['bc', HOME, 'a', END, 'd\r'])), ['abcd']);
    assert.deepEqual(lines(typed(['bc', '\x1bOH', 'a', '\x1bOF', 'd\r'])), ['abcd']);
    assert.deepEqual(lines(typed(['bc', '\x1b[1~', 'a', '\x1b[4~', 'd\r'])), ['abcd']);
    assert.deepEqual(lines(typed(['bc\x01a\x05d\r'])), ['abcd']);
  });

  it('SS3 arrows (application cursor mode) move like CSI arrows', () => {
    assert.deepEqual(lines(typed(['ac', '\x1bOD', 'b', '\x1bOC', 'd\r'])), ['abcd']);
  });

  it('Delete removes the character under the cursor', () => {
    assert.deepEqual(lines(typed(['rm -rf /', HOME, DELETE, DELETE, 'ls\r'])), ['ls -rf /']);
    assert.deepEqual(lines(typed(['ab', DELETE, '\r'])), ['ab']);
  });

  it('Ctrl-U kills from the cursor to the start', () => {
    assert.deepEqual(lines(typed(['rm -rf /data\x15ls\r'])), ['ls']);
    assert.deepEqual(lines(typed(['echo keep', LEFT, LEFT, LEFT, LEFT, '\x15\r'])), ['keep']);
  });

  it('Ctrl-W deletes the previous whitespace-delimited word, with the spaces before the cursor', () => {
    assert.deepEqual(lines(typed(['cat /etc/passwd  \x17/etc/hosts\r'])), ['cat /etc/hosts']);
  });

  it('Ctrl-K kills to the end and Ctrl-Y yanks it back', () => {
    assert.deepEqual(lines(typed(['echo a b', LEFT, LEFT, '\x0b', HOME, '\x19\r'])), [' becho a']);
  });

  it('Ctrl-D deletes under the cursor on a non-empty line', () => {
    assert.deepEqual(lines(typed(['abc', HOME, '\x04\r'])), ['bc']);
  });

  it('Ctrl-D on an empty line is recorded as end of input', () => {
    assert.deepEqual(typed(['\x04']), [{ line: '', at: 100, flags: ['eof'] }]);
  });

  it('Ctrl-Left / Alt-B / Ctrl-Right / Alt-F move by words', () => {
    assert.deepEqual(lines(typed(['cp a.txt b', '\x1b[1;5D', '\x1b[1;5D', 'X', '\x1b[1;5C', 'Y\r'])), [
      'cp a.XtxtY b',
    ]);
    assert.deepEqual(lines(typed(['one two', '\x1bb', '_', '\x1bf', '!\r'])), ['one _two!']);
  });

  it('Alt-Backspace and Alt-D kill words', () => {
    assert.deepEqual(lines(typed(['git push origin\x1b\x7f\r'])), ['git push ']);
    assert.deepEqual(lines(typed(['git push origin', HOME, '\x1bd\r'])), [' push origin']);
  });

  it('survives an escape sequence split across chunks', () => {
    assert.deepEqual(lines(typed(['ab', '\x1b', '[', 'D', 'X\r'])), ['aXb']);
    assert.deepEqual(lines(typed(['ab', '\x1b[3', '~\r'])), ['ab']);
  });

  it('ignores unknown CSI sequences (function keys, focus reports)', () => {
    assert.deepEqual(lines(typed(['a\x1b[15~b\x1b[Ic\x1b[Od\r'])), ['abcd']);
  });
});

describe('CommandLineRecorder: Ctrl-C, Tab and history', () => {
  it('Ctrl-C discards the line and records it as cancelled, not as history', () => {
    const recorder = new CommandLineRecorder();
    assert.deepEqual(recorder.input('rm -rf /\x03', 500), [
      { line: 'rm -rf /', at: 500, flags: ['cancelled'] },
    ]);
    assert.deepEqual(recorder.input('ls\r', 600), [{ line: 'ls', at: 600, flags: [] }]);
    assert.deepEqual(lines(recorder.input(`${UP}\r`, 700)), ['ls'], 'Up recalls ls, not the cancelled line');
  });

  it('Ctrl-C on an empty line records nothing', () => {
    assert.deepEqual(typed(['\x03']), []);
  });

  it('flags a line where Tab was pressed: the shell completed text we do not see', () => {
    // The user typed "cat /etc/pas<Tab>" and the shell completed "swd"; only the typed part is known.
    assert.deepEqual(typed(['cat /etc/pas\t\r']), [
      { line: 'cat /etc/pas', at: 100, flags: ['tab-completion'] },
    ]);
  });

  it("Up and Down recall this session's lines and flag them", () => {
    const recorder = new CommandLineRecorder();
    typed(['first\r', 'second\r'], recorder);
    assert.deepEqual(recorder.input(`${UP}${UP}\r`, 1000), [
      { line: 'first', at: 1000, flags: ['history-recall'] },
    ]);
    assert.deepEqual(lines(recorder.input(`${UP}${UP}${DOWN}\r`, 1100)), ['first']);
  });

  it('Down past the newest entry restores the line being edited', () => {
    const recorder = new CommandLineRecorder();
    typed(['old\r'], recorder);
    assert.deepEqual(recorder.input(`draft${UP}${DOWN}\r`, 1000), [
      { line: 'draft', at: 1000, flags: ['history-recall'] },
    ]);
  });

  it('a recalled line can be edited before Enter', () => {
    const recorder = new CommandLineRecorder();
    typed(['kubectl get pods\r'], recorder);
    assert.deepEqual(lines(recorder.input(`${UP}\x7f\x7f\x7f\x7fsvc\r`, 1000)), ['kubectl get svc']);
  });

  it("Up beyond this session's history flags the line (the shell's history file is unknown)", () => {
    assert.deepEqual(typed([`${UP}\r`]), []);
    assert.deepEqual(typed([`${UP}x\r`]), [{ line: 'x', at: 100, flags: ['history-recall'] }]);
  });

  it('Ctrl-R (reverse search) flags the line as recalled; its search text is not a command', () => {
    assert.deepEqual(typed(['\x12ssh\r'])[0]?.flags, ['history-recall']);
  });

  it('keeps at most historyLimit lines of history', () => {
    const recorder = new CommandLineRecorder({ historyLimit: 2 });
    typed(['a\r', 'b\r', 'c\r'], recorder);
    assert.deepEqual(lines(recorder.input(`${UP}${UP}${UP}\r`, 1000)), ['b']);
  });
});

describe('CommandLineRecorder: bracketed paste', () => {
  it('records a pasted line with the paste flag', () => {
    assert.deepEqual(typed([`${PASTE_START}ls -la${PASTE_END}`, '\r']), [
      { line: 'ls -la', at: 200, flags: ['paste'] },
    ]);
  });

  it('turns embedded newlines into separate lines, each flagged paste', () => {
    assert.deepEqual(typed([`${PASTE_START}echo 1\necho 2\r\necho 3${PASTE_END}\r`]), [
      { line: 'echo 1', at: 100, flags: ['paste'] },
      { line: 'echo 2', at: 100, flags: ['paste'] },
      { line: 'echo 3', at: 100, flags: ['paste'] },
    ]);
  });

  it('inserts pasted Tab and control-looking text literally, without completion', () => {
    assert.deepEqual(typed([`${PASTE_START}a\tb${PASTE_END}\r`]), [
      { line: 'a\tb', at: 100, flags: ['paste'] },
    ]);
  });

  it('mixes typed and pasted text on one line', () => {
    assert.deepEqual(typed([`cat ${PASTE_START}/var/log/app.log${PASTE_END} | tail\r`]), [
      { line: 'cat /var/log/app.log | tail', at: 100, flags: ['paste'] },
    ]);
  });

  it('handles paste markers split across chunks', () => {
    assert.deepEqual(lines(typed(['\x1b[20', '0~x\ny', '\x1b[2', '01~', '\r'])), ['x', 'y']);
  });

  it('does not flag lines after the paste ended', () => {
    assert.deepEqual(typed([`${PASTE_START}a\n${PASTE_END}b\r`]), [
      { line: 'a', at: 100, flags: ['paste'] },
      { line: 'b', at: 100, flags: [] },
    ]);
  });
});

describe('CommandLineRecorder: full-screen programs', () => {
  const ENTER_ALT = Buffer.from('1b5b3f3130343968', 'hex'); // ESC [ ? 1 0 4 9 h, as vim/less/top send it
  const LEAVE_ALT = Buffer.from('1b5b3f313034396c', 'hex'); // ESC [ ? 1 0 4 9 l

  it('records keys typed into a full-screen program as typed, flagged, one entry per Enter', () => {
    const recorder = new CommandLineRecorder();
    assert.deepEqual(lines(recorder.input('vim notes.txt\r', 100)), ['vim notes.txt']);
    assert.deepEqual(recorder.output(Buffer.concat([ENTER_ALT, Buffer.from('\x1b[22;0;0t\x1b[1;24r')])), []);
    assert.equal(recorder.inAlternateScreen, true);
    // i, "hello", Enter, ESC, ":wq", Enter — the bytes xterm.js sends.
    const keys = Buffer.from('6968656c6c6f0d1b3a77710d', 'hex');
    assert.deepEqual(recorder.input(keys, 200), [
      { line: 'ihello<Enter>', at: 200, flags: ['full-screen'] },
      { line: '<Esc>:wq<Enter>', at: 200, flags: ['full-screen'] },
    ]);
    assert.deepEqual(recorder.output(Buffer.concat([LEAVE_ALT, Buffer.from('\x1b[23;0;0t')])), []);
    assert.equal(recorder.inAlternateScreen, false);
    assert.deepEqual(recorder.input('ls\r', 300), [{ line: 'ls', at: 300, flags: [] }]);
  });

  it("does not let `printf '\\e[?1049h'` hide the commands typed after it", () => {
    const recorder = new CommandLineRecorder();
    assert.deepEqual(lines(recorder.input("printf '\\e[?1049h'\r", 100)), ["printf '\\e[?1049h'"]);
    recorder.output(Buffer.concat([Buffer.from('\r\n'), ENTER_ALT, Buffer.from('$ ')]));
    // The shell is still reading lines: these run, and must be in the audit.
    assert.deepEqual(recorder.input(Buffer.from('rm -rf /data\r'), 200), [
      { line: 'rm -rf /data<Enter>', at: 200, flags: ['full-screen'] },
    ]);
    assert.deepEqual(recorder.input(Buffer.from('cat /etc/shadow\x7f\x7fw\r'), 300), [
      { line: 'cat /etc/shadow<BS><BS>w<Enter>', at: 300, flags: ['full-screen'] },
    ]);
    recorder.output(Buffer.concat([Buffer.from('printf done'), LEAVE_ALT]));
    assert.deepEqual(recorder.input('id\r', 400), [{ line: 'id', at: 400, flags: [] }]);
  });

  it('writes the keys typed since the last Enter when the program leaves, at the time of the last key', () => {
    const recorder = new CommandLineRecorder();
    recorder.output(ENTER_ALT);
    assert.deepEqual(recorder.input(' ', 150), []); // less: next page
    assert.deepEqual(recorder.input('/err', 200), []);
    assert.deepEqual(recorder.input('\x1b[6~q', 300), []);
    assert.deepEqual(recorder.output(LEAVE_ALT), [
      { line: ' /err<PageDown>q', at: 300, flags: ['full-screen'] },
    ]);
    assert.deepEqual(recorder.output('$ '), []);
  });

  it('writes unfinished full-screen keys when the session ends inside the program', () => {
    const recorder = new CommandLineRecorder();
    recorder.output(ENTER_ALT);
    recorder.input('top\x1b', 100);
    recorder.input('OA', 150);
    assert.deepEqual(recorder.end(900), [{ line: 'top<Up>', at: 150, flags: ['full-screen'] }]);
  });

  it('carries a half-typed line into the first full-screen entry instead of dropping it', () => {
    const recorder = new CommandLineRecorder();
    recorder.input('rm -rf /x', 100);
    recorder.output(ENTER_ALT);
    assert.deepEqual(recorder.input('\r', 200), [
      { line: 'rm -rf /x<Enter>', at: 200, flags: ['full-screen'] },
    ]);
    const other = new CommandLineRecorder();
    other.input('partial', 100);
    assert.deepEqual(other.output(ENTER_ALT), []);
    assert.deepEqual(other.output(LEAVE_ALT), [{ line: 'partial', at: 100, flags: ['full-screen'] }]);
    assert.deepEqual(lines(other.input('ok\r', 200)), ['ok']);
  });

  it('keeps an escape sequence split across input chunks whole', () => {
    const recorder = new CommandLineRecorder();
    recorder.output(ENTER_ALT);
    const chunks = [
      Uint8Array.of(0x1b),
      Uint8Array.of(0x5b),
      Uint8Array.of(0x31, 0x3b, 0x35),
      Uint8Array.of(0x44, 0x0d),
    ];
    assert.deepEqual(
      chunks.flatMap((c) => recorder.input(c, 10)),
      [{ line: '<C-Left><Enter>', at: 10, flags: ['full-screen'] }],
    );
  });

  it('cuts a long run of keys without Enter into entries, never inside an escape sequence', () => {
    const recorder = new CommandLineRecorder();
    recorder.output(ENTER_ALT);
    const filler = 'x'.repeat(FULL_SCREEN_ENTRY_CHARS - 2);
    const out = recorder.input(`${filler}\x1b[A${'y'.repeat(10)}`, 5);
    assert.deepEqual(out, [{ line: `${filler}<Up>`, at: 5, flags: ['full-screen'] }]);
    assert.deepEqual(recorder.end(6), [{ line: 'y'.repeat(10), at: 5, flags: ['full-screen'] }]);
  });

  it('treats bracketed paste and editing keys inside the program as keys, not as line editing', () => {
    const recorder = new CommandLineRecorder();
    recorder.output(ENTER_ALT);
    assert.deepEqual(lines(recorder.input('\x1b[200~a\tb\x1b[201~\x03', 1)), []);
    assert.deepEqual(lines(recorder.end(2)), ['<PasteStart>a<Tab>b<PasteEnd><C-c>']);
  });

  it('notices the alternate-screen switch when split across output chunks', () => {
    const recorder = new CommandLineRecorder();
    recorder.output(Buffer.from('prompt$ \x1b[?10'));
    recorder.output(Buffer.from('49h'));
    assert.equal(recorder.inAlternateScreen, true);
    recorder.output('\x1b[');
    recorder.output('?1049l');
    assert.equal(recorder.inAlternateScreen, false);
  });

  it('recognises the older 47 and 1047 modes and takes the last switch in a chunk', () => {
    const recorder = new CommandLineRecorder();
    recorder.output('\x1b[?47h');
    assert.equal(recorder.inAlternateScreen, true);
    recorder.output('\x1b[?1047l text \x1b[?1049h');
    assert.equal(recorder.inAlternateScreen, true);
    recorder.output('\x1b[?1049h more \x1b[?1049l');
    assert.equal(recorder.inAlternateScreen, false);
  });
});

describe('visibleKeys', () => {
  const cases: [string, string, string][] = [
    ['printable text, Unicode included', 'ls -la ü€😀', 'ls -la ü€😀'],
    ['Enter, newline, Tab, Backspace (DEL) and Esc', '\r\n\t\x7f\x1b', '<Enter><NL><Tab><BS><Esc>'],
    [
      'Ctrl- letters and the other C0 controls',
      '\x01\x03\x08\x1a\x00\x1c\x1d\x1e\x1f',
      '<C-a><C-c><C-h><C-z><C-@><C-\\><C-]><C-^><C-_>',
    ],
    ['a literal < so that a typed "<Enter>" cannot pass for the key', '<Enter>', '<lt>Enter>'],
    [
      'arrows in CSI and SS3 form, Home and End',
      '\x1b[A\x1b[B\x1bOC\x1bOD\x1b[H\x1b[F',
      '<Up><Down><Right><Left><Home><End>',
    ],
    ['modified arrows', '\x1b[1;5D\x1b[1;3C\x1b[1;2A\x1b[1;6B', '<C-Left><M-Right><S-Up><C-S-Down>'],
    [
      'tilde keys and function keys',
      '\x1b[2~\x1b[3~\x1b[5~\x1b[6~\x1b[1~\x1b[4~\x1bOP\x1b[15~\x1b[24~',
      '<Insert><Del><PageUp><PageDown><Home><End><F1><F5><F12>',
    ],
    ['a modified tilde key', '\x1b[3;5~', '<C-Del>'],
    ['Alt-key as the Esc and the key it is sent as', '\x1bb\x1b.\x1b<', '<Esc>b<Esc>.<Esc><lt>'],
    [
      'Shift-Tab, focus reports and mouse reports',
      '\x1b[Z\x1b[I\x1b[O\x1b[<0;10;5M\x1b[<0;10;5m\x1b[M !!',
      '<S-Tab><FocusIn><FocusOut><Mouse><Mouse><Mouse>',
    ],
    ['an unknown CSI sequence as Esc and its characters', '\x1b[?25h\x1b[99x', '<Esc>[?25h<Esc>[99x'],
    ['an unfinished sequence at the end', 'a\x1b[1;', 'a<Esc>[1;'],
    ['ESC ESC', '\x1b\x1b[A', '<Esc><Up>'],
    [
      'C1 controls, separators and bidi overrides by code point',
      '\u0085\u009b\u2028\u202e\u2066',
      '<U+0085><U+009B><U+2028><U+202E><U+2066>',
    ],
    ['a lone surrogate by code point', 'a\ud800b', 'a<U+D800>b'],
  ];
  for (const [name, raw, shown] of cases) {
    it(`shows ${name}`, () => assert.equal(visibleKeys(raw), shown));
  }
});

describe('CommandLineRecorder: end of session', () => {
  it('returns an unfinished line as cancelled', () => {
    const recorder = new CommandLineRecorder();
    recorder.input('shutdown -h no', 100);
    assert.deepEqual(recorder.end(5000), [{ line: 'shutdown -h no', at: 5000, flags: ['cancelled'] }]);
  });

  it('returns nothing when the line is empty', () => {
    const recorder = new CommandLineRecorder();
    recorder.input('ls\r', 100);
    assert.deepEqual(recorder.end(200), []);
  });
});

describe('CommandLineRecorder: known limits (documented, pinned so changes are deliberate)', () => {
  it('vi mode is not modelled: ESC then a letter is read as an Alt- key', () => {
    // In `set -o vi`, "ESC 0 i X" would insert X at the start; here ESC-0 is ignored and text is appended.
    assert.deepEqual(lines(typed(['abc\x1b0iX\r'])), ['abciX']);
  });

  it('text typed into a program reading stdin (not the shell) is recorded like a command', () => {
    // e.g. the answer to a `read -s` password prompt: echo was off, the line is still captured.
    assert.deepEqual(lines(typed(['sudo -k true\r', 'hunter2\r'])), ['sudo -k true', 'hunter2']);
  });
});
