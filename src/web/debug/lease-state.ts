// The state of one lease on a pod copy or node debug pod, as its WebSocket reports it, and the sentence
// the page shows for it. Pure.

import type { LeaseMessage } from '../../shared/debug/debug-api.js';
import type { SocketStatus } from '../common/reconnecting-socket.js';

export type LeaseStatus =
  | { state: 'connecting' }
  | { state: 'held'; expiresAt: string; graceSeconds: number }
  | { state: 'reconnecting'; inMs: number; graceSeconds: number | null }
  | { state: 'deleting' }
  | { state: 'deleted' }
  | { state: 'gone'; message: string }
  | { state: 'error'; message: string };

export type LeaseEvent =
  | { kind: 'message'; message: LeaseMessage }
  | { kind: 'socket'; status: SocketStatus }
  | { kind: 'deleting' }
  | { kind: 'deleted' }
  | { kind: 'delete-failed'; message: string };

/** Whether the lease is over for good (no socket should stay open for it). */
export function isLeaseFinal(status: LeaseStatus): boolean {
  return status.state === 'deleted' || status.state === 'gone' || status.state === 'error';
}

/** Whether a lease message ends the lease (the socket should not reconnect after it). */
export function endsLease(message: LeaseMessage): boolean {
  return message.type === 'gone' || (message.type === 'error' && message.status < 500);
}

export function nextLeaseStatus(status: LeaseStatus, event: LeaseEvent): LeaseStatus {
  // Once over, later socket noise (the close after 'gone') must not bring the lease back to life.
  if (isLeaseFinal(status) && event.kind !== 'delete-failed') return status;
  switch (event.kind) {
    case 'deleting':
      return { state: 'deleting' };
    case 'deleted':
      return { state: 'deleted' };
    case 'delete-failed':
      return { state: 'error', message: event.message };
    case 'message': {
      const m = event.message;
      switch (m.type) {
        case 'leased':
          return { state: 'held', expiresAt: m.expiresAt, graceSeconds: m.graceSeconds };
        case 'renewed':
          return status.state === 'held'
            ? { ...status, expiresAt: m.expiresAt }
            : { state: 'held', expiresAt: m.expiresAt, graceSeconds: graceOf(status) ?? 0 };
        case 'gone':
          // The server tells its lease holders when the user's own delete went through.
          return status.state === 'deleting' ? { state: 'deleted' } : { state: 'gone', message: m.message };
        case 'error':
          return m.status < 500 ? { state: 'error', message: m.message } : status;
      }
      return status;
    }
    case 'socket': {
      if (status.state === 'deleting') return status;
      const s = event.status;
      if (s.state === 'reconnecting')
        return { state: 'reconnecting', inMs: s.inMs, graceSeconds: graceOf(status) };
      if (s.state === 'connecting' && status.state !== 'reconnecting') return { state: 'connecting' };
      return status;
    }
  }
}

function graceOf(status: LeaseStatus): number | null {
  if (status.state === 'held') return status.graceSeconds;
  if (status.state === 'reconnecting') return status.graceSeconds;
  return null;
}

/** One sentence for the page; `formatTime` renders an ISO time in the user's zone. */
export function leaseStatusText(status: LeaseStatus, formatTime: (iso: string) => string): string {
  switch (status.state) {
    case 'connecting':
      return 'Taking the lease…';
    case 'held':
      return (
        `Kept alive by this browser tab (lease held, renewed until ${formatTime(status.expiresAt)}). ` +
        `Once the tab is closed it is deleted ${status.graceSeconds} s later.`
      );
    case 'reconnecting':
      return (
        `The lease connection dropped; reconnecting in ${Math.ceil(status.inMs / 1000)} s.` +
        (status.graceSeconds !== null
          ? ` The pod is deleted if the lease stays away for more than ${status.graceSeconds} s.`
          : '')
      );
    case 'deleting':
      return 'Deleting…';
    case 'deleted':
      return 'Deleted.';
    case 'gone':
      return `This pod is gone: ${status.message}`;
    case 'error':
      return status.message;
  }
}
