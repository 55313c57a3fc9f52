import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { BUSYBOX, type FileTarget } from './container-files.js';
import {
  downloadCommand,
  parseSha256Output,
  TEE_SHA256_SCRIPT,
  uploadCommand,
  uploadTempPath,
} from './file-transfer.js';
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

describe('tee-sha256 upload', () => {
  it('runs sh with a constant script; the path is a positional parameter', () => {
    assert.deepEqual(uploadCommand(target(), '/tmp/.a b.podscope-upload-1', { kind: 'tee-sha256' }), [
      'sh',
      '-c',
      TEE_SHA256_SCRIPT,
      'podscope-upload',
      '/tmp/.a b.podscope-upload-1',
      '',
    ]);
  });

  it('through a debug container the tools are the debug container’s busybox', () => {
    const t = target({
      via: 'debugger-1',
      execContainer: 'debugger-1',
      wrap: (argv) => ['chroot-wrap', ...argv],
    });
    const argv = uploadCommand(t, '/tmp/.x.podscope-upload-1', { kind: 'tee-sha256' });
    assert.equal(argv[0], 'chroot-wrap');
    assert.equal(argv.at(-1), BUSYBOX);
  });

  it('parses only a digest line', () => {
    const d = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
    assert.equal(parseSha256Output(`${d}  -\n`), d);
    assert.equal(parseSha256Output(`${d}\n`), d);
    assert.equal(parseSha256Output(''), null);
    assert.equal(parseSha256Output(`${d}  -\n${d}  -\n`), null);
    assert.equal(parseSha256Output('sha256sum: not found'), null);
  });

  // The script itself, run by this machine's sh (dash) with its coreutils: a shell-logic test.
  describe('the script, run by a POSIX sh', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'podscope-tee-sha-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const run = (file: string, input: Buffer) =>
      spawnSync('sh', ['-c', TEE_SHA256_SCRIPT, 'podscope-upload', file, ''], { input });

    it('writes the file and prints the sha256 of what it received', () => {
      const data = randomBytes(3 * 1024 * 1024 + 7);
      const file = path.join(dir, '.a name with $(touch x) and "quotes".podscope-upload-1');
      const r = run(file, data);
      assert.equal(r.status, 0, r.stderr.toString());
      assert.equal(parseSha256Output(r.stdout.toString()), createHash('sha256').update(data).digest('hex'));
      assert.ok(readFileSync(file).equals(data));
      assert.deepEqual(spawnSync('ls', ['-A', dir]).stdout.toString().split('\n').filter(Boolean).length, 1);
    });

    it('without dd, tee reads stdin itself', () => {
      // A PATH with only the tools the script cannot do without.
      const bin = path.join(dir, 'bin-without-dd');
      mkdirSync(bin);
      for (const tool of ['tee', 'sha256sum']) {
        const found = spawnSync('sh', ['-c', `command -v ${tool}`])
          .stdout.toString()
          .trim();
        symlinkSync(found, path.join(bin, tool));
      }
      const data = randomBytes(200 * 1024 + 3);
      const file = path.join(dir, 'no-dd.bin');
      const r = spawnSync('/bin/sh', ['-c', TEE_SHA256_SCRIPT, 'podscope-upload', file, ''], {
        input: data,
        env: { PATH: bin },
      });
      assert.equal(r.status, 0, r.stderr.toString());
      assert.equal(parseSha256Output(r.stdout.toString()), createHash('sha256').update(data).digest('hex'));
      assert.ok(readFileSync(file).equals(data));
    });

    it('exits non-zero when tee cannot write, still printing a digest (which is then ignored)', () => {
      const r = run(path.join(dir, 'missing-dir', 'f'), Buffer.from('x'));
      assert.notEqual(r.status, 0);
      assert.match(r.stderr.toString(), /No such file or directory/);
    });
  });
});
