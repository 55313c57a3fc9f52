import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COMMAND_FLAGS } from '../../shared/exec/command-line.js';
import {
  commandFlagNotes,
  FLAG_LABELS,
  formatBytes,
  formatDuration,
  formatOffset,
  KIND_LABELS,
  kubeIdentityText,
  personEmail,
  recordingNote,
  sessionResult,
  requestedCommand,
} from './audit-format.js';

test('durations read at the right scale', () => {
  assert.equal(formatDuration(null), 'running');
  assert.equal(formatDuration(0), '0 ms');
  assert.equal(formatDuration(850), '850 ms');
  assert.equal(formatDuration(1234), '1.2 s');
  assert.equal(formatDuration(12_900), '12 s');
  assert.equal(formatDuration(245_000), '4 min 05 s');
  assert.equal(formatDuration(2 * 3600_000 + 3 * 60_000 + 59_000), '2 h 03 min');
  assert.equal(formatDuration(3 * 86400_000 + 4 * 3600_000), '3 d 4 h');
  assert.equal(formatDuration(-1), '—');
});

test('bytes in binary units', () => {
  assert.equal(formatBytes(null), '—');
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1024), '1 KiB');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(20 * 1024 * 1024), '20 MiB');
  assert.equal(formatBytes(5 * 1024 ** 5), '5120 TiB');
});

test('command offsets within the session', () => {
  assert.equal(formatOffset(0), '+0:00.0');
  assert.equal(formatOffset(3250), '+0:03.2');
  assert.equal(formatOffset(760_000), '+12:40.0');
  assert.equal(formatOffset(3_723_000), '+1:02:03.0');
});

test('outcome: exit code, running, or ended without one', () => {
  assert.deepEqual(sessionResult({ endedAt: null, exitCode: null, error: null }), {
    text: 'running',
    tone: 'warn',
  });
  assert.deepEqual(sessionResult({ endedAt: 'x', exitCode: 0, error: null }), { text: 'exit 0', tone: 'ok' });
  assert.deepEqual(sessionResult({ endedAt: 'x', exitCode: 3, error: null }), {
    text: 'exit 3',
    tone: 'error',
  });
  assert.deepEqual(sessionResult({ endedAt: 'x', exitCode: null, error: 'dropped' }), {
    text: 'failed',
    tone: 'error',
  });
  assert.deepEqual(sessionResult({ endedAt: 'x', exitCode: null, error: null, outcome: { size: 3 } }), {
    text: 'done',
    tone: 'ok',
  });
  assert.deepEqual(sessionResult({ endedAt: 'x', exitCode: null, error: null }), {
    text: 'ended',
    tone: 'muted',
  });
});

test('the requested command, without the wrapping Podscope adds', () => {
  const command = ['env', 'PODSCOPE_SESSION=1', 'setpriv', '--reuid=65534', 'bash'];
  assert.deepEqual(requestedCommand({ command, details: { requestedCommand: null, shell: 'bash' } }), [
    'bash',
  ]);
  assert.deepEqual(requestedCommand({ command, details: { requestedCommand: ['ls', '-l'], shell: null } }), [
    'ls',
    '-l',
  ]);
  assert.deepEqual(requestedCommand({ command: ['sleep', '1'], details: {} }), ['sleep', '1']);
  assert.deepEqual(requestedCommand({ command: [], details: { requestedCommand: [1] } }), []);
});

test('every command flag has a label, and full-screen lines get a plain sentence under the list', () => {
  for (const flag of COMMAND_FLAGS) assert.ok(FLAG_LABELS[flag].label !== '', flag);
  assert.deepEqual(commandFlagNotes([{ flags: [] }, { flags: ['paste'] }]), []);
  const notes = commandFlagNotes([{ flags: [] }, { flags: ['full-screen'] }]);
  assert.equal(notes.length, 1);
  assert.match(notes[0] ?? '', /^Lines marked full-screen are the keys typed while a program had taken over/);
  assert.match(notes[0] ?? '', /may be shell commands all the same: check the recording\.$/);
});

test('a recording cut short by its size limit is explained, with when and the limit', () => {
  const base = { startedAt: '2026-01-15T09:00:00.000Z', details: { recordingMaxBytes: 256 * 1024 * 1024 } };
  assert.equal(recordingNote({ ...base, recordingTruncatedAt: null }), null);
  assert.equal(
    recordingNote({ ...base, recordingTruncatedAt: '2026-01-15T09:12:03.400Z' }),
    'The recording stopped at +12:03.4 because it reached its size limit of 256 MiB; the session went on without being recorded. The command lines above cover the whole session.',
  );
  assert.match(
    recordingNote({ ...base, details: {}, recordingTruncatedAt: '2026-01-15T09:00:01.000Z' }) ?? '',
    /^The recording stopped at \+0:01\.0 because it reached its size limit; the session/,
  );
});

test('the Kubernetes identity of a session reads as a phrase for each way in', () => {
  assert.equal(
    kubeIdentityText({ method: 'impersonation', user: 'dana@podscope.test', groups: ['dev-team'] }),
    'impersonating dana@podscope.test',
  );
  assert.equal(
    kubeIdentityText({ method: 'token', user: 'system:serviceaccount:a:b', groups: [] }),
    'with their own token, as system:serviceaccount:a:b',
  );
  assert.equal(
    kubeIdentityText({
      method: 'service-account',
      user: 'system:serviceaccount:podscope:podscope',
      groups: [],
    }),
    "Podscope's ServiceAccount system:serviceaccount:podscope:podscope",
  );
  assert.equal(
    kubeIdentityText({ method: 'kubeconfig', user: 'admin', groups: [] }),
    'kubeconfig user admin',
  );
  assert.equal(kubeIdentityText(null), 'not recorded');
  assert.equal(kubeIdentityText(null, 'audit-view'), 'none (no Kubernetes call)');
  assert.equal(KIND_LABELS['audit-view'], 'Recording viewed');
});

test("a person's email is shown when it is not their username", () => {
  assert.equal(personEmail({ user: 'dana@podscope.test', email: 'dana@podscope.test' }), null);
  assert.equal(personEmail({ user: 'dana', email: 'dana@podscope.test' }), 'dana@podscope.test');
  assert.equal(personEmail({ user: 'dana', email: null }), null);
});
