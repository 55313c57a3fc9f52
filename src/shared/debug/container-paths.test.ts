import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  downloadFileName,
  parentDir,
  parseStatLine,
  parseStatListing,
  underRoot,
  validateContainerPath,
} from './container-paths.js';

describe('validateContainerPath', () => {
  const ok = ['/', '/tmp', '/tmp/report.txt', '/a b/c-d_e.f', '/-rf', '/..a/b..', '/tmp/日本語'];
  for (const p of ok)
    test(`accepts ${JSON.stringify(p)}`, () =>
      assert.deepEqual(validateContainerPath(p), { ok: true, value: p }));
  const bad: [string, RegExp][] = [
    ['', /must not be empty/],
    ['tmp/x', /must be absolute/],
    ['-rf', /must be absolute/],
    ['/tmp/../etc/passwd', /'\.\.' segments/],
    ['/..', /'\.\.' segments/],
    ['/tmp/', /not normalized/],
    ['//etc', /not normalized/],
    ['/tmp/./x', /not normalized/],
    ['/tmp/a\u0000b', /control/],
    ['/tmp/a\nb', /control/],
    ['/tmp/\u202eevil', /control or invisible/],
    ['/' + 'a'.repeat(4096), /at most 4096/],
  ];
  for (const [p, why] of bad) {
    test(`refuses ${JSON.stringify(p.slice(0, 30))}`, () => {
      const r = validateContainerPath(p);
      assert.equal(r.ok, false);
      assert.match(!r.ok ? r.error : '', why);
    });
  }
});

describe('path helpers', () => {
  test('parentDir and underRoot', () => {
    assert.equal(parentDir('/tmp/x'), '/tmp');
    assert.equal(parentDir('/x'), '/');
    assert.equal(underRoot('/proc/1/root', '/tmp/x'), '/proc/1/root/tmp/x');
    assert.equal(underRoot('/proc/1/root', '/'), '/proc/1/root');
    assert.equal(underRoot(null, '/tmp'), '/tmp');
  });
  test('download names are safe in a header', () => {
    assert.equal(downloadFileName('/tmp/report.txt', false), 'report.txt');
    assert.equal(downloadFileName('/var/log', true), 'log.tar.gz');
    assert.equal(downloadFileName('/', true), 'root.tar.gz');
    assert.equal(downloadFileName('/tmp/a"b\\c ü', false), 'a_b_c _');
  });
});

describe('parseStatListing: busybox/GNU `stat -c %f/%s/%Y/%u/%g/%n` output', () => {
  // Captured from `find /proc/1/root/tmp -mindepth 1 -maxdepth 1 -exec stat -c … {} +` on the cluster.
  test('entries under a /proc/<pid>/root prefix, directories first', () => {
    const out =
      '81a4/53/1795639814/0/0//proc/1/root/tmp/report.txt\n' +
      '41ed/4096/1795639000/1000/1000//proc/1/root/tmp/cache\n' +
      'a1ff/7/1795639000/0/0//proc/1/root/tmp/link\n';
    assert.deepEqual(parseStatListing(out, '/proc/1/root/tmp'), [
      {
        name: 'cache',
        type: 'directory',
        size: 4096,
        mode: '755',
        uid: 1000,
        gid: 1000,
        modifiedAt: '2026-11-25T20:36:40.000Z',
      },
      {
        name: 'link',
        type: 'symlink',
        size: 7,
        mode: '777',
        uid: 0,
        gid: 0,
        modifiedAt: '2026-11-25T20:36:40.000Z',
      },
      {
        name: 'report.txt',
        type: 'file',
        size: 53,
        mode: '644',
        uid: 0,
        gid: 0,
        modifiedAt: '2026-11-25T20:50:14.000Z',
      },
    ]);
  });
  test('a name with a newline is joined back, not split into a forged entry', () => {
    const out = '81a4/1/1/0/0//tmp/a\n81a4/2/2/0/0//etc/passwd\n81a4/3/3/0/0//tmp/b\n';
    const e = parseStatListing(out, '/tmp');
    assert.deepEqual(
      e.map((x) => x.name),
      ['a\n81a4/2/2/0/0//etc/passwd', 'b'],
    );
  });
  test('the root directory lists without a double slash', () => {
    assert.deepEqual(
      parseStatListing('41ed/0/0/0/0//etc\n', '/').map((x) => x.name),
      ['etc'],
    );
  });
  test('parseStatLine reads one path', () => {
    assert.equal(parseStatLine('81a4/53/1795639814/0/0//tmp/report.txt\n', '/tmp/report.txt')?.size, 53);
    assert.equal(parseStatLine('garbage', '/tmp/x'), null);
  });
});
