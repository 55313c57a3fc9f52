import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EXPIRES_AT_ANNOTATION, isExpired, readMarks, expiryPatch } from './debug-pod-marks.js';
import { debugFixture as fixture } from '../../../test/support/debug-fixtures.js';
import type { Pod } from './types.js';

const marked = (expires: string | undefined, created = '2026-11-25T20:00:00Z'): Pod => ({
  metadata: {
    name: 'x-debug-1',
    namespace: 'demo',
    creationTimestamp: created,
    labels: { 'app.kubernetes.io/managed-by': 'podscope', 'podscope.io/debug-pod': 'copy' },
    annotations: expires === undefined ? {} : { [EXPIRES_AT_ANNOTATION]: expires },
  },
});
const NOW = new Date('2026-11-25T21:00:00Z');
const HOUR = 3600_000;

describe('expiry: what the reaper deletes', () => {
  test('a past expiry is expired, a future one is not', () => {
    assert.equal(isExpired(marked('2026-11-25T20:59:59Z'), NOW, HOUR), true);
    assert.equal(isExpired(marked('2026-11-25T21:00:01Z'), NOW, HOUR), false);
  });
  test('an unreadable expiry counts as expired only after the maximum age', () => {
    assert.equal(isExpired(marked('soon'), NOW, 2 * HOUR), false);
    assert.equal(isExpired(marked(undefined), NOW, HOUR / 2), true);
  });
  test('pods without Podscope marks are never expired, whatever their annotations', () => {
    const p = fixture('crashloop');
    p.metadata!.annotations = { [EXPIRES_AT_ANNOTATION]: '2000-01-01T00:00:00Z' };
    assert.equal(readMarks(p), null);
    assert.equal(isExpired(p, NOW, 0), false);
    const half = marked('2000-01-01T00:00:00Z');
    delete half.metadata!.labels!['app.kubernetes.io/managed-by'];
    assert.equal(isExpired(half, NOW, 0), false);
  });
  test('renewal is a merge patch of the annotation', () => {
    assert.deepEqual(expiryPatch(NOW), {
      metadata: { annotations: { [EXPIRES_AT_ANNOTATION]: '2026-11-25T21:00:00.000Z' } },
    });
  });
});
