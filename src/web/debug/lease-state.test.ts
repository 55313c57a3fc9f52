import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  endsLease,
  isLeaseFinal,
  leaseStatusText,
  nextLeaseStatus,
  type LeaseStatus,
} from './lease-state.js';

const at = (iso: string) => `<${iso}>`;
const leased = {
  kind: 'message',
  message: { type: 'leased', pod: 'p', expiresAt: 'T1', graceSeconds: 30 },
} as const;

test('a lease is held once the server says leased, and renewals move the expiry', () => {
  let s: LeaseStatus = { state: 'connecting' };
  s = nextLeaseStatus(s, { kind: 'socket', status: { state: 'open' } });
  assert.equal(s.state, 'connecting');
  s = nextLeaseStatus(s, leased);
  assert.deepEqual(s, { state: 'held', expiresAt: 'T1', graceSeconds: 30 });
  s = nextLeaseStatus(s, { kind: 'message', message: { type: 'renewed', expiresAt: 'T2' } });
  assert.deepEqual(s, { state: 'held', expiresAt: 'T2', graceSeconds: 30 });
  assert.match(leaseStatusText(s, at), /lease held, renewed until <T2>.*deleted 30 s later/);
});

test('a dropped connection says when the pod would be deleted, and a new lease restores it', () => {
  let s: LeaseStatus = nextLeaseStatus({ state: 'connecting' }, leased);
  s = nextLeaseStatus(s, { kind: 'socket', status: { state: 'reconnecting', attempt: 1, inMs: 1500 } });
  assert.deepEqual(s, { state: 'reconnecting', inMs: 1500, graceSeconds: 30 });
  assert.match(leaseStatusText(s, at), /reconnecting in 2 s.*more than 30 s/);
  s = nextLeaseStatus(s, { kind: 'socket', status: { state: 'connecting' } });
  assert.equal(s.state, 'reconnecting', 'still away until the server leases again');
  s = nextLeaseStatus(s, leased);
  assert.equal(s.state, 'held');
});

test('gone and client errors end the lease for good; server errors do not', () => {
  const held = nextLeaseStatus({ state: 'connecting' }, leased);
  const gone = nextLeaseStatus(held, {
    kind: 'message',
    message: { type: 'gone', message: 'deleted by the user' },
  });
  assert.deepEqual(gone, { state: 'gone', message: 'deleted by the user' });
  assert.ok(isLeaseFinal(gone));
  assert.equal(nextLeaseStatus(gone, { kind: 'socket', status: { state: 'connecting' } }), gone);
  assert.equal(nextLeaseStatus(gone, leased), gone);
  assert.equal(leaseStatusText(gone, at), 'This pod is gone: deleted by the user');

  const e404 = { type: 'error', message: 'There is no pod "x".', status: 404 } as const;
  const e503 = { type: 'error', message: 'API server unavailable.', status: 503 } as const;
  assert.ok(endsLease(e404));
  assert.ok(!endsLease(e503));
  assert.ok(endsLease({ type: 'gone', message: '' }));
  assert.ok(!endsLease({ type: 'renewed', expiresAt: 'T' }));
  assert.deepEqual(nextLeaseStatus(held, { kind: 'message', message: e404 }), {
    state: 'error',
    message: 'There is no pod "x".',
  });
  assert.equal(nextLeaseStatus(held, { kind: 'message', message: e503 }), held);
});

test('deleting ignores socket noise, and ends as deleted or with the failure', () => {
  const held = nextLeaseStatus({ state: 'connecting' }, leased);
  let s = nextLeaseStatus(held, { kind: 'deleting' });
  s = nextLeaseStatus(s, { kind: 'socket', status: { state: 'reconnecting', attempt: 1, inMs: 500 } });
  assert.deepEqual(s, { state: 'deleting' });
  assert.deepEqual(nextLeaseStatus(s, { kind: 'deleted' }), { state: 'deleted' });
  assert.deepEqual(nextLeaseStatus(s, { kind: 'delete-failed', message: 'Forbidden.' }), {
    state: 'error',
    message: 'Forbidden.',
  });
});
