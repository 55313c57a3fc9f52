import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  AsciicastWriter,
  limitMarkerText,
  parseAsciicast,
  readAsciicast,
  type RecordingSink,
} from './asciicast.js';

const dir = mkdtempSync(join(tmpdir(), 'podscope-cast-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const STARTED_AT = new Date('2026-01-15T09:00:00.750Z');

/** A sink that keeps what was written and counts fsyncs, with a clock the test moves by hand. */
function memorySink() {
  const chunks: Buffer[] = [];
  const sink = {
    syncs: 0,
    closed: 0,
    failWrites: undefined as Error | undefined,
    text: () => Buffer.concat(chunks).toString('utf8'),
    bytes: () => Buffer.concat(chunks),
    write: async (data: Uint8Array) => {
      if (sink.failWrites) throw sink.failWrites;
      chunks.push(Buffer.from(data));
    },
    sync: async () => {
      sink.syncs++;
    },
    close: async () => {
      sink.closed++;
    },
  } satisfies RecordingSink & Record<string, unknown>;
  return sink;
}

function fakeClock(startMs = 1000) {
  const clock = { ms: startMs, now: () => clock.ms };
  return clock;
}

function writer(
  sink: RecordingSink,
  clock = fakeClock(),
  extra: Partial<ConstructorParameters<typeof AsciicastWriter>[1]> = {},
) {
  return new AsciicastWriter(sink, {
    width: 80,
    height: 24,
    startedAt: STARTED_AT,
    shell: '/bin/bash',
    title: 'alice@prod-eu shop/web-0 app',
    now: clock.now,
    flushIntervalMs: 60_000, // the tests flush by hand
    ...extra,
  });
}

describe('asciicast v2 format', () => {
  it('writes the header line byte-exactly, with unix seconds and TERM/SHELL', async () => {
    const sink = memorySink();
    await writer(sink).close();
    assert.equal(
      sink.text(),
      '{"version":2,"width":80,"height":24,"timestamp":1768467600,"env":{"TERM":"xterm-256color","SHELL":"/bin/bash"},"title":"alice@prod-eu shop/web-0 app"}\n',
    );
  });

  it('leaves out SHELL and title when not given', async () => {
    const sink = memorySink();
    await new AsciicastWriter(sink, {
      width: 100,
      height: 30,
      startedAt: STARTED_AT,
      flushIntervalMs: 60_000,
    }).close();
    assert.equal(
      sink.text(),
      '{"version":2,"width":100,"height":30,"timestamp":1768467600,"env":{"TERM":"xterm-256color"}}\n',
    );
  });

  it('writes output, input and resize events with seconds since the start', async () => {
    const sink = memorySink();
    const clock = fakeClock(5000);
    const w = writer(sink, clock);
    clock.ms = 5250.5;
    w.recordOutput('$ ');
    clock.ms = 6000;
    w.recordInput(Buffer.from('ls\r'));
    clock.ms = 7123.456789;
    w.recordResize(132, 43);
    clock.ms = 8000;
    w.recordOutput(Buffer.from('a\tb "q" \\ \x1b[0m\r\n'));
    await w.close();
    const lines = sink.text().split('\n').slice(1);
    assert.deepEqual(lines, [
      '[0.2505,"o","$ "]',
      '[1,"i","ls\\r"]',
      '[2.123457,"r","132x43"]',
      '[3,"o","a\\tb \\"q\\" \\\\ \\u001b[0m\\r\\n"]',
      '',
    ]);
  });

  it('never lets time go backwards even if the clock does', async () => {
    const sink = memorySink();
    const clock = fakeClock(0);
    const w = writer(sink, clock);
    clock.ms = 2000;
    w.recordOutput('a');
    clock.ms = 1500;
    w.recordOutput('b');
    await w.close();
    assert.deepEqual(
      parseAsciicast(sink.text()).events.map((e) => e[0]),
      [2, 2],
    );
  });

  it('rejects a non-positive size', () => {
    assert.throws(() => writer(memorySink(), fakeClock(), { width: 0 }), /width must be a positive integer/);
  });
});

describe('asciicast UTF-8 handling', () => {
  it('writes a character split across output chunks once, whole', async () => {
    const sink = memorySink();
    const w = writer(sink);
    const euro = Buffer.from('€', 'utf8');
    w.recordOutput(Buffer.from([0x41, euro[0] as number]));
    w.recordOutput(euro.subarray(1));
    await w.close();
    assert.deepEqual(
      parseAsciicast(sink.text()).events.map((e) => e[2]),
      ['A', '€'],
    );
  });

  it('keeps separate decoders for output and input', async () => {
    const sink = memorySink();
    const w = writer(sink);
    const smile = Buffer.from('😀', 'utf8');
    const e = Buffer.from('é', 'utf8');
    w.recordOutput(smile.subarray(0, 2));
    w.recordInput(e.subarray(0, 1));
    w.recordOutput(smile.subarray(2));
    w.recordInput(e.subarray(1));
    await w.close();
    assert.deepEqual(
      parseAsciicast(sink.text()).events.map((ev) => [ev[1], ev[2]]),
      [
        ['o', '😀'],
        ['i', 'é'],
      ],
    );
  });

  it('produces valid UTF-8 for invalid input bytes and flushes an unfinished character at close', async () => {
    const sink = memorySink();
    const w = writer(sink);
    w.recordOutput(Uint8Array.from([0x41, 0xff, 0x42, 0xe2, 0x82]));
    await w.close();
    const bytes = sink.bytes();
    assert.doesNotThrow(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    assert.deepEqual(
      parseAsciicast(sink.text()).events.map((e) => e[2]),
      ['A\ufffdB', '\ufffd'],
    );
  });
});

describe('asciicast durability', () => {
  it('writes buffered events on flush and fsyncs at most once per sync interval', async () => {
    const sink = memorySink();
    const clock = fakeClock(0);
    const w = writer(sink, clock, { syncIntervalMs: 1000 });
    w.recordOutput('one');
    clock.ms = 200;
    await w.flush();
    assert.match(sink.text(), /"one"/);
    assert.equal(sink.syncs, 0, 'no fsync before a second has passed');
    w.recordOutput('two');
    clock.ms = 1000;
    await w.flush();
    assert.equal(sink.syncs, 1);
    w.recordOutput('three');
    clock.ms = 1500;
    await w.flush();
    assert.equal(sink.syncs, 1, 'still within the second after the last fsync');
    clock.ms = 2000;
    await w.flush();
    assert.equal(sink.syncs, 2, 'the unsynced write is synced when the interval has passed');
    clock.ms = 5000;
    await w.flush();
    assert.equal(sink.syncs, 2, 'nothing new: no fsync');
    await w.close();
    assert.equal(sink.syncs, 3, 'close always fsyncs');
    assert.equal(sink.closed, 1);
  });

  it('flushes on its own timer', async () => {
    const sink = memorySink();
    const w = writer(sink, fakeClock(), { flushIntervalMs: 10 });
    w.recordOutput('tick');
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.match(sink.text(), /"tick"/);
    await w.close();
  });

  it('flushes early once the buffer is large, bounding memory', async () => {
    const sink = memorySink();
    const w = writer(sink, fakeClock(), { maxBufferBytes: 100 });
    w.recordOutput('x'.repeat(200));
    await new Promise((resolve) => setImmediate(resolve));
    assert.match(sink.text(), /x{200}/);
    await w.close();
  });

  it('counts what a slow sink has not written yet as its backlog, and nothing once written', async () => {
    const sink = memorySink();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = { ...sink, write: async (data: Uint8Array) => (await gate, sink.write(data)) };
    const w = writer(slow, fakeClock(), { maxBufferBytes: 1000 });
    const header = w.backlogBytes;
    assert.ok(header > 100, 'the header waits too');
    for (let i = 0; i < 10; i++) w.recordOutput('y'.repeat(500)); // each other event starts a write
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(w.backlogBytes > header + 10 * 500, `backlog ${w.backlogBytes}`);
    assert.doesNotMatch(sink.text(), /y{500}/, 'nothing written yet');
    release();
    await w.flush();
    assert.equal(w.backlogBytes, 0);
    assert.equal(sink.text().match(/y{500}/g)?.length, 10);
    await w.close();
  });

  it('drops its backlog once a write failed (the session ends; nothing waits for it)', async () => {
    const sink = memorySink();
    const w = writer(sink, fakeClock(), { onError: () => undefined });
    sink.failWrites = new Error('EIO');
    w.recordOutput('z'.repeat(100));
    await assert.rejects(w.flush(), /EIO/);
    w.recordOutput('after');
    await assert.rejects(w.flush(), /EIO/);
    assert.equal(w.backlogBytes, 0);
    await assert.rejects(w.close(), /EIO/);
  });

  it('is safe to close twice and drops events after close', async () => {
    const sink = memorySink();
    const w = writer(sink);
    await w.close();
    w.recordOutput('late');
    await w.close();
    assert.equal(sink.closed, 1);
    assert.doesNotMatch(sink.text(), /late/);
  });

  it('reports a failed write once, and close rejects with it', async () => {
    const sink = memorySink();
    const errors: Error[] = [];
    const w = writer(sink, fakeClock(), { onError: (e) => errors.push(e) });
    sink.failWrites = new Error('ENOSPC: no space left on device');
    w.recordOutput('x');
    await assert.rejects(w.flush(), /ENOSPC/);
    w.recordOutput('y');
    await assert.rejects(w.close(), /ENOSPC/);
    assert.equal(errors.length, 1);
    assert.equal(sink.closed, 1);
  });

  it('creates a new file with the header already on disk, and refuses to overwrite a recording', async () => {
    const path = join(dir, 'create.cast');
    const w = await AsciicastWriter.create(path, { width: 80, height: 24, startedAt: STARTED_AT });
    assert.match(readFileSync(path, 'utf8'), /^\{"version":2,.*\}\n$/);
    w.recordOutput('hello');
    await w.close();
    const cast = await readAsciicast(path);
    assert.deepEqual(
      cast.events.map((e) => e[2]),
      ['hello'],
    );
    await assert.rejects(
      AsciicastWriter.create(path, { width: 80, height: 24, startedAt: STARTED_AT }),
      /EEXIST/,
    );
  });
});

describe('asciicast size cap', () => {
  const limited = (maxBytes: number, onLimit?: (info: { maxBytes: number; seconds: number }) => void) => {
    const sink = memorySink();
    const clock = fakeClock(0);
    const w = writer(sink, clock, { maxBytes, ...(onLimit ? { onLimit } : {}) });
    return { sink, clock, w };
  };

  it('stops at the cap: a marker instead of the event that would not fit, then nothing, and one call', async () => {
    const calls: { maxBytes: number; seconds: number }[] = [];
    const { sink, clock, w } = limited(1024, (info) => calls.push(info));
    for (let i = 0; i < 40; i++) {
      clock.ms = i * 100;
      w.recordOutput(`line ${i} ${'€'.repeat(10)}\r\n`);
      w.recordInput('x');
    }
    w.recordResize(100, 30);
    assert.equal(w.limitReached, true);
    await w.close();
    const bytes = sink.bytes();
    assert.ok(bytes.length <= 1024, `the file has ${bytes.length} bytes`);
    const cast = parseAsciicast(sink.text());
    const last = cast.events[cast.events.length - 1];
    assert.deepEqual(last?.slice(1), ['m', limitMarkerText(1024)]);
    assert.equal(
      limitMarkerText(1024),
      'Recording stopped: it reached its size limit of 1024 bytes. The session went on unrecorded.',
    );
    assert.equal(cast.events.filter((e) => e[1] === 'm').length, 1);
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0], { maxBytes: 1024, seconds: last?.[0] });
    // What was written before the marker is exactly the start of what was recorded, in order.
    const kept = cast.events.slice(0, -1);
    assert.ok(kept.length > 2);
    kept.forEach((e, i) => assert.equal(e[2], i % 2 === 0 ? `line ${i / 2} ${'€'.repeat(10)}\r\n` : 'x'));
  });

  it('writes an event that fits exactly, and stops at one byte less', async () => {
    const headerBytes = async () => {
      const { sink, w } = limited(1_000_000);
      await w.close();
      return sink.bytes().length;
    };
    const header = await headerBytes();
    const eventBytes = Buffer.byteLength('[0,"o","ü"]\n');
    // Room is kept for the marker with a 17-character time ("9999999999.999999"); its text names the cap.
    const markerBytes = (cap: number) =>
      Buffer.byteLength(`[9999999999.999999,"m",${JSON.stringify(limitMarkerText(cap))}]\n`);
    let exact = header + eventBytes + markerBytes(100);
    exact = header + eventBytes + markerBytes(exact);
    for (const [cap, written] of [
      [exact, true],
      [exact - 1, false],
    ] as const) {
      const { sink, w } = limited(cap);
      w.recordOutput('ü');
      await w.close();
      const events = parseAsciicast(sink.text()).events;
      assert.equal(events[0]?.[1], written ? 'o' : 'm', `cap ${cap}`);
      assert.ok(sink.bytes().length <= cap);
    }
  });

  it('keeps a real file within the cap and on disk with its marker', async () => {
    const path = join(dir, 'capped.cast');
    let limits = 0;
    const w = await AsciicastWriter.create(path, {
      width: 80,
      height: 24,
      startedAt: STARTED_AT,
      maxBytes: 4096,
      onLimit: () => limits++,
    });
    for (let i = 0; i < 200; i++) w.recordOutput(Buffer.from(`output ${i} 😀\n`));
    await w.close();
    assert.ok(statSync(path).size <= 4096, `${statSync(path).size} bytes`);
    const cast = await readAsciicast(path);
    assert.equal(cast.events.at(-1)?.[1], 'm');
    assert.equal(limits, 1);
  });

  it('records without a cap when none is given, and refuses a cap that is not a positive integer', async () => {
    const sink = memorySink();
    const w = writer(sink);
    for (let i = 0; i < 100; i++) w.recordOutput('x'.repeat(1000));
    assert.equal(w.limitReached, false);
    await w.close();
    assert.equal(parseAsciicast(sink.text()).events.length, 100);
    assert.throws(
      () => writer(memorySink(), fakeClock(), { maxBytes: 0 }),
      /maxBytes must be a positive integer/,
    );
    assert.throws(() => writer(memorySink(), fakeClock(), { maxBytes: 1.5 }), RangeError);
  });
});

describe('asciicast file mode', () => {
  it('creates the recording readable by its owner only (0600), whatever the umask', async () => {
    const path = join(dir, 'private.cast');
    const saved = process.umask(0);
    try {
      const w = await AsciicastWriter.create(path, { width: 80, height: 24, startedAt: STARTED_AT });
      await w.close();
    } finally {
      process.umask(saved);
    }
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });
});

describe('readAsciicast', () => {
  const HEADER = '{"version":2,"width":80,"height":24,"timestamp":1}\n';

  it('ignores a cut-off final line and says so', () => {
    const cast = parseAsciicast(`${HEADER}[0.1,"o","a"]\n[0.2,"o","b`);
    assert.deepEqual(cast.events, [[0.1, 'o', 'a']]);
    assert.equal(cast.truncated, true);
  });

  it('accepts a final line without newline that is complete', () => {
    const cast = parseAsciicast(`${HEADER}[0.1,"o","a"]`);
    assert.deepEqual(cast.events, [[0.1, 'o', 'a']]);
    assert.equal(cast.truncated, false);
  });

  it('reads marker events', () => {
    assert.deepEqual(parseAsciicast(`${HEADER}[0.1,"m","stopped"]\n`).events, [[0.1, 'm', 'stopped']]);
  });

  it('rejects a malformed line in the middle, naming it', () => {
    assert.throws(() => parseAsciicast(`${HEADER}[0.1,"o"\n[0.2,"o","b"]\n`), /line 2 is not JSON/);
    assert.throws(
      () => parseAsciicast(`${HEADER}[0.1,"x","a"]\n`),
      /line 2 is not a \[time, code, data\] event/,
    );
  });

  it('rejects a file without an asciicast v2 header', () => {
    assert.throws(() => parseAsciicast('{"version":1}\n'), /not an asciicast v2 header/);
    assert.throws(() => parseAsciicast(''), /line 1/);
  });

  it('reads a file from disk', async () => {
    const path = join(dir, 'read.cast');
    writeFileSync(path, `${HEADER}[0.5,"r","100x40"]\n`);
    const cast = await readAsciicast(path);
    assert.deepEqual(cast.header, { version: 2, width: 80, height: 24, timestamp: 1 });
    assert.deepEqual(cast.events, [[0.5, 'r', '100x40']]);
  });
});

describe('asciicast recording of a process killed with SIGKILL', () => {
  it('keeps, as valid lines, every event written more than 1.2 s before the kill', async () => {
    const path = join(dir, 'killed.cast');
    const moduleUrl = new URL('./asciicast.ts', import.meta.url).href;
    // The child writes an event every 20 ms (each '€' split across two chunks) and reports each one.
    const childCode = `
      import { AsciicastWriter } from ${JSON.stringify(moduleUrl)};
      const w = await AsciicastWriter.create(${JSON.stringify(path)}, { width: 80, height: 24, startedAt: new Date() });
      let n = 0;
      setInterval(() => {
        n++;
        w.recordOutput(Buffer.from('event ' + n + ' \\xe2', 'latin1'));
        w.recordOutput(Buffer.from([0x82, 0xac, 0x0a]));
        process.stdout.write(n + ' ' + Date.now() + '\\n');
      }, 20);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', childCode], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const written = new Map<number, number>();
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const [n, at] = line.split(' ').map(Number);
      if (n !== undefined && at !== undefined) written.set(n, at);
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );

    // Let it run for 2.5 s after its first event, then kill it without warning.
    await new Promise<void>((resolve) => lines.once('line', () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const killedAt = Date.now();
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');

    const bytes = readFileSync(path);
    const lastNewline = bytes.lastIndexOf(0x0a);
    // Everything up to the last newline is valid UTF-8: no character was cut by the chunking.
    assert.doesNotThrow(() =>
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, lastNewline + 1)),
    );

    const cast = await readAsciicast(path);
    assert.equal(cast.header.version, 2);
    // Each event was written as two chunks cut inside '€': the first half of the character is held back
    // until the second arrives, so the text reads "event 1 €\nevent 2 €\n…" with no U+FFFD.
    const complete = cast.events
      .map((e) => e[2])
      .join('')
      .split('\n')
      .slice(0, -1);
    complete.forEach((text, i) => assert.equal(text, `event ${i + 1} €`));
    const mustHave = [...written].filter(([, at]) => at <= killedAt - 1200).map(([n]) => n);
    assert.ok(
      mustHave.length > 20,
      `the child wrote too few events before the deadline (${mustHave.length})`,
    );
    assert.ok(
      complete.length >= Math.max(...mustHave),
      `recording has ${complete.length} events; events up to ${Math.max(...mustHave)} were written ≥1.2 s before the kill`,
    );
  });
});
