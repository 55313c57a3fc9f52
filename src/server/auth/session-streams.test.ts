import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STREAM_KINDS } from '../ws/open-streams.js';
import { MAX_CLOSE_REASON_BYTES } from '../ws/close-reason.js';
import { TOUCH_INTERVAL_MS } from './login-session.js';
import {
  inputCountsAsUse,
  inputTouch,
  sessionsToCheck,
  SESSION_ENDED_AUDIT_REASON,
  signedOutAuditReason,
  signedOutCloseReason,
  SIGNED_OUT_CLOSE_CODE,
  streamsToClose,
  streamVerdict,
  type SessionEndCause,
} from './session-streams.js';

const CAUSES: SessionEndCause[] = ['signed-out', 'gone', 'idle', 'absolute', 'token-refused', 'ended'];
const t = (iso: string) => new Date(`2026-12-01T${iso}Z`);
const timeouts = { idleMs: 60 * 60_000, absoluteMs: 12 * 60 * 60_000 };

describe('which sessions a check looks up', () => {
  it('each distinct session once, with the latest input seen on any of its sockets', () => {
    const due = sessionsToCheck([
      { session: 'a', lastInputAt: null },
      { session: 'b', lastInputAt: 5 },
      { session: 'a', lastInputAt: 7 },
      { session: 'a', lastInputAt: 3 },
      { session: 'b', lastInputAt: null },
      { session: 'c', lastInputAt: null },
    ]);
    assert.deepEqual(
      due.sort((x, y) => x.session.localeCompare(y.session)),
      [
        { session: 'a', lastInputAt: 7 },
        { session: 'b', lastInputAt: 5 },
        { session: 'c', lastInputAt: null },
      ],
    );
  });

  it('none without open sockets', () => {
    assert.deepEqual(sessionsToCheck([]), []);
  });
});

describe('what a looked-up row says about its streams', () => {
  const row = { idleExpiresAt: t('10:00:00'), expiresAt: t('12:00:00') };

  it('no row: ended elsewhere (signed out on another replica, token or refresh refused)', () => {
    assert.deepEqual(streamVerdict(undefined, t('09:00:00')), { kind: 'ended', cause: 'gone' });
  });

  it('open before both deadlines; idle or absolute at them (a deadline is exclusive)', () => {
    assert.deepEqual(streamVerdict(row, t('09:59:59.999')), { kind: 'open' });
    assert.deepEqual(streamVerdict(row, t('10:00:00')), { kind: 'ended', cause: 'idle' });
    assert.deepEqual(streamVerdict(row, t('12:00:00')), { kind: 'ended', cause: 'absolute' });
    assert.deepEqual(
      streamVerdict({ idleExpiresAt: row.expiresAt, expiresAt: row.expiresAt }, t('12:00:01')),
      {
        kind: 'ended',
        cause: 'absolute',
      },
    );
  });
});

describe('when a check records a use', () => {
  const row = { lastSeenAt: t('09:00:00'), expiresAt: t('12:00:00') };

  it('never without input: an open stream by itself does not keep a session alive', () => {
    assert.equal(inputTouch(row, null, timeouts), null);
  });

  it('not for input before the last recorded use, nor within a minute of it', () => {
    assert.equal(inputTouch(row, t('08:59:00').getTime(), timeouts), null);
    assert.equal(inputTouch(row, row.lastSeenAt.getTime(), timeouts), null);
    assert.equal(inputTouch(row, row.lastSeenAt.getTime() + TOUCH_INTERVAL_MS - 1, timeouts), null);
  });

  it('input a minute or more later: a use dated when it happened (not when the check ran)', () => {
    const typed = t('09:30:00').getTime();
    assert.deepEqual(inputTouch(row, typed, timeouts), {
      seenAt: new Date(typed),
      idleExpiresAt: t('10:30:00'),
    });
  });

  it('the idle deadline never passes the absolute one', () => {
    assert.deepEqual(inputTouch(row, t('11:30:00').getTime(), timeouts)?.idleExpiresAt, row.expiresAt);
  });

  it('only what a person types into a terminal is use', () => {
    assert.deepEqual(
      STREAM_KINDS.filter((k) => inputCountsAsUse(k)),
      ['terminal'],
    );
  });
});

describe('which sockets close', () => {
  it('those of the ended sessions, each with its cause; the others stay', () => {
    const streams: [string, { session: string; lastInputAt: number | null }][] = [
      ['log-a', { session: 'a', lastInputAt: null }],
      ['term-a', { session: 'a', lastInputAt: 4 }],
      ['log-b', { session: 'b', lastInputAt: null }],
      ['watch-c', { session: 'c', lastInputAt: null }],
    ];
    assert.deepEqual(
      streamsToClose(
        streams,
        new Map<string, SessionEndCause>([
          ['a', 'signed-out'],
          ['c', 'idle'],
        ]),
      ),
      [
        ['log-a', 'signed-out'],
        ['term-a', 'signed-out'],
        ['watch-c', 'idle'],
      ],
    );
    assert.deepEqual(streamsToClose(streams, new Map()), []);
  });
});

describe('the words', () => {
  it('an application close code (4000-4999) that echoes HTTP 401', () => {
    assert.equal(SIGNED_OUT_CLOSE_CODE, 4401);
  });

  it('a distinct plain sentence per cause that fits a close frame uncut', () => {
    const reasons = CAUSES.map(signedOutCloseReason);
    assert.equal(new Set(reasons).size, CAUSES.length);
    for (const r of reasons) {
      assert.ok(Buffer.byteLength(r, 'utf8') <= MAX_CLOSE_REASON_BYTES, r);
      assert.match(r, /^[A-Z].*\.$/);
      assert.match(r, /sign(ed)? (in|out)/i);
    }
  });

  it("a terminal's audit record says the session ended, and why", () => {
    for (const cause of CAUSES) {
      assert.ok(signedOutAuditReason(cause).startsWith(`${SESSION_ENDED_AUDIT_REASON}: `));
    }
    assert.match(signedOutAuditReason('signed-out'), /signed out/);
    assert.match(signedOutAuditReason('idle'), /timed out/);
    assert.match(signedOutAuditReason('gone'), /another replica/);
  });
});
