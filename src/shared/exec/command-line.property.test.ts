import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  anyUtf16,
  cutAt,
  cutCodePoints,
  cutPoints,
  utf8ishBytes,
} from '../../../test/support/arbitraries.js';
import { CommandLineRecorder, visibleKeys, type CapturedCommand } from './command-line.js';

/** A character the line editor inserts as typed: not a C0/C1 control, not DEL. */
const isPrintable = (c: string) => {
  const code = c.codePointAt(0) as number;
  return code >= 0x20 && code !== 0x7f && !(code >= 0x80 && code < 0xa0);
};
const printableLine = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 30 })
  .map((s) => [...s].filter(isPrintable).join(''))
  .filter((s) => s !== '');

/** Keys as a terminal sends them: text, controls, escape sequences, paste markers, and pieces of those. */
const key = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 4 }),
  fc.constantFrom(
    '\r',
    '\n',
    '\x7f',
    '\b',
    '\x03',
    '\x04',
    '\t',
    '\x15',
    '\x17',
    '\x0b',
    '\x19',
    '\x01',
    '\x05',
    '\x02',
    '\x06',
    '\x10',
    '\x0e',
    '\x12',
    '\x1b',
    '\x1b[',
    '\x1b[A',
    '\x1b[B',
    '\x1b[C',
    '\x1b[D',
    '\x1b[H',
    '\x1b[F',
    '\x1b[3~',
    '\x1b[1;5D',
    '\x1b[1;5C',
    '\x1bOA',
    '\x1bOD',
    '\x1bb',
    '\x1bf',
    '\x1bd',
    '\x1b\x7f',
    '\x1b[200~',
    '\x1b[201~',
    '\x1b[9999999999999999999999999999999999~',
  ),
);
/** Terminal output, with alternate-screen switches among other escapes. */
const outputChunk = fc.oneof(
  fc.constantFrom('\x1b[?1049h', '\x1b[?1049l', '\x1b[?47h', '\x1b[?1047l', '\x1b[?10', '49h', '$ ', '\r\n'),
  fc.string({ maxLength: 6 }),
);
type Step = { kind: 'input'; data: string | Uint8Array } | { kind: 'output'; data: string | Uint8Array };
const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: key.map((data) => ({ kind: 'input' as const, data })), weight: 4 },
  {
    arbitrary: fc.oneof(utf8ishBytes(8), anyUtf16(6)).map((data) => ({ kind: 'input' as const, data })),
    weight: 1,
  },
  { arbitrary: outputChunk.map((data) => ({ kind: 'output' as const, data })), weight: 1 },
);

function run(steps: Step[], recorder = new CommandLineRecorder({ historyLimit: 5 })): CapturedCommand[] {
  const commands: CapturedCommand[] = [];
  steps.forEach((s, i) => {
    if (s.kind === 'input') commands.push(...recorder.input(s.data, i));
    else recorder.output(s.data);
  });
  commands.push(...recorder.end(steps.length));
  return commands;
}

describe('CommandLineRecorder properties', () => {
  it('never throws on any mix of keys, bytes and output, and records well-formed entries', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        for (const c of run(steps)) {
          assert.equal(typeof c.line, 'string');
          assert.ok(c.at >= 0 && c.at <= steps.length);
          assert.equal(new Set(c.flags).size, c.flags.length);
          if (c.flags.includes('eof')) assert.equal(c.line, '');
          else assert.notEqual(c.line, '');
        }
      }),
    );
  });

  it('records a printable line typed then Enter as exactly that line, however it is cut into chunks', () => {
    fc.assert(
      fc.property(printableLine, cutPoints, fc.constantFrom('\r', '\n', '\r\n'), (line, cuts, enter) => {
        const recorder = new CommandLineRecorder();
        const chunks = [...cutCodePoints(line, cuts), enter];
        assert.deepEqual(
          chunks.flatMap((chunk, i) => recorder.input(chunk, i)),
          [{ line, at: chunks.length - 1, flags: [] }],
        );
        assert.deepEqual(recorder.end(99), []);
      }),
    );
  });

  it('gives the same lines from UTF-8 bytes cut anywhere as from the text', () => {
    fc.assert(
      fc.property(fc.array(printableLine, { minLength: 1, maxLength: 4 }), cutPoints, (lines, cuts) => {
        const typed = lines.map((l) => `${l}\r`).join('');
        const recorder = new CommandLineRecorder();
        const fromBytes = cutAt(Buffer.from(typed, 'utf8'), cuts).flatMap((chunk) =>
          recorder.input(chunk, 0),
        );
        assert.deepEqual(
          fromBytes.map((c) => c.line),
          lines,
        );
      }),
    );
  });

  it('edits like a line editor: inserts, Backspace, Delete, arrows, Home and End', () => {
    type Edit = { key: string; apply: (s: { text: string[]; cursor: number }) => void };
    const edits: fc.Arbitrary<Edit> = fc.oneof(
      printableLine.map<Edit>((t) => ({
        key: t,
        apply: (s) => {
          s.text.splice(s.cursor, 0, ...t);
          s.cursor += [...t].length;
        },
      })),
      fc.constantFrom<Edit>(
        {
          key: '\x7f',
          apply: (s) => {
            if (s.cursor > 0) s.text.splice(--s.cursor, 1);
          },
        },
        { key: '\x1b[3~', apply: (s) => void s.text.splice(s.cursor, 1) },
        { key: '\x1b[D', apply: (s) => void (s.cursor = Math.max(0, s.cursor - 1)) },
        { key: '\x1b[C', apply: (s) => void (s.cursor = Math.min(s.text.length, s.cursor + 1)) },
        { key: '\x1b[H', apply: (s) => void (s.cursor = 0) },
        { key: '\x1b[F', apply: (s) => void (s.cursor = s.text.length) },
        { key: '\x01', apply: (s) => void (s.cursor = 0) },
        { key: '\x05', apply: (s) => void (s.cursor = s.text.length) },
      ),
    );
    fc.assert(
      fc.property(fc.array(edits, { maxLength: 20 }), (list) => {
        const model = { text: [] as string[], cursor: 0 };
        for (const e of list) e.apply(model);
        const recorder = new CommandLineRecorder();
        const typed = list.map((e) => e.key).join('');
        const lines = recorder.input(`${typed}\r`, 5).map((c) => c.line);
        const expected = model.text.join('');
        assert.deepEqual(lines, expected === '' ? [] : [expected]);
      }),
    );
  });

  it('records a line cancelled with Ctrl-C as cancelled, and leaves it out of history', () => {
    fc.assert(
      fc.property(printableLine, printableLine, (kept, cancelled) => {
        const recorder = new CommandLineRecorder();
        const out = recorder.input(`${kept}\r${cancelled}\x03\x1b[A\r`, 1);
        assert.deepEqual(out, [
          { line: kept, at: 1, flags: [] },
          { line: cancelled, at: 1, flags: ['cancelled'] },
          { line: kept, at: 1, flags: ['history-recall'] },
        ]);
      }),
    );
  });

  it('loses no key typed while a full-screen program runs: the entries, joined, show every key in order', () => {
    const typedAhead = fc.oneof(fc.constant(''), printableLine);
    fc.assert(
      fc.property(typedAhead, fc.array(key, { maxLength: 20 }), (ahead, keys) => {
        const recorder = new CommandLineRecorder();
        assert.deepEqual(recorder.input(ahead, 0), []);
        recorder.output('\x1b[?1049h');
        const entries = keys.flatMap((k, i) => recorder.input(k, i + 1));
        entries.push(...recorder.output('\x1b[?1049l'));
        for (const e of entries) assert.deepEqual(e.flags, ['full-screen']);
        // A line half-typed at the switch is carried into the first entry.
        assert.equal(entries.map((e) => e.line).join(''), visibleKeys(ahead + keys.join('')));
      }),
    );
  });

  it('returns to line reconstruction when the program leaves the alternate screen', () => {
    fc.assert(
      fc.property(fc.array(key, { maxLength: 10 }), cutPoints, printableLine, (keys, cuts, line) => {
        const recorder = new CommandLineRecorder();
        // The switches arrive cut anywhere, as output frames are.
        for (const piece of cutAt(Buffer.from('$ vim\r\n\x1b[?1049h\x1b[1;1H'), cuts)) recorder.output(piece);
        keys.forEach((k, i) => recorder.input(k, i));
        for (const piece of cutAt(Buffer.from('\x1b[?1049l$ '), cuts)) recorder.output(piece);
        assert.equal(recorder.inAlternateScreen, false);
        assert.deepEqual(recorder.input(`${line}\r`, 99), [{ line, at: 99, flags: [] }]);
      }),
    );
  });

  it('shows any keys without a raw control or invisible character, never throwing', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(key, { maxLength: 12 }).map((k) => k.join('')),
          anyUtf16(30),
        ),
        (raw) => {
          const shown = visibleKeys(raw);
          assert.doesNotMatch(shown, /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
          // Printable text without '<' and escapes is shown unchanged.
          const plain = [...raw].filter(
            (c) =>
              isPrintable(c) && c !== '<' && !/[\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]/.test(c),
          );
          if (plain.length === [...raw].length) assert.equal(shown, raw);
        },
      ),
    );
  });
});
