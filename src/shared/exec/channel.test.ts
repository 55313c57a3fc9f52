import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CLOSE_CHANNEL,
  EXEC_PROTOCOLS,
  EXEC_PROTOCOL_V4,
  EXEC_PROTOCOL_V5,
  ExecDemuxer,
  ExecProtocolError,
  RESIZE_CHANNEL,
  STATUS_CHANNEL,
  STDERR_CHANNEL,
  STDIN_CHANNEL,
  STDOUT_CHANNEL,
  decodeFrame,
  encodeClose,
  encodeResize,
  encodeStdin,
  negotiatedProtocol,
  parseStatus,
  supportsClose,
  type ExecEvent,
  type StreamChannel,
} from './channel.js';

const bytes = (...b: number[]) => Uint8Array.from(b);
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
const withChannel = (channel: number, payload: string | number[]) =>
  Uint8Array.from([channel, ...(typeof payload === 'string' ? [...Buffer.from(payload, 'utf8')] : payload)]);

/** A real NonZeroExitCode status as sent by the API server for `sh -c 'exit 3'`. */
const EXIT_3_STATUS =
  '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: exit status 3",' +
  '"reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}';
const EXIT_3_STATUS_TYPED = EXIT_3_STATUS.replace('"reason":"ExitCode"', '"type":"ExitCode"');

function errorCode(code: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ExecProtocolError, `expected ExecProtocolError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  };
}

describe('channel constants and subprotocols', () => {
  it('numbers the channels as Kubernetes does', () => {
    assert.deepEqual(
      [STDIN_CHANNEL, STDOUT_CHANNEL, STDERR_CHANNEL, STATUS_CHANNEL, RESIZE_CHANNEL, CLOSE_CHANNEL],
      [0, 1, 2, 3, 4, 255],
    );
  });

  it('offers v5 before v4', () => {
    assert.deepEqual(EXEC_PROTOCOLS, ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
  });

  it('accepts only a supported subprotocol from the server, with a clear error otherwise', () => {
    assert.equal(negotiatedProtocol('v5.channel.k8s.io'), EXEC_PROTOCOL_V5);
    assert.equal(negotiatedProtocol(' v4.channel.k8s.io '), EXEC_PROTOCOL_V4);
    assert.throws(() => negotiatedProtocol('v3.channel.k8s.io'), /v3\.channel\.k8s\.io.*not supported/);
    assert.throws(() => negotiatedProtocol(undefined), /chose no exec subprotocol/);
    assert.throws(() => negotiatedProtocol(''), errorCode('unknown-protocol'));
  });
});

describe('v5.channel.k8s.io', () => {
  it('has the CLOSE frame', () => {
    assert.equal(supportsClose(EXEC_PROTOCOL_V5), true);
  });

  it('encodes stdin bytes as [0, ...bytes] without touching them', () => {
    assert.deepEqual(encodeStdin(bytes(0x6c, 0x73, 0x0d)), bytes(0, 0x6c, 0x73, 0x0d));
    assert.deepEqual(encodeStdin(bytes(0xff, 0x00)), bytes(0, 0xff, 0x00));
    assert.deepEqual(encodeStdin(bytes()), bytes(0));
  });

  it('encodes stdin text as UTF-8', () => {
    assert.deepEqual(encodeStdin('é\r'), bytes(0, 0xc3, 0xa9, 0x0d));
  });

  it('encodes resize as channel 4 with {"Width":cols,"Height":rows}', () => {
    assert.deepEqual(encodeResize(80, 24), bytes(4, ...ascii('{"Width":80,"Height":24}')));
    assert.deepEqual(encodeResize(65535, 1), bytes(4, ...ascii('{"Width":65535,"Height":1}')));
  });

  it('rejects terminal sizes Kubernetes cannot carry', () => {
    for (const [cols, rows] of [
      [0, 24],
      [80, -1],
      [80.5, 24],
      [65536, 24],
      [Number.NaN, 24],
    ] as const) {
      assert.throws(() => encodeResize(cols, rows), errorCode('invalid-size'));
    }
  });

  it('encodes half-close of stdin as [255, 0]', () => {
    assert.deepEqual(encodeClose(STDIN_CHANNEL, EXEC_PROTOCOL_V5), bytes(255, 0));
    assert.deepEqual(encodeClose(STDOUT_CHANNEL, EXEC_PROTOCOL_V5), bytes(255, 1));
  });

  it('refuses to encode CLOSE for a channel that does not exist', () => {
    assert.throws(() => encodeClose(9 as StreamChannel, EXEC_PROTOCOL_V5), errorCode('unknown-channel'));
  });

  it('decodes channel and payload of every stream channel', () => {
    for (const channel of [0, 1, 2, 3, 4]) {
      const decoded = decodeFrame(bytes(channel, 0x61, 0x62), EXEC_PROTOCOL_V5);
      assert.equal(decoded.channel, channel);
      assert.deepEqual(decoded.payload, bytes(0x61, 0x62));
    }
  });

  it('decodes a frame with only a channel byte as an empty payload', () => {
    const decoded = decodeFrame(bytes(1));
    assert.equal(decoded.channel, 1);
    assert.equal(decoded.payload.length, 0);
  });

  it('decodes the payload as a view of the frame, not a copy', () => {
    const frame = bytes(1, 0x41);
    const decoded = decodeFrame(frame);
    assert.equal(decoded.payload.buffer, frame.buffer);
    assert.equal(decoded.payload.byteOffset, 1);
  });

  it('decodes a CLOSE frame and names the closed stream', () => {
    const decoded = decodeFrame(bytes(255, 1), EXEC_PROTOCOL_V5);
    assert.equal(decoded.channel, CLOSE_CHANNEL);
    assert.ok(decoded.channel === CLOSE_CHANNEL && decoded.closed === STDOUT_CHANNEL);
  });

  it('rejects a CLOSE frame without exactly one valid stream byte', () => {
    assert.throws(() => decodeFrame(bytes(255)), errorCode('malformed-close'));
    assert.throws(() => decodeFrame(bytes(255, 1, 2)), errorCode('malformed-close'));
    assert.throws(() => decodeFrame(bytes(255, 7)), /must name exactly one stream channel.*\[7\]/);
  });

  it('rejects an empty frame and an unknown channel with clear messages', () => {
    assert.throws(() => decodeFrame(bytes()), errorCode('empty-frame'));
    assert.throws(() => decodeFrame(bytes()), /empty exec frame/);
    assert.throws(() => decodeFrame(bytes(5, 0x41)), errorCode('unknown-channel'));
    assert.throws(() => decodeFrame(bytes(254)), /unknown exec channel 254/);
  });
});

describe('v4.channel.k8s.io', () => {
  it('has no CLOSE frame', () => {
    assert.equal(supportsClose(EXEC_PROTOCOL_V4), false);
  });

  it('encodes stdin and resize exactly as v5 does', () => {
    assert.deepEqual(encodeStdin(bytes(0x71)), bytes(0, 0x71));
    assert.deepEqual(encodeResize(132, 43), bytes(4, ...ascii('{"Width":132,"Height":43}')));
  });

  it('refuses to encode a CLOSE frame, saying that v5 is needed', () => {
    assert.throws(() => encodeClose(STDIN_CHANNEL, EXEC_PROTOCOL_V4), errorCode('close-not-supported'));
    assert.throws(() => encodeClose(STDIN_CHANNEL, EXEC_PROTOCOL_V4), /needs v5\.channel\.k8s\.io/);
  });

  it('rejects an incoming CLOSE frame as not part of the protocol', () => {
    assert.throws(() => decodeFrame(bytes(255, 0), EXEC_PROTOCOL_V4), errorCode('close-not-supported'));
  });

  it('decodes stream frames as v5 does', () => {
    const decoded = decodeFrame(bytes(2, 0x65), EXEC_PROTOCOL_V4);
    assert.equal(decoded.channel, STDERR_CHANNEL);
    assert.deepEqual(decoded.payload, bytes(0x65));
  });

  it('makes the demuxer reject a CLOSE frame', () => {
    const demux = new ExecDemuxer(EXEC_PROTOCOL_V4);
    assert.throws(() => demux.push(bytes(255, 1)), errorCode('close-not-supported'));
  });
});

describe('parseStatus', () => {
  it('reads Success', () => {
    assert.deepEqual(parseStatus('{"metadata":{},"status":"Success"}'), { kind: 'success' });
  });

  it('reads the exit code of NonZeroExitCode from details.causes (type ExitCode)', () => {
    assert.deepEqual(parseStatus(EXIT_3_STATUS_TYPED), { kind: 'exit', code: 3 });
  });

  it('reads the exit code when the cause names it in "reason", as the API server actually sends', () => {
    // metav1.StatusCause serialises CauseType under the JSON key "reason".
    assert.deepEqual(parseStatus(EXIT_3_STATUS), { kind: 'exit', code: 3 });
  });

  it('takes bytes as well as text', () => {
    assert.deepEqual(parseStatus(Buffer.from(EXIT_3_STATUS, 'utf8')), { kind: 'exit', code: 3 });
  });

  it('reports other failures with their message and reason', () => {
    const status = parseStatus(
      '{"metadata":{},"status":"Failure","message":"container not found (\\"app\\")","reason":"NotFound","code":404}',
    );
    assert.deepEqual(status, { kind: 'failure', message: 'container not found ("app")', reason: 'NotFound' });
  });

  it('reports a failure without reason or message in a readable way', () => {
    assert.deepEqual(parseStatus('{"status":"Failure","message":"OCI runtime exec failed"}'), {
      kind: 'failure',
      message: 'OCI runtime exec failed',
    });
    assert.deepEqual(parseStatus('{"status":"Failure"}'), {
      kind: 'failure',
      message: 'the command failed without a message',
    });
  });

  it('falls back to a failure when NonZeroExitCode carries no numeric exit code', () => {
    const status = parseStatus(
      '{"status":"Failure","message":"odd","reason":"NonZeroExitCode","details":{"causes":[{"type":"ExitCode","message":"x"}]}}',
    );
    assert.deepEqual(status, { kind: 'failure', message: 'odd', reason: 'NonZeroExitCode' });
  });

  it('does not read an exit code too large to keep exactly (found by a property test)', () => {
    const status = parseStatus(EXIT_3_STATUS.replace('"message":"3"', '"message":"9007199254740993"'));
    assert.deepEqual(status, {
      kind: 'failure',
      message: 'command terminated with non-zero exit code: exit status 3',
      reason: 'NonZeroExitCode',
    });
  });

  it('throws a clear error for a payload that is not a JSON object', () => {
    assert.throws(() => parseStatus('command terminated'), errorCode('malformed-status'));
    assert.throws(() => parseStatus('[1]'), /not a JSON object/);
  });
});

describe('ExecDemuxer', () => {
  const frames = (demux: ExecDemuxer, ...list: Uint8Array[]): ExecEvent[] =>
    list.flatMap((f) => demux.push(f));

  it('emits stdout and stderr text in order', () => {
    const demux = new ExecDemuxer(EXEC_PROTOCOL_V5);
    assert.deepEqual(frames(demux, withChannel(1, 'out\r\n'), withChannel(2, 'err\n')), [
      { type: 'output', stream: 'stdout', text: 'out\r\n' },
      { type: 'output', stream: 'stderr', text: 'err\n' },
    ]);
  });

  it('decodes a multi-byte character split across two stdout frames', () => {
    const demux = new ExecDemuxer(EXEC_PROTOCOL_V5);
    // '€' = E2 82 AC, split after its first byte.
    assert.deepEqual(demux.push(bytes(1, 0x61, 0xe2)), [{ type: 'output', stream: 'stdout', text: 'a' }]);
    assert.deepEqual(demux.push(bytes(1, 0x82, 0xac, 0x62)), [
      { type: 'output', stream: 'stdout', text: '€b' },
    ]);
  });

  it('keeps separate decoders per stream so interleaved stderr does not corrupt a split stdout character', () => {
    const demux = new ExecDemuxer(EXEC_PROTOCOL_V4);
    // '😀' = F0 9F 98 80 on stdout, 'é' = C3 A9 on stderr, interleaved byte-wise.
    const events = frames(
      demux,
      bytes(1, 0xf0, 0x9f),
      bytes(2, 0xc3),
      bytes(1, 0x98),
      bytes(2, 0xa9),
      bytes(1, 0x80),
    );
    assert.deepEqual(events, [
      { type: 'output', stream: 'stderr', text: 'é' },
      { type: 'output', stream: 'stdout', text: '😀' },
    ]);
  });

  it('emits no event for an empty data frame', () => {
    const demux = new ExecDemuxer(EXEC_PROTOCOL_V5);
    assert.deepEqual(demux.push(bytes(1)), []);
  });

  it('emits the exit status from channel 3', () => {
    const demux = new ExecDemuxer(EXEC_PROTOCOL_V5);
    assert.deepEqual(demux.push(withChannel(3, EXIT_3_STATUS)), [
      { type: 'status', status: { kind: 'exit', code: 3 } },
    ]);
    assert.equal(demux.finished, true);
  });

  it('waits for a status split across frames until it is complete JSON', () => {
    const demux = new ExecDemuxer(EXEC_PROTOCOL_V5);
    const json = '{"metadata":{},"status":"Success"}';
    assert.deepEqual(demux.push(withChannel(3, json.slice(0, 10))), []);
    assert.equal(demux.finished, false);
    assert.deepEqual(demux.push(withChannel(3, json.slice(10))), [
      { type: 'status', status: { kind: 'success' } },
    ]);
  });

  it('reports an incomplete status at the end of the stream as a failure', () => {
    const demux = new ExecDemuxer(EXEC_PROTOCOL_V5);
    demux.push(withChannel(3, '{"status":"Fai'));
    assert.deepEqual(demux.end(), [
      {
        type: 'status',
        status: {
          kind: 'failure',
          message: 'incomplete exec status: {"status":"Fai',
          reason: 'MalformedStatus',
        },
      },
    ]);
  });

  it('flushes an unfinished character as U+FFFD at the end of the stream', () => {
    const demux = new ExecDemuxer(EXEC_PROTOCOL_V5);
    assert.deepEqual(demux.push(bytes(1, 0x41, 0xe2, 0x82)), [
      { type: 'output', stream: 'stdout', text: 'A' },
    ]);
    assert.deepEqual(demux.end(), [{ type: 'output', stream: 'stdout', text: '\ufffd' }]);
  });

  it('reports a v5 CLOSE of stdout after flushing its decoder', () => {
    const demux = new ExecDemuxer(EXEC_PROTOCOL_V5);
    demux.push(bytes(1, 0xc3));
    assert.deepEqual(demux.push(bytes(255, 1)), [
      { type: 'output', stream: 'stdout', text: '\ufffd' },
      { type: 'closed', stream: 'stdout' },
    ]);
  });

  it('rejects frames on the client-only channels stdin and resize', () => {
    const demux = new ExecDemuxer(EXEC_PROTOCOL_V5);
    assert.throws(() => demux.push(bytes(0, 0x41)), errorCode('unexpected-channel'));
    assert.throws(() => demux.push(withChannel(4, '{"Width":1,"Height":1}')), /only the client writes/);
    assert.throws(() => demux.push(bytes(255, 0)), errorCode('unexpected-channel'));
  });

  it('passes decode errors through', () => {
    const demux = new ExecDemuxer(EXEC_PROTOCOL_V5);
    assert.throws(() => demux.push(bytes()), errorCode('empty-frame'));
    assert.throws(() => demux.push(bytes(9)), errorCode('unknown-channel'));
  });
});
