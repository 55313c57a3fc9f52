import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseAnsi, stripAnsi, type AnsiSegment } from './ansi.js';

const ESC = '\x1b';
const isStripped = (c: number) => (c < 0x20 && c !== 0x09) || c === 0x7f;

/** Text a log line shows: anything but ESC and the control characters the parser drops. */
const plain = fc
  .string({ unit: 'binary', maxLength: 8 })
  .map((s) => [...s].filter((c) => !isStripped(c.codePointAt(0) as number)).join(''));

/** Well-formed escape sequences of every family the parser knows: they must vanish whole. */
const sgrParam = fc.oneof(
  fc.integer({ min: 0, max: 109 }).map(String),
  fc.constantFrom('38;5;196', '48;5;17', '38;2;255;0;10', '48;2;1;2;3', '38:2::10:20:30', '4:3', ''),
);
const escape = fc.oneof(
  fc.array(sgrParam, { maxLength: 4 }).map((p) => `${ESC}[${p.join(';')}m`),
  // Other CSI: cursor moves, erase, private modes (parameters 0x30–0x3F, intermediates, a final byte).
  fc
    .tuple(
      fc.stringMatching(/^[\x30-\x3f]{0,6}$/),
      fc.stringMatching(/^[\x20-\x2f]{0,2}$/),
      fc.integer({ min: 0x40, max: 0x7e }),
    )
    .map(([params, inter, final]) => `${ESC}[${params}${inter}${String.fromCharCode(final)}`),
  // OSC (title, hyperlink) ended by BEL or ST; DCS/SOS/PM/APC ended by ST.
  fc
    .tuple(fc.stringMatching(/^[\x20-\x7e]{0,12}$/), fc.constantFrom('\x07', `${ESC}\\`))
    .map(([body, end]) => `${ESC}]${body.replace(/\x1b/g, '')}${end}`),
  fc
    .tuple(fc.constantFrom('P', 'X', '^', '_'), fc.stringMatching(/^[\x20-\x7e]{0,12}$/))
    .map(([kind, body]) => `${ESC}${kind}${body}${ESC}\\`),
  // Two-byte and intermediate escapes (charset selection, keypad modes, RIS…).
  fc
    .tuple(fc.stringMatching(/^[\x20-\x2f]{0,2}$/), fc.integer({ min: 0x30, max: 0x7e }))
    .filter(([inter, final]) => inter !== '' || !'[]PX^_'.includes(String.fromCharCode(final)))
    .map(([inter, final]) => `${ESC}${inter}${String.fromCharCode(final)}`),
);

/** Any text at all, biased towards escapes and their pieces. */
const messy = fc
  .array(
    fc.oneof(
      plain,
      escape,
      fc.constantFrom(ESC, `${ESC}[`, `${ESC}]`, '\x07', '\r', '\n', '\x00', ';', 'm', '\u009b'),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));
const anyText = fc.oneof(
  messy,
  fc.string({ unit: 'binary-ascii', maxLength: 30 }),
  fc.string({ maxLength: 30 }),
);

const text = (segments: AnsiSegment[]) => segments.map((s) => s.text).join('');
const style = ({ text: _text, ...rest }: AnsiSegment) => rest;

describe('ANSI parser properties', () => {
  it('never throws, and yields only non-empty segments free of ESC and dropped controls', () => {
    fc.assert(
      fc.property(anyText, (input) => {
        const segments = parseAnsi(input);
        for (const s of segments) {
          assert.notEqual(s.text, '');
          for (const c of s.text) assert.ok(!isStripped(c.codePointAt(0) as number), JSON.stringify(s.text));
        }
      }),
    );
  });

  it('keeps exactly the text between well-formed escape sequences', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(plain, escape), { maxLength: 8 }), plain, (pairs, last) => {
        const input = pairs.map(([p, e]) => p + e).join('') + last;
        assert.equal(text(parseAnsi(input)), pairs.map(([p]) => p).join('') + last);
      }),
    );
  });

  it('merges neighbours of the same style, so consecutive segments always differ in style', () => {
    fc.assert(
      fc.property(anyText, (input) => {
        const segments = parseAnsi(input);
        for (let i = 1; i < segments.length; i++) {
          assert.notDeepEqual(style(segments[i] as AnsiSegment), style(segments[i - 1] as AnsiSegment));
        }
      }),
    );
  });

  it('joins text on both sides of a style change that changes nothing into one segment', () => {
    const sgr = fc.array(sgrParam, { maxLength: 4 }).map((p) => `${ESC}[${p.join(';')}m`);
    const nonEmpty = plain.filter((p) => p !== '');
    fc.assert(
      fc.property(sgr, nonEmpty, nonEmpty, (set, before, after) => {
        // Applying the same SGR twice leaves the style as the first application made it.
        const segments = parseAnsi(`${set}${before}${set}${after}`);
        assert.equal(segments.length, 1);
        assert.equal(segments[0]?.text, before + after);
      }),
    );
  });

  it('gives colours only as palette names or #rrggbb', () => {
    const color = /^(#[0-9a-f]{6}|(bright-)?(black|red|green|yellow|blue|magenta|cyan|white))$/;
    fc.assert(
      fc.property(anyText, (input) => {
        for (const s of parseAnsi(input)) {
          if (s.fg !== undefined) assert.match(s.fg, color);
          if (s.bg !== undefined) assert.match(s.bg, color);
        }
      }),
    );
  });

  it('strips to the same text the segments carry, and leaves text without controls untouched', () => {
    fc.assert(
      fc.property(anyText, (input) => {
        assert.equal(stripAnsi(input), text(parseAnsi(input)));
      }),
    );
    fc.assert(
      fc.property(plain, (input) => {
        assert.equal(stripAnsi(input), input);
      }),
    );
  });
});
