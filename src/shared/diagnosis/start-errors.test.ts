import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseStartError, runtimeDetail } from './start-errors.js';

const runc = (tail: string) =>
  `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: ${tail}: unknown`;

describe('runc start errors (recorded from the local cluster)', () => {
  test('a path that does not exist', () => {
    assert.deepEqual(
      parseStartError(
        runc('exec: "/usr/local/bin/notifier": stat /usr/local/bin/notifier: no such file or directory'),
      ),
      {
        kind: 'command-not-found',
        command: '/usr/local/bin/notifier',
        detail: 'no such file',
      },
    );
  });
  test('a name not in $PATH', () => {
    assert.deepEqual(parseStartError(runc('exec: "notifier": executable file not found in $PATH')), {
      kind: 'command-not-found',
      command: 'notifier',
      detail: 'not found in $PATH',
    });
  });
  test('permission denied', () => {
    assert.equal(parseStartError(runc('exec: "/etc/passwd": permission denied')).kind, 'permission-denied');
  });
  test('exec format error, as runc writes it to the output', () => {
    assert.deepEqual(parseStartError('exec /scripts/run: exec format error'), {
      kind: 'exec-format',
      command: '/scripts/run',
      detail: 'exec format error',
    });
  });
  test('anything else: the useful tail', () => {
    assert.deepEqual(
      parseStartError(
        runc('error during container init: error mounting "/x" to rootfs at "/y": not a directory'),
      ),
      {
        kind: 'other',
        detail: 'error during container init: error mounting "/x" to rootfs at "/y": not a directory',
      },
    );
    assert.equal(runtimeDetail('plain'), 'plain');
  });
});
