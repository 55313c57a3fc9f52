import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileTarget } from './container-files.js';
import { downloadCommand, uploadCommand, uploadTempPath } from './file-transfer.js';
import { tarNameProblem } from './tar-entry.js';

const target = (over: Partial<FileTarget> = {}): FileTarget => ({
  namespace: 'demo',
  pod: 'p',
  container: 'app',
  execContainer: 'app',
  via: null,
  root: null,
  wrap: (argv) => [...argv],
  runAs: null,
  ...over,
});

describe('uploadTempPath', () => {
  it('is a hidden name beside the file', () => {
    assert.equal(uploadTempPath('/tmp/report.csv', '0a1b2c3d'), '/tmp/.report.csv.podscope-upload-0a1b2c3d');
    assert.equal(uploadTempPath('/report.csv', '0a1b2c3d'), '/.report.csv.podscope-upload-0a1b2c3d');
  });

  it('always fits a tar entry name, cutting long names at a character boundary', () => {
    for (const base of ['x'.repeat(255), 'é'.repeat(120), '😀'.repeat(70), 'a-b c']) {
      const tmp = uploadTempPath(`/data/${base}`, 'ffffffff');
      const name = tmp.slice('/data/'.length);
      assert.equal(tarNameProblem(name), null, name);
      assert.ok(name.endsWith('.podscope-upload-ffffffff'));
      assert.ok(!name.includes('\uFFFD'));
      assert.ok(base.startsWith(name.slice(1, -'.podscope-upload-ffffffff'.length)));
    }
  });
});

describe('uploadCommand', () => {
  it('tar: extracts into the directory of the temporary file, never replacing or chowning', () => {
    assert.deepEqual(uploadCommand(target(), '/tmp/.a.podscope-upload-1', { kind: 'tar', size: 3 }), [
      'tar',
      '-x',
      '-m',
      '-o',
      '-k',
      '-f',
      '-',
      '-C',
      '/tmp',
    ]);
  });

  it('tee: the fallback writes the temporary file itself', () => {
    assert.deepEqual(uploadCommand(target(), '/tmp/.a.podscope-upload-1', { kind: 'tee' }), [
      'tee',
      '--',
      '/tmp/.a.podscope-upload-1',
    ]);
  });

  it('goes through the target wrapper (user switch, chroot) like every file command', () => {
    const t = target({ wrap: (argv) => ['setpriv', '--reuid=1000', '--', ...argv] });
    assert.deepEqual(uploadCommand(t, '/.x.podscope-upload-1', { kind: 'tar', size: 1 }).slice(0, 4), [
      'setpriv',
      '--reuid=1000',
      '--',
      'tar',
    ]);
    assert.equal(uploadCommand(t, '/.x.podscope-upload-1', { kind: 'tar', size: 1 }).at(-1), '/');
    assert.deepEqual(downloadCommand(t, '/etc/hosts', false), [
      'setpriv',
      '--reuid=1000',
      '--',
      'cat',
      '--',
      '/etc/hosts',
    ]);
  });
});
