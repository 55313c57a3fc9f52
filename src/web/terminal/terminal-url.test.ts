import assert from 'node:assert/strict';
import { test } from 'node:test';
import { terminalSocketPath } from './terminal-url.js';

const target = { cluster: 'podscope-local', namespace: 'demo', pod: 'web-1', container: 'app' };

test('no command: the server chooses a shell', () => {
  assert.equal(
    terminalSocketPath(target, [], { cols: 120, rows: 40 }),
    '/api/clusters/podscope-local/namespaces/demo/pods/web-1/terminal?container=app&cols=120&rows=40',
  );
});

test('each argv word is its own command parameter, encoded, never joined', () => {
  const path = terminalSocketPath(target, ['sh', '-c', 'ls /tmp | wc -l', 'é&x=1'], { cols: 80, rows: 24 });
  const query = new URLSearchParams(path.split('?')[1]);
  assert.deepEqual(query.getAll('command'), ['sh', '-c', 'ls /tmp | wc -l', 'é&x=1']);
  assert.equal(query.get('container'), 'app');
});

test('names in the path are encoded', () => {
  const path = terminalSocketPath({ ...target, pod: 'a b' }, [], { cols: 1, rows: 1 });
  assert.match(path, /\/pods\/a%20b\/terminal\?/);
});
