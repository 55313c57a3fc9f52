// Open streams end with their login session, decided without I/O: which sessions a periodic check looks
// up (each distinct one once, however many sockets it has), what it writes (a use, only when the person
// typed into a terminal), and which sockets close, with which words. session-stream-guard.ts carries it
// out (the store lookups, the timer, the sockets).
import type { StreamKind } from '../ws/open-streams.js';
import { judgeSession, touchDue, type SessionTimeouts, type SessionTimes } from './login-session.js';

export { SIGNED_OUT_CLOSE_CODE } from '../../shared/api.js';

/**
 * Why a session's streams are closed:
 * - `signed-out`: the person signed out on this replica (closed at once, no check needed);
 * - `gone`: the row is no longer there — signed out on another replica, its token refused by Kubernetes
 *   or its refresh refused by the provider (both delete the row), or swept after expiring;
 * - `idle` / `absolute`: a deadline passed (the check deletes the row, as a request would);
 * - `token-refused`: Kubernetes answered 401 to a request of this replica made with the person's token;
 * - `ended`: the session could not be resolved any more (single sign-on: the refresh the check made was
 *   refused, or the credential cannot be read).
 */
export type SessionEndCause = 'signed-out' | 'gone' | 'idle' | 'absolute' | 'token-refused' | 'ended';

/** What the audit record of a terminal ended this way says (its `error`, first words). */
export const SESSION_ENDED_AUDIT_REASON = 'session ended';

/** The close frame's reason (a plain sentence; well under the 123 bytes a close frame carries). */
export function signedOutCloseReason(cause: SessionEndCause): string {
  switch (cause) {
    case 'signed-out':
      return 'You signed out of Podscope. Sign in again to go on.';
    case 'gone':
      return 'Your Podscope session has ended (signed out elsewhere, or no longer accepted). Sign in again.';
    case 'idle':
      return 'Your Podscope session ended: it was not used for too long. Sign in again to go on.';
    case 'absolute':
      return 'Your Podscope session reached its time limit. Sign in again to go on.';
    case 'token-refused':
      return 'Kubernetes no longer accepts the token you signed in with. Sign in again to go on.';
    case 'ended':
      return 'Your Podscope session ended: your sign-in could not be renewed. Sign in again to go on.';
  }
}

/** The `error` of the audit record of a terminal closed because its session ended. */
export function signedOutAuditReason(cause: SessionEndCause): string {
  const why: Record<SessionEndCause, string> = {
    'signed-out': 'the person signed out',
    gone: 'the login session ended elsewhere (signed out on another replica, or its sign-in no longer accepted)',
    idle: 'the login session timed out (idle)',
    absolute: 'the login session reached its absolute timeout',
    'token-refused': "Kubernetes no longer accepts the person's token",
    ended: 'the login session could not be renewed',
  };
  return `${SESSION_ENDED_AUDIT_REASON}: ${why[cause]}; the terminal was closed and its process ended.`;
}

/**
 * Whether what a browser sends on a stream is the person using Podscope (pushing the session's idle
 * deadline back): keystrokes and resizes in a terminal are; nothing else a browser sends on its own
 * (a log follow or a watch left open on a screen does not keep a session alive).
 */
export function inputCountsAsUse(kind: StreamKind): boolean {
  return kind === 'terminal';
}

/** One open socket of a signed-in person, as the check sees it. */
export interface SessionStream {
  /** The session's id hash (the row's key). */
  session: string;
  /** When the person last typed into it (ms since the epoch), or null: never, or it does not count. */
  lastInputAt: number | null;
}

/** A session to look up, with the latest use seen on any of its sockets. */
export interface SessionToCheck {
  session: string;
  lastInputAt: number | null;
}

/** The distinct sessions of the open sockets: one lookup each, however many sockets share one. */
export function sessionsToCheck(streams: Iterable<SessionStream>): SessionToCheck[] {
  const bySession = new Map<string, number | null>();
  for (const s of streams) {
    const seen = bySession.get(s.session);
    if (seen === undefined) bySession.set(s.session, s.lastInputAt);
    else if (s.lastInputAt !== null && (seen === null || s.lastInputAt > seen))
      bySession.set(s.session, s.lastInputAt);
  }
  return [...bySession].map(([session, lastInputAt]) => ({ session, lastInputAt }));
}

export type CheckVerdict = { kind: 'open' } | { kind: 'ended'; cause: SessionEndCause };

/** What a looked-up row says about its streams at `now` (undefined: there is no row any more). */
export function streamVerdict(
  row: Pick<SessionTimes, 'idleExpiresAt' | 'expiresAt'> | undefined,
  now: Date,
): CheckVerdict {
  if (row === undefined) return { kind: 'ended', cause: 'gone' };
  const judged = judgeSession(row, now);
  return judged.kind === 'valid' ? { kind: 'open' } : { kind: 'ended', cause: judged.why };
}

/**
 * The idle deadline to write for input seen on a session's streams, or null: no input since the last
 * recorded use, or less than a minute after it (as for requests: one write per session per minute). The
 * use is dated when it happened, not when the check runs, so a check never extends a session by itself.
 */
export function inputTouch(
  row: Pick<SessionTimes, 'lastSeenAt' | 'expiresAt'>,
  lastInputAt: number | null,
  timeouts: SessionTimeouts,
): { seenAt: Date; idleExpiresAt: Date } | null {
  if (lastInputAt === null || lastInputAt <= row.lastSeenAt.getTime()) return null;
  const seenAt = new Date(lastInputAt);
  const idleExpiresAt = touchDue(row, seenAt, timeouts);
  return idleExpiresAt === null ? null : { seenAt, idleExpiresAt };
}

/** The sockets to close: those of the ended sessions, each with its session's cause. */
export function streamsToClose<S>(
  streams: Iterable<[S, SessionStream]>,
  ended: ReadonlyMap<string, SessionEndCause>,
): [S, SessionEndCause][] {
  const out: [S, SessionEndCause][] = [];
  for (const [socket, s] of streams) {
    const cause = ended.get(s.session);
    if (cause !== undefined) out.push([socket, cause]);
  }
  return out;
}

/** `auth.streamCheckSeconds`: how often open streams' sessions are looked up (default 15 s). */
export const DEFAULT_STREAM_CHECK_MS = 15_000;
