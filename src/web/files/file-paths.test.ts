import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  dispositionFileName,
  filePaths,
  joinPath,
  normalizeTypedPath,
  parentPath,
  pathCrumbs,
} from './file-paths.js';

test('file endpoints carry container, path and via as query parameters', () => {
  assert.equal(
    filePaths.list('c', 'demo', 'noshell', { container: 'app', path: '/tmp', via: 'podscope-debug-app-1' }),
    '/api/clusters/c/namespaces/demo/pods/noshell/files?container=app&path=%2Ftmp&via=podscope-debug-app-1',
  );
  assert.equal(
    filePaths.download('c', 'demo', 'p', { container: 'app', path: '/a b/ü.txt', via: null }),
    '/api/clusters/c/namespaces/demo/pods/p/files/download?container=app&path=%2Fa+b%2F%C3%BC.txt',
  );
  assert.equal(
    filePaths.upload('c', 'demo', 'p', { container: 'app', path: '/tmp/x', overwrite: true }),
    '/api/clusters/c/namespaces/demo/pods/p/files/upload?container=app&path=%2Ftmp%2Fx&overwrite=true',
  );
  assert.equal(
    filePaths.upload('c', 'demo', 'p', { container: 'app', path: '/tmp/x', overwrite: false }),
    '/api/clusters/c/namespaces/demo/pods/p/files/upload?container=app&path=%2Ftmp%2Fx',
  );
});

test('joining and going up stay absolute and never climb above /', () => {
  assert.equal(joinPath('/', 'tmp'), '/tmp');
  assert.equal(joinPath('/tmp', 'report.txt'), '/tmp/report.txt');
  assert.equal(parentPath('/tmp/report.txt'), '/tmp');
  assert.equal(parentPath('/tmp'), '/');
  assert.equal(parentPath('/'), '/');
});

test('the path bar has one step per directory', () => {
  assert.deepEqual(pathCrumbs('/'), [{ name: '/', path: '/' }]);
  assert.deepEqual(pathCrumbs('/var/log'), [
    { name: '/', path: '/' },
    { name: 'var', path: '/var' },
    { name: 'log', path: '/var/log' },
  ]);
});

test('a typed path is tidied, and one the server would refuse is explained', () => {
  assert.deepEqual(normalizeTypedPath(' /tmp/ '), { ok: true, value: '/tmp' });
  assert.deepEqual(normalizeTypedPath('tmp//a'), { ok: true, value: '/tmp/a' });
  assert.deepEqual(normalizeTypedPath('/./tmp/.'), { ok: true, value: '/tmp' });
  assert.deepEqual(normalizeTypedPath(''), { ok: true, value: '/' });
  assert.deepEqual(normalizeTypedPath('///'), { ok: true, value: '/' });
  assert.deepEqual(normalizeTypedPath('/.hidden'), { ok: true, value: '/.hidden' });
  const up = normalizeTypedPath('/tmp/../etc');
  assert.equal(up.ok, false);
  if (!up.ok) assert.match(up.error, /'\.\.'/);
  assert.equal(normalizeTypedPath('/tmp/a\nb').ok, false);
});

test('the download keeps the name the server gives it', () => {
  assert.equal(dispositionFileName('attachment; filename="tmp.tar.gz"', 'x'), 'tmp.tar.gz');
  assert.equal(dispositionFileName(null, 'report.txt'), 'report.txt');
  assert.equal(dispositionFileName('attachment', 'report.txt'), 'report.txt');
});
