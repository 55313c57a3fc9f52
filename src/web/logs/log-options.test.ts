import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_LOG_OPTIONS,
  downloadQuery,
  mergedStreamQuery,
  parseLogOptions,
  podStreamQuery,
  writeLogOptions,
} from './log-options.js';

test('parseLogOptions reads the URL and ignores values it does not know', () => {
  const options = parseLogOptions(
    new URLSearchParams('container=app&tail=1000&since=5m&previous=1&timestamps=true&wrap=1&q=err&follow=0'),
  );
  assert.equal(options.container, 'app');
  assert.equal(options.tail, '1000');
  assert.equal(options.since, '5m');
  assert.equal(options.previous, true);
  assert.equal(options.follow, false);
  assert.equal(options.timestamps, true);
  assert.equal(options.wrap, true);
  assert.equal(options.q, 'err');
  assert.deepEqual(parseLogOptions(new URLSearchParams('tail=7&since=2d')), DEFAULT_LOG_OPTIONS);
});

test('writeLogOptions round-trips and keeps defaults out of the URL', () => {
  const params = writeLogOptions(new URLSearchParams('tab=logs'), {
    tail: '100',
    timestamps: true,
    follow: true,
  });
  assert.equal(params.toString(), 'tab=logs&tail=100&timestamps=1');
  assert.equal(parseLogOptions(params).tail, '100');
  assert.equal(writeLogOptions(params, { tail: '500' }).get('tail'), null);
});

test('a previous instance is never followed', () => {
  const options = { ...DEFAULT_LOG_OPTIONS, previous: true, follow: true };
  assert.deepEqual(podStreamQuery(options, 'app', null), {
    container: 'app',
    tailLines: 500,
    sinceSeconds: undefined,
    previous: true,
    follow: false,
  });
});

test('resuming asks for everything since the last line instead of a tail', () => {
  const options = { ...DEFAULT_LOG_OPTIONS, tail: '100' as const, since: '1h' as const };
  assert.deepEqual(podStreamQuery(options, 'app', '2026-01-01T00:00:00Z'), {
    container: 'app',
    previous: false,
    follow: true,
    sinceTime: '2026-01-01T00:00:00Z',
  });
  assert.deepEqual(mergedStreamQuery(options, null), { tailLines: 100, sinceSeconds: 3600 });
  assert.deepEqual(mergedStreamQuery(options, 'T'), { sinceTime: 'T' });
});

test('the download honours the timestamps toggle', () => {
  const query = downloadQuery({ ...DEFAULT_LOG_OPTIONS, timestamps: true, tail: 'all' }, 'app');
  assert.equal(query.timestamps, true);
  assert.equal(query.download, true);
  assert.equal(query.tailLines, undefined);
});
