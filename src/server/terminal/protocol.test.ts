import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  exitMessage,
  MAX_COMMAND_ARGS,
  parseClientMessage,
  parseCommand,
  parseSize,
  recordingStoppedMessage,
} from './protocol.js';

describe('parseClientMessage', () => {
  it('accepts a resize', () => {
    assert.deepEqual(parseClientMessage('{"type":"resize","cols":120,"rows":40}'), {
      ok: true,
      value: { type: 'resize', cols: 120, rows: 40 },
    });
  });

  const bad: [string, RegExp][] = [
    ['not json', /must be a JSON control message/],
    ['[1,2]', /JSON object with a "type"/],
    ['null', /JSON object/],
    ['{"type":"paste"}', /Unknown control message type "paste"/],
    ['{"cols":1}', /Unknown control message type missing/],
    ['{"type":"resize","cols":0,"rows":24}', /cols must be a whole number from 1 to 1000 \(got 0\)/],
    ['{"type":"resize","cols":80,"rows":1001}', /rows must be .* \(got 1001\)/],
    ['{"type":"resize","cols":80.5,"rows":24}', /cols/],
    ['{"type":"resize","cols":"80","rows":24}', /cols/],
    ['{"type":"resize","cols":80}', /rows must be .* \(got nothing\)/],
    [`{"type":"resize","pad":"${'x'.repeat(5000)}"}`, /at most 4096 bytes/],
  ];
  for (const [text, message] of bad) {
    it(`rejects ${text.slice(0, 50)}`, () => {
      const r = parseClientMessage(text);
      assert.ok(!r.ok);
      assert.match(r.error, message);
    });
  }
});

describe('parseSize', () => {
  it('accepts query-string digits', () => {
    assert.deepEqual(parseSize('80', '24', true), { ok: true, value: { cols: 80, rows: 24 } });
  });
  it('rejects non-digits and out-of-range strings', () => {
    for (const [c, r] of [
      ['80x', '24'],
      ['-1', '24'],
      ['80', '0'],
      ['1e2', '24'],
      ['80', '99999'],
    ]) {
      assert.equal(parseSize(c, r, true).ok, false, `${c} ${r}`);
    }
  });
});

describe('parseCommand', () => {
  it('is null when absent, an argv otherwise', () => {
    assert.deepEqual(parseCommand(undefined), { ok: true, value: null });
    assert.deepEqual(parseCommand('top'), { ok: true, value: ['top'] });
    assert.deepEqual(parseCommand(['sh', '-c', 'echo "a b"; ls']), {
      ok: true,
      value: ['sh', '-c', 'echo "a b"; ls'],
    });
  });
  it('rejects empty, oversized and NUL-carrying commands', () => {
    assert.match((parseCommand('') as { error: string }).error, /must start with a program name/);
    assert.match((parseCommand(['  ', 'x']) as { error: string }).error, /program name/);
    assert.match(
      (parseCommand(Array(MAX_COMMAND_ARGS + 1).fill('a')) as { error: string }).error,
      /at most 64 words/,
    );
    assert.match((parseCommand(['ls', 'a\0b']) as { error: string }).error, /NUL/);
    assert.match(
      (parseCommand(['echo', 'x'.repeat(17000)]) as { error: string }).error,
      /at most 16384 characters/,
    );
  });
});

describe('exitMessage', () => {
  it('says how the process ended', () => {
    assert.deepEqual(exitMessage({ kind: 'success' }), {
      code: 0,
      message: 'The process exited with code 0.',
    });
    assert.deepEqual(exitMessage({ kind: 'exit', code: 3 }), {
      code: 3,
      message: 'The process exited with code 3.',
    });
    assert.equal(exitMessage({ kind: 'failure', message: 'boom' }).code, null);
  });
});

describe('recordingStoppedMessage', () => {
  it('names the limit exactly, in the largest whole unit', () => {
    assert.match(
      recordingStoppedMessage(256 * 1024 * 1024),
      /^The session recording reached its size limit of 256 MiB and has stopped; the terminal goes on\./,
    );
    assert.match(recordingStoppedMessage(2 * 1024 ** 3), /limit of 2 GiB /);
    assert.match(recordingStoppedMessage(4096), /limit of 4 KiB /);
    assert.match(recordingStoppedMessage(1500), /limit of 1500 bytes /);
    assert.match(recordingStoppedMessage(1500), /the audit record notes that the recording is incomplete\.$/);
  });
});
