import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { paletteColor, parseAnsi, stripAnsi } from './ansi.js';

const E = '\u001b';

describe('parseAnsi', () => {
  test('returns plain text as one unstyled segment', () => {
    assert.deepEqual(parseAnsi('hello'), [{ text: 'hello' }]);
    assert.deepEqual(parseAnsi(''), []);
  });

  test('applies basic and bright foreground and background colours', () => {
    assert.deepEqual(parseAnsi(`${E}[31mred${E}[0m plain`), [{ text: 'red', fg: 'red' }, { text: ' plain' }]);
    assert.deepEqual(parseAnsi(`${E}[94;103mx`), [{ text: 'x', fg: 'bright-blue', bg: 'bright-yellow' }]);
    assert.deepEqual(parseAnsi(`${E}[47mx${E}[49my`), [{ text: 'x', bg: 'white' }, { text: 'y' }]);
  });

  test('treats an empty parameter list as reset', () => {
    assert.deepEqual(parseAnsi(`${E}[1;32mok${E}[m done`), [
      { text: 'ok', bold: true, fg: 'green' },
      { text: ' done' },
    ]);
  });

  test('turns attributes on and off', () => {
    assert.deepEqual(parseAnsi(`${E}[1;2;3;4;7ma${E}[22mb${E}[23;24;27mc`), [
      { text: 'a', bold: true, dim: true, italic: true, underline: true, inverse: true },
      { text: 'b', italic: true, underline: true, inverse: true },
      { text: 'c' },
    ]);
  });

  test('resets only the foreground with 39', () => {
    assert.deepEqual(parseAnsi(`${E}[31;42;1mx${E}[39my`), [
      { text: 'x', fg: 'red', bg: 'green', bold: true },
      { text: 'y', bg: 'green', bold: true },
    ]);
  });

  test('maps 256-colour indexes: names below 16, the 6×6×6 cube, the grey ramp', () => {
    assert.deepEqual(parseAnsi(`${E}[38;5;9mx`), [{ text: 'x', fg: 'bright-red' }]);
    assert.deepEqual(parseAnsi(`${E}[38;5;196mx`), [{ text: 'x', fg: '#ff0000' }]);
    assert.deepEqual(parseAnsi(`${E}[48;5;16mx`), [{ text: 'x', bg: '#000000' }]);
    assert.deepEqual(parseAnsi(`${E}[38;5;110mx`), [{ text: 'x', fg: '#87afd7' }]);
    assert.deepEqual(parseAnsi(`${E}[38;5;232mx`), [{ text: 'x', fg: '#080808' }]);
    assert.deepEqual(parseAnsi(`${E}[38;5;255mx`), [{ text: 'x', fg: '#eeeeee' }]);
  });

  test('computes the whole xterm palette as valid hex beyond the first 16', () => {
    for (let i = 16; i < 256; i++) assert.match(paletteColor(i), /^#[0-9a-f]{6}$/);
    assert.equal(paletteColor(231), '#ffffff');
  });

  test('applies truecolour in semicolon and colon forms', () => {
    assert.deepEqual(parseAnsi(`${E}[38;2;255;128;0mx`), [{ text: 'x', fg: '#ff8000' }]);
    assert.deepEqual(parseAnsi(`${E}[48;2;1;2;3mx`), [{ text: 'x', bg: '#010203' }]);
    assert.deepEqual(parseAnsi(`${E}[38:2::10:20:30mx`), [{ text: 'x', fg: '#0a141e' }]);
    assert.deepEqual(parseAnsi(`${E}[38:2:10:20:30mx`), [{ text: 'x', fg: '#0a141e' }]);
    assert.deepEqual(parseAnsi(`${E}[48:5:21mx`), [{ text: 'x', bg: '#0000ff' }]);
  });

  test('continues with later parameters after an extended colour', () => {
    assert.deepEqual(parseAnsi(`${E}[38;5;1;1mx`), [{ text: 'x', fg: 'red', bold: true }]);
    assert.deepEqual(parseAnsi(`${E}[38;2;1;2;3;4mx`), [{ text: 'x', fg: '#010203', underline: true }]);
  });

  test('ignores out-of-range or incomplete extended colours', () => {
    assert.deepEqual(parseAnsi(`${E}[38;5;256mx`), [{ text: 'x' }]);
    assert.deepEqual(parseAnsi(`${E}[38;2;300;0;0mx`), [{ text: 'x' }]);
    assert.deepEqual(parseAnsi(`${E}[38;5mx`), [{ text: 'x' }]);
  });

  test('ignores SGR codes it does not render (blink, strike-through)', () => {
    assert.deepEqual(parseAnsi(`${E}[5;9mx`), [{ text: 'x' }]);
  });

  test('merges neighbouring segments with the same style', () => {
    assert.deepEqual(parseAnsi(`${E}[31ma${E}[31mb${E}[5mc`), [{ text: 'abc', fg: 'red' }]);
  });

  const stripped: [string, string, string][] = [
    ['cursor movement', `a${E}[2Kb${E}[10;20Hc${E}[1A`, 'abc'],
    ['private-mode CSI', `a${E}[?25lb${E}[?1049hc`, 'abc'],
    ['a private-mode sequence ending in m', `a${E}[>4;2mb`, 'ab'],
    ['OSC terminated by BEL', `a${E}]0;window title${'\u0007'}b`, 'ab'],
    ['an OSC 8 hyperlink terminated by ST', `${E}]8;;https://x.example${E}\\link${E}]8;;${E}\\`, 'link'],
    ['DCS terminated by ST', `a${E}Pq#0;1;2${E}\\b`, 'ab'],
    ['an unterminated OSC', `a${E}]0;title with no end`, 'a'],
    ['charset selection', `a${E}(Bb${E})0c`, 'abc'],
    ['save/restore cursor and keypad modes', `a${E}7b${E}8c${E}=d${E}>`, 'abcd'],
    ['a CSI cut off at the end of the line', `abc${E}[31;4`, 'abc'],
    ['a lone ESC at the end', `abc${E}`, 'abc'],
    ['other control characters', `a\u0000b\u0007c\u0008d\u007fe\rf`, 'abcdef'],
  ];
  for (const [name, input, text] of stripped) {
    test(`strips ${name} without leaking escape bytes`, () => {
      const segments = parseAnsi(input);
      const joined = segments.map((s) => s.text).join('');
      assert.equal(joined, text);
      assert.doesNotMatch(joined, /[\u0000-\u0008\u000b-\u001f\u007f]/);
    });
  }

  test('keeps tabs', () => {
    assert.deepEqual(parseAnsi('a\tb'), [{ text: 'a\tb' }]);
  });

  test('shows what follows a malformed CSI instead of swallowing the line', () => {
    assert.equal(stripAnsi(`${E}[12\u0001visible`), 'visible');
  });

  test('returns data only: markup in a log line stays literal text', () => {
    assert.deepEqual(parseAnsi(`${E}[31m<img src=x onerror=alert(1)>`), [
      { text: '<img src=x onerror=alert(1)>', fg: 'red' },
    ]);
  });

  test('handles a long coloured line in linear time', () => {
    const line = `${E}[32m ok ${E}[0m`.repeat(50_000);
    const segments = parseAnsi(line);
    assert.equal(segments.length, 1);
    assert.equal(segments[0]!.text.length, 4 * 50_000);
  });
});

describe('stripAnsi', () => {
  test('removes styles and leaves the text', () => {
    assert.equal(stripAnsi(`${E}[1;31mERROR${E}[0m: boom`), 'ERROR: boom');
  });

  test('removes the same control characters as parseAnsi', () => {
    const input = 'a\nb\u0000c\td';
    assert.equal(
      stripAnsi(input),
      parseAnsi(input)
        .map((s) => s.text)
        .join(''),
    );
  });

  test('returns escape-free text unchanged', () => {
    assert.equal(stripAnsi('plain [31m text'), 'plain [31m text');
  });
});
