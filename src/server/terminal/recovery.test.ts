import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SessionRecord } from '../audit/audit-store.js';
import { isInterrupted } from './recovery.js';

const me = { host: 'node-a', pid: 100 };
const session = (
  over: Partial<SessionRecord> = {},
  owner: unknown = { host: 'node-a', pid: 42 },
): SessionRecord => ({
  id: '00000000-0000-4000-8000-000000000000',
  identity: { user: 'u', groups: [] },
  startedAt: new Date(0),
  cluster: 'c',
  namespace: 'n',
  pod: 'p',
  container: 'app',
  kind: 'exec',
  command: ['sh'],
  policy: 'root-allowed',
  clientAddress: null,
  details: { owner, cleanupTag: 'PODSCOPE_SESSION=x' },
  endedAt: null,
  exitCode: null,
  bytesIn: null,
  bytesOut: null,
  error: null,
  outcome: null,
  recordingPath: null,
  recordingTruncatedAt: null,
  replica: null,
  ...over,
});

describe('which sessions a starting Podscope recovers', () => {
  const dead = () => false;
  test('an open exec session of a dead Podscope on this host', () => {
    assert.equal(isInterrupted(session(), me, dead), true);
  });
  test('not one whose Podscope still runs (another instance on this host)', () => {
    assert.equal(
      isInterrupted(session(), me, () => true),
      false,
    );
  });
  test('not one of another host (another replica)', () => {
    assert.equal(isInterrupted(session({}, { host: 'node-b', pid: 42 }), me, dead), false);
  });
  test('not one that ended, is not a terminal, is our own, or has no owner', () => {
    assert.equal(isInterrupted(session({ endedAt: new Date(1) }), me, dead), false);
    assert.equal(isInterrupted(session({ kind: 'debug' }), me, dead), false);
    assert.equal(isInterrupted(session({}, { host: 'node-a', pid: 100 }), me, dead), false);
    assert.equal(isInterrupted(session({}, null), me, dead), false);
  });
});
