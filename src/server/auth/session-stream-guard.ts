// Every WebSocket opened under a login session (token login, single sign-on) ends when that session
// does. A sign-out (or any end this replica decides) closes the session's sockets at once; what other
// replicas, the clock or Kubernetes end is noticed by a periodic check: one lookup per distinct session
// with open sockets, every `auth.streamCheckSeconds`. The sockets close with 4401 and a sentence; a route
// that has more to do first (a terminal closes its audit record) registers its own way to end.
// The decisions are in session-streams.ts; this class holds the sockets, the timer and the lookups.
import type { WebSocket } from 'ws';
import { closeSocket } from '../ws/close-reason.js';
import type { StreamKind } from '../ws/open-streams.js';
import {
  inputCountsAsUse,
  sessionsToCheck,
  signedOutCloseReason,
  streamsToClose,
  SIGNED_OUT_CLOSE_CODE,
  type CheckVerdict,
  type SessionEndCause,
  type SessionStream,
} from './session-streams.js';

/** How a route ends its stream when the session ends (instead of a plain close). */
export type StreamEnder = (cause: SessionEndCause) => void;

/** What routes see of the guard (ServerContext.sessionStreams). */
export interface SessionStreamEnds {
  /** The route's own way to end `ws` when its session ends (e.g. a terminal closes its record first). */
  onSessionEnd(ws: WebSocket, ender: StreamEnder): void;
}

export interface SessionStreamGuardDeps {
  /** Looks a session up (LoginSessions.checkStreams); throws when the database cannot be reached. */
  check(session: string, lastInputAt: number | null): Promise<CheckVerdict>;
  intervalMs: number;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  now?: () => number;
}

interface Tracked extends SessionStream {
  kind: StreamKind;
  ender: StreamEnder | undefined;
}

export class SessionStreamGuard implements SessionStreamEnds {
  private readonly streams = new Map<WebSocket, Tracked>();
  private readonly now: () => number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly deps: SessionStreamGuardDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Follows an accepted socket of `session` until it closes. */
  track(ws: WebSocket, session: string, kind: StreamKind): void {
    const entry: Tracked = { session, kind, lastInputAt: null, ender: undefined };
    this.streams.set(ws, entry);
    ws.once('close', () => {
      if (this.streams.get(ws) === entry) this.streams.delete(ws);
    });
    if (inputCountsAsUse(kind)) ws.on('message', () => (entry.lastInputAt = this.now()));
  }

  onSessionEnd(ws: WebSocket, ender: StreamEnder): void {
    const entry = this.streams.get(ws);
    if (entry !== undefined) entry.ender = ender;
  }

  /** How many sockets of signed-in people are open (of one session, when given). */
  count(session?: string): number {
    if (session === undefined) return this.streams.size;
    let n = 0;
    for (const s of this.streams.values()) if (s.session === session) n += 1;
    return n;
  }

  /** The session ended (signed out here, …): its sockets close now. */
  sessionEnded(session: string, cause: SessionEndCause): void {
    this.close(streamsToClose(this.streams, new Map([[session, cause]])));
  }

  /**
   * Looks up each distinct session with open sockets once and closes the sockets of those that ended.
   * A lookup that fails (the database is unreachable) keeps that session's sockets open: requests are
   * refused meanwhile (503), and the next check decides.
   */
  checkNow(): Promise<void> {
    this.running ??= this.runCheck().finally(() => (this.running = undefined));
    return this.running;
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.checkNow(), this.deps.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async runCheck(): Promise<void> {
    const due = sessionsToCheck(this.streams.values());
    if (due.length === 0) return;
    const ended = new Map<string, SessionEndCause>();
    await Promise.all(
      due.map(async ({ session, lastInputAt }) => {
        try {
          const verdict = await this.deps.check(session, lastInputAt);
          if (verdict.kind === 'ended') ended.set(session, verdict.cause);
        } catch (err) {
          this.deps.log.warn({ err }, 'could not check the login session of open streams; they stay open');
        }
      }),
    );
    if (ended.size > 0) this.close(streamsToClose(this.streams, ended));
  }

  private close(closing: [WebSocket, SessionEndCause][]): void {
    for (const [ws, cause] of closing) {
      const entry = this.streams.get(ws);
      this.streams.delete(ws);
      if (entry?.ender !== undefined) {
        entry.ender(cause);
        continue;
      }
      // A paused socket would never read the browser's close frame.
      if (ws.isPaused) ws.resume();
      closeSocket(ws, SIGNED_OUT_CLOSE_CODE, signedOutCloseReason(cause));
    }
    if (closing.length > 0) {
      this.deps.log.info(
        { sockets: closing.length, causes: [...new Set(closing.map(([, c]) => c))] },
        'login session ended: its open streams were closed',
      );
    }
  }
}
