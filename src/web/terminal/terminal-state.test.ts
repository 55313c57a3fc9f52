import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asServerMessage } from '../../shared/terminal/api.js';
import {
  errorAdvice,
  exitLine,
  initialTerminalState,
  statusLine,
  terminalReducer,
  type TerminalEvent,
  type TerminalState,
} from './terminal-state.js';

const ready = {
  type: 'ready',
  sessionId: '0b0f7d52-0000-4000-8000-000000000001',
  policy: 'root-allowed',
  user: null,
  shell: 'bash',
  command: ['env', 'PODSCOPE_SESSION=x', 'bash'],
  protocol: 'v5.channel.k8s.io',
} as const;

const run = (...events: TerminalEvent[]): TerminalState =>
  events.reduce(terminalReducer, initialTerminalState);
const connect: TerminalEvent = { type: 'connect', container: 'app' };

test('connecting → connected shows who and how', () => {
  assert.equal(statusLine(run()), 'Not connected.');
  assert.equal(statusLine(run(connect)), 'Connecting to container app…');
  const s = run(connect, { type: 'message', message: { ...ready, command: [...ready.command] } });
  assert.equal(s.phase, 'connected');
  assert.equal(
    statusLine(s),
    "Connected to app as the image's own user via v5.channel.k8s.io, running bash (chosen automatically).",
  );
  const nonRoot = run(connect, {
    type: 'message',
    message: { ...ready, command: [], user: 65534, shell: null, policy: 'non-root' },
  });
  assert.match(statusLine(nonRoot), /as uid 65534 via .* running your command/);
});

test('an exit message ends the session with its code, and the close after it changes nothing', () => {
  const s = run(
    connect,
    { type: 'message', message: { ...ready, command: [] } },
    { type: 'message', message: { type: 'exit', code: 3, message: 'The process exited with code 3.' } },
    { type: 'closed', code: 1000, wasOpen: true },
  );
  assert.equal(s.phase, 'ended');
  assert.equal(exitLine(s), 'The process exited with code 3.');
  assert.equal(statusLine(s), 'Session ended: the process exited.');
  assert.equal(s.phase === 'ended' && s.error, null);
});

test('an unknown exit status shows the server sentence', () => {
  const s = run(
    connect,
    { type: 'message', message: { ...ready, command: [] } },
    {
      type: 'message',
      message: {
        type: 'exit',
        code: null,
        message: 'The process ended without an exit code: container stopped',
      },
    },
  );
  assert.equal(exitLine(s), 'The process ended without an exit code: container stopped');
});

test('a fatal error before ready ends the session with the server sentence and advice', () => {
  const message = 'Container "app" has no shell (tried bash, sh): its image is minimal.';
  const s = run(
    connect,
    { type: 'message', message: { type: 'error', status: 422, message, fatal: true } },
    {
      type: 'closed',
      code: 1008,
      wasOpen: true,
    },
  );
  assert.equal(s.phase, 'ended');
  if (s.phase !== 'ended') return;
  assert.deepEqual(s.error, { status: 422, message });
  assert.equal(exitLine(s), null);
  assert.equal(statusLine(s), 'The terminal could not be opened.');
  assert.match(errorAdvice({ status: 422, message }) ?? '', /debug container/);
  // When the server's sentence already points to a debug container, the UI does not repeat it.
  assert.equal(errorAdvice({ status: 422, message: `${message} Start a debug container.` }), null);
});

test('a non-fatal error leaves the session running', () => {
  const s = run(
    connect,
    { type: 'message', message: { ...ready, command: [] } },
    {
      type: 'message',
      message: { type: 'error', status: 400, message: 'Unknown control message', fatal: false },
    },
  );
  assert.equal(s.phase, 'connected');
});

test('a notice (the recording stopped at its cap) leaves the session running', () => {
  const s = run(
    connect,
    { type: 'message', message: { ...ready, command: [] } },
    {
      type: 'message',
      message: { type: 'notice', code: 'recording-stopped', message: 'The session recording reached…' },
    },
  );
  assert.equal(s.phase, 'connected');
});

test('the browser reads a notice from the server, and ignores one it does not know', () => {
  assert.deepEqual(asServerMessage({ type: 'notice', code: 'recording-stopped', message: 'm' }), {
    type: 'notice',
    code: 'recording-stopped',
    message: 'm',
  });
  assert.equal(asServerMessage({ type: 'notice', code: 'other', message: 'm' }), null);
  assert.equal(asServerMessage({ type: 'notice', code: 'recording-stopped' }), null);
});

test('a close without a word from the server is explained, depending on how far it got', () => {
  const refused = run(connect, { type: 'closed', code: 1006, wasOpen: false });
  assert.match(refused.phase === 'ended' ? (refused.error?.message ?? '') : '', /Could not open/);
  const dropped = run(
    connect,
    { type: 'message', message: { ...ready, command: [] } },
    {
      type: 'closed',
      code: 1006,
      wasOpen: true,
    },
  );
  assert.match(
    dropped.phase === 'ended' ? (dropped.error?.message ?? '') : '',
    /connection to the server was lost/,
  );
});

test('a server restart (1012) says so; a message the server sent first wins', () => {
  const restarted = run(
    connect,
    { type: 'message', message: { ...ready, command: [] } },
    { type: 'closed', code: 1012, wasOpen: true },
  );
  assert.match(
    restarted.phase === 'ended' ? (restarted.error?.message ?? '') : '',
    /Podscope restarted \(server shutdown\)/,
  );
  const told = run(
    connect,
    { type: 'message', message: { ...ready, command: [] } },
    {
      type: 'message',
      message: { type: 'error', status: 503, message: 'Podscope is restarting', fatal: true },
    },
    { type: 'closed', code: 1012, wasOpen: true },
  );
  assert.equal(told.phase === 'ended' ? told.error?.message : '', 'Podscope is restarting');
});

test('the user disconnecting is not an error, and later events do not reopen it', () => {
  const s = run(
    connect,
    { type: 'message', message: { ...ready, command: [] } },
    { type: 'disconnect' },
    {
      type: 'closed',
      code: 1005,
      wasOpen: true,
    },
  );
  assert.equal(s.phase, 'ended');
  if (s.phase !== 'ended') return;
  assert.equal(s.byUser, true);
  assert.equal(s.error, null);
  assert.match(statusLine(s), /Disconnected/);
  assert.equal(run({ type: 'disconnect' }).phase, 'idle');
});

test('a late ready after the end is ignored', () => {
  const s = run(connect, { type: 'disconnect' }, { type: 'message', message: { ...ready, command: [] } });
  assert.equal(s.phase, 'ended');
});

test('a terminal cut because the login session ended says so', () => {
  const s = run(
    connect,
    { type: 'message', message: { ...ready, command: [...ready.command] } },
    { type: 'closed', code: 4401, wasOpen: true },
  );
  assert.equal(s.phase, 'ended');
  assert.match(s.phase === 'ended' ? (s.error?.message ?? '') : '', /session ended .*Sign in again/);
});
