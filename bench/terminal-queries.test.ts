import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readinessProbe, TerminalQueryAnswerer } from './terminal-queries.js';

describe('TerminalQueryAnswerer', () => {
  it('answers busybox ash’s cursor query with where the prompt left the cursor', () => {
    const t = new TerminalQueryAnswerer();
    assert.equal(t.feed('/ # \x1b[6n'), '\x1b[1;5R');
    assert.equal(t.feed('ls\r\nbin  etc\r\n/ # \x1b[6n'), '\x1b[3;5R');
  });

  it('answers a query split across chunks once, and the status query', () => {
    const t = new TerminalQueryAnswerer();
    assert.equal(t.feed('# \x1b'), '');
    assert.equal(t.feed('[6'), '');
    assert.equal(t.feed('n'), '\x1b[1;3R');
    assert.equal(t.feed('\x1b[5n'), '\x1b[0n');
  });

  it('ignores colours and other sequences (no reply, no column)', () => {
    const t = new TerminalQueryAnswerer();
    assert.equal(t.feed('\x1b[1;32mroot\x1b[0m:~# \x1b[?2004h'), '');
    assert.equal(t.feed('\x1b[6n'), '\x1b[1;9R');
  });

  it('answers every query, never more than asked', () => {
    const t = new TerminalQueryAnswerer();
    assert.equal(t.feed('\x1b[6n\x1b[6n'), '\x1b[1;1R\x1b[1;1R');
    assert.equal(t.feed('plain output without queries\r\n'), '');
  });
});

describe('readinessProbe', () => {
  it('its output shows the marker, its echo does not', () => {
    const p = readinessProbe('BENCH_READY_42');
    assert.equal(p.line, "echo BENCH_R''EADY_42\r");
    assert.equal(p.seen("/ # echo BENCH_R''EADY_42\r\n"), false);
    assert.equal(p.seen("/ # echo BENCH_R''EADY_42\r\nBENCH_READY_42\r\n/ # "), true);
    assert.throws(() => readinessProbe('a b'), /marker/);
  });
});
