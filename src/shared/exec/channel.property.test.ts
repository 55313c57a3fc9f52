import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cutAt, cutPoints, utf8ishBytes } from '../../../test/support/arbitraries.js';
import {
  CLOSE_CHANNEL,
  EXEC_PROTOCOL_V4,
  EXEC_PROTOCOL_V5,
  ExecDemuxer,
  ExecProtocolError,
  RESIZE_CHANNEL,
  STDIN_CHANNEL,
  decodeFrame,
  encodeClose,
  encodeResize,
  encodeStdin,
  parseStatus,
  type ExecEvent,
  type ExecProtocol,
  type StreamChannel,
} from './channel.js';

const protocol = fc.constantFrom<ExecProtocol>(EXEC_PROTOCOL_V5, EXEC_PROTOCOL_V4);
/** Frames as a server could send them: any channel byte (mostly real ones), any payload. */
const frame = fc
  .tuple(fc.oneof(fc.constantFrom(0, 1, 2, 3, 4, 255), fc.integer({ min: 0, max: 255 })), utf8ishBytes(12))
  .map(([channel, payload]) => Uint8Array.from([channel, ...payload]));
const anyBytes = fc.uint8Array({ maxLength: 40 });

/** Runs `fn`; an ExecProtocolError is an allowed answer, anything else thrown fails the property. */
function onlyProtocolErrors<T>(fn: () => T): T | ExecProtocolError {
  try {
    return fn();
  } catch (error) {
    assert.ok(error instanceof ExecProtocolError, `unexpected ${String(error)}`);
    return error;
  }
}

describe('exec channel codec properties', () => {
  it('decodes any bytes on either protocol to a frame or an ExecProtocolError, nothing else', () => {
    fc.assert(
      fc.property(fc.oneof(anyBytes, frame), protocol, (bytes, proto) => {
        const decoded = onlyProtocolErrors(() => decodeFrame(bytes, proto));
        if (decoded instanceof ExecProtocolError) return;
        assert.equal(decoded.channel, bytes[0]);
        assert.deepEqual(decoded.payload, bytes.subarray(1));
      }),
    );
  });

  it('round-trips stdin bytes through encode and decode on both protocols', () => {
    fc.assert(
      fc.property(anyBytes, protocol, (data, proto) => {
        const decoded = decodeFrame(encodeStdin(data), proto);
        assert.equal(decoded.channel, STDIN_CHANNEL);
        assert.deepEqual(decoded.payload, data);
      }),
    );
  });

  it('round-trips stdin text as UTF-8', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (text) => {
        const decoded = decodeFrame(encodeStdin(text));
        assert.equal(new TextDecoder().decode(decoded.payload), text);
      }),
    );
  });

  it('round-trips every valid terminal size and refuses every other number with an ExecProtocolError', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 0xffff }), fc.integer({ min: 1, max: 0xffff }), (cols, rows) => {
        const decoded = decodeFrame(encodeResize(cols, rows));
        assert.equal(decoded.channel, RESIZE_CHANNEL);
        assert.deepEqual(JSON.parse(new TextDecoder().decode(decoded.payload)), {
          Width: cols,
          Height: rows,
        });
      }),
    );
    const invalid = fc.oneof(
      fc.integer({ max: 0 }),
      fc.integer({ min: 0x10000 }),
      fc.double().filter((n) => !Number.isInteger(n)),
    );
    fc.assert(
      fc.property(invalid, fc.boolean(), (bad, asCols) => {
        const error = onlyProtocolErrors(() => (asCols ? encodeResize(bad, 24) : encodeResize(80, bad)));
        assert.ok(error instanceof ExecProtocolError && error.code === 'invalid-size');
      }),
    );
  });

  it('round-trips a CLOSE of every stream on v5, and refuses it on v4', () => {
    fc.assert(
      fc.property(fc.constantFrom<StreamChannel>(0, 1, 2, 3, 4), (channel) => {
        const decoded = decodeFrame(encodeClose(channel, EXEC_PROTOCOL_V5), EXEC_PROTOCOL_V5);
        assert.ok(decoded.channel === CLOSE_CHANNEL && decoded.closed === channel);
        const error = onlyProtocolErrors(() => encodeClose(channel, EXEC_PROTOCOL_V4));
        assert.ok(error instanceof ExecProtocolError && error.code === 'close-not-supported');
      }),
    );
  });

  it('parses any status payload to a status or an ExecProtocolError', () => {
    const json = fc.oneof(
      fc.json(),
      fc
        .record(
          {
            status: fc.constantFrom('Success', 'Failure', 'x'),
            reason: fc.constantFrom('NonZeroExitCode', 'NotFound', ''),
            message: fc.string(),
            details: fc.oneof(
              fc.anything(),
              fc
                .tuple(
                  fc.constantFrom('reason', 'type'),
                  fc.oneof(fc.string(), fc.stringMatching(/^\s*\d{1,24}\s*$/)),
                )
                .map(([key, message]) => ({ causes: [{ [key]: 'ExitCode', message }] })),
            ),
          },
          { requiredKeys: [] },
        )
        .map((v) => JSON.stringify(v)),
    );
    fc.assert(
      fc.property(fc.oneof(json, fc.string(), utf8ishBytes()), (payload) => {
        const status = onlyProtocolErrors(() => parseStatus(payload));
        if (status instanceof ExecProtocolError) return;
        if (status.kind === 'exit') assert.ok(Number.isSafeInteger(status.code) && status.code >= 0);
        if (status.kind === 'failure') assert.equal(typeof status.message, 'string');
      }),
    );
  });

  it('reads an exit code only when it is a whole number that fits, else reports a failure', () => {
    const exitCodeText = fc.oneof(
      fc.nat({ max: 255 }).map(String),
      fc.bigInt({ min: 0n, max: 10n ** 24n }).map((n) => ` ${n} `),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(exitCodeText, fc.constantFrom('reason', 'type'), (text, key) => {
        const status = parseStatus(
          JSON.stringify({
            status: 'Failure',
            message: 'command terminated with non-zero exit code',
            reason: 'NonZeroExitCode',
            details: { causes: [{ [key]: 'ExitCode', message: text }] },
          }),
        );
        if (status.kind === 'exit') {
          assert.ok(
            Number.isSafeInteger(status.code),
            `exit code ${status.code} from ${JSON.stringify(text)}`,
          );
          assert.equal(String(status.code), text.trim().replace(/^0+(?=\d)/, ''));
        } else {
          assert.equal(status.kind, 'failure');
        }
      }),
    );
  });

  it('lets a demuxer fed any frames throw nothing but ExecProtocolError, and end cleanly', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(frame, anyBytes), { maxLength: 12 }), protocol, (frames, proto) => {
        const demux = new ExecDemuxer(proto);
        for (const f of frames) onlyProtocolErrors(() => demux.push(f));
        const events = demux.end();
        for (const e of events) if (e.type === 'output') assert.notEqual(e.text, '');
      }),
    );
  });

  it('decodes stdout and stderr to the same text however their bytes are cut into frames and interleaved', () => {
    fc.assert(
      fc.property(
        utf8ishBytes(),
        cutPoints,
        utf8ishBytes(),
        cutPoints,
        fc.array(fc.boolean(), { maxLength: 20 }),
        protocol,
        (out, outCuts, err, errCuts, order, proto) => {
          const outFrames = cutAt(out, outCuts).map((p) => Uint8Array.from([1, ...p]));
          const errFrames = cutAt(err, errCuts).map((p) => Uint8Array.from([2, ...p]));
          const demux = new ExecDemuxer(proto);
          const events: ExecEvent[] = [];
          for (const takeOut of order) {
            const next = takeOut ? outFrames.shift() : errFrames.shift();
            if (next) events.push(...demux.push(next));
          }
          for (const f of [...outFrames, ...errFrames]) events.push(...demux.push(f));
          events.push(...demux.end());
          const text = (stream: 'stdout' | 'stderr') =>
            events.map((e) => (e.type === 'output' && e.stream === stream ? e.text : '')).join('');
          const reference = (b: Uint8Array) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(b);
          assert.equal(text('stdout'), reference(out));
          assert.equal(text('stderr'), reference(err));
        },
      ),
    );
  });

  it('reads a status split across any number of frames exactly as if it came whole', () => {
    const status = fc.oneof(
      fc.constant('{"metadata":{},"status":"Success"}'),
      fc.tuple(fc.nat({ max: 255 }), fc.string({ unit: 'grapheme', maxLength: 20 })).map(([code, message]) =>
        JSON.stringify({
          status: 'Failure',
          message,
          reason: 'NonZeroExitCode',
          details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
        }),
      ),
    );
    fc.assert(
      fc.property(status, cutPoints, (json, cuts) => {
        const bytes = new TextEncoder().encode(json);
        const demux = new ExecDemuxer(EXEC_PROTOCOL_V5);
        const events = cutAt(bytes, cuts).flatMap((p) => demux.push(Uint8Array.from([3, ...p])));
        assert.deepEqual(events, [{ type: 'status', status: parseStatus(json) }]);
        assert.equal(demux.finished, true);
      }),
    );
  });
});
