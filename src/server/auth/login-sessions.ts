// Token login: a person pastes a Kubernetes bearer token once; Podscope checks it with a
// SelfSubjectReview made with that token, keeps it sealed in a session row of the shared database, and
// from then on every Kubernetes call of that person's requests carries it. Nothing of a session lives in
// this process: any replica resolves any cookie, and a logout on one ends it on all.
import type { SignedInUser } from '../../shared/api.js';
import { AuditStoreError } from '../audit/audit-store.js';
import { KubeApiError, PodscopeError } from '../http/errors.js';
import type { ClusterRegistry } from '../kube/cluster-registry.js';
import { BearerTokenCredential, type Identity } from '../kube/identity.js';
import { attemptWindowStart, retryAfterSeconds, type AuthConfig } from './auth-config.js';
import {
  hashSessionId,
  judgeSession,
  jwtExpiry,
  newSessionId,
  newSessionTimes,
  touchDue,
} from './login-session.js';
import type { LoginSessionRow, LoginSessionStore } from './login-session-store.js';
import { checkLoginToken, reviewToken } from './self-subject-review.js';
import {
  sessionClearCookie,
  sessionIdFromCookie,
  sessionSetCookie,
  type CookieSettings,
} from './session-cookie.js';
import { SealError, type CredentialSealer } from './session-crypto.js';
import { inputTouch, streamVerdict, type CheckVerdict, type SessionEndCause } from './session-streams.js';

/**
 * Single sign-on's part of resolving a session (oidc-login.ts): from the row and its opened credential,
 * the identity to act as — refreshing the ID token first when it is near expiry — or null when the
 * session has ended (the refresh failed; the row is deleted then).
 */
export interface OidcSessionResolver {
  identityOf(
    row: LoginSessionRow,
    credential: string,
  ): Promise<{ identity: Identity; row: LoginSessionRow } | null>;
  /** The provider's logout page for the session's credential, or null. */
  logoutUrl(credential: string): Promise<string | null>;
}

export interface LoginSessionsOptions {
  store: LoginSessionStore;
  sealer: CredentialSealer;
  registry: ClusterRegistry;
  /** The cluster tokens are checked against (and the only one they are sent to). */
  cluster: string;
  config: AuthConfig;
  cookie: CookieSettings;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  now?: () => Date;
  /** Single sign-on (`--auth oidc`): resolves the sessions whose credential kind is `oidc`. */
  oidc?: OidcSessionResolver;
}

/** A request's signed-in person. */
export interface ResolvedSession {
  idHash: string;
  identity: Identity;
  user: SignedInUser;
}

/** 429: too many sign-in attempts from one address; `retryAfter` seconds until the window ends. */
export class SignInRateLimited extends PodscopeError {
  constructor(
    message: string,
    readonly retryAfter: number,
  ) {
    super(429, message, { code: 'rate-limited' });
  }
}

/** How often expired sessions and old attempt counts are deleted (by every replica; the deletes are idempotent). */
const EXPIRY_SWEEP_MS = 10 * 60 * 1000;

const SIGN_IN_AGAIN = 'Sign in to Podscope again.';

export class LoginSessions {
  private readonly now: () => Date;
  private sweep: ReturnType<typeof setInterval> | undefined;
  private readonly endListeners: ((idHash: string, cause: SessionEndCause) => void)[] = [];

  constructor(private readonly opts: LoginSessionsOptions) {
    this.now = opts.now ?? (() => new Date());
  }

  /**
   * Checks the token and opens a session. Refusals: 400 (not a token), 401 `bad-token` (Kubernetes does
   * not accept it; no row is written), 429 `rate-limited`, 503 (the database cannot be reached).
   */
  async login(
    rawToken: unknown,
    clientAddress: string | null,
    cookieHeader?: string,
  ): Promise<{ setCookie: string; user: SignedInUser }> {
    const now = this.now();
    await this.countAttempt(clientAddress);
    const token = checkLoginToken(rawToken);
    const connection = this.opts.registry.get(this.opts.cluster);
    let reviewed;
    try {
      reviewed = await reviewToken(connection, token);
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 401) {
        throw new PodscopeError(
          401,
          `Kubernetes does not accept this token (cluster "${this.opts.cluster}"): it may be mistyped, expired or ` +
            'revoked, or be for another cluster.',
          { code: 'bad-token', cause: err },
        );
      }
      throw err;
    }
    if (reviewed.username === 'system:anonymous') {
      throw new PodscopeError(401, 'That token signs in as the anonymous user; use a token of your own.', {
        code: 'bad-token',
      });
    }
    const times = newSessionTimes(now, this.opts.config.timeouts, jwtExpiry(token));
    const { setCookie, row } = await this.open(
      {
        subject:
          reviewed.uid !== null ? `kubernetes:${reviewed.uid}` : `kubernetes-user:${reviewed.username}`,
        username: reviewed.username,
        email: null,
        uid: reviewed.uid,
        groups: reviewed.groups,
        extra: reviewed.extra,
        cluster: this.opts.cluster,
        credentialKind: 'bearer-token',
        clientAddress,
        ...times,
      },
      token,
      cookieHeader,
    );
    return { setCookie, user: userOf(row) };
  }

  /**
   * Counts a sign-in attempt from `clientAddress` (shared by the replicas through the database); throws
   * SignInRateLimited (429) past the configured number per window.
   */
  async countAttempt(clientAddress: string | null): Promise<void> {
    const now = this.now();
    const { perClient, windowMs } = this.opts.config.loginAttempts;
    const attempts = await this.store(() =>
      this.opts.store.countLoginAttempt(clientAddress ?? 'unknown', attemptWindowStart(now, windowMs)),
    );
    if (attempts > perClient) {
      const retryAfter = retryAfterSeconds(now, windowMs);
      throw new SignInRateLimited(
        `Too many sign-in attempts from your address: ${perClient} are allowed per ${Math.round(windowMs / 1000)} s. ` +
          `Try again in ${retryAfter} s.`,
        retryAfter,
      );
    }
  }

  /**
   * Opens a session for a person whose credential was checked: a new id, the row (credential sealed
   * and bound to it), and the cookie. A session the browser already had ends: one browser, one session
   * (and no id outlives a new sign-in).
   */
  async open(
    person: Omit<LoginSessionRow, 'idHash' | 'sealedCredential'>,
    credential: string,
    cookieHeader: string | undefined,
  ): Promise<{ setCookie: string; row: LoginSessionRow }> {
    const id = newSessionId();
    const idHash = hashSessionId(id);
    const row: LoginSessionRow = {
      ...person,
      idHash,
      sealedCredential: this.opts.sealer.seal(credential, idHash),
    };
    await this.store(() => this.opts.store.createLoginSession(row));
    const previous = sessionIdFromCookie(this.opts.cookie, cookieHeader);
    if (previous !== undefined) await this.end(hashSessionId(previous), 'signed-out');
    this.opts.log.info({ user: row.username, clientAddress: row.clientAddress }, 'signed in');
    return { setCookie: sessionSetCookie(this.opts.cookie, id), row };
  }

  /**
   * The signed-in person of a request's Cookie header, or null: no cookie, no such session (signed out
   * on any replica), expired (the row is deleted), or its credential cannot be opened (another key).
   * A use pushes the idle deadline back (at most once a minute).
   */
  async resolve(cookieHeader: string | undefined): Promise<ResolvedSession | null> {
    const id = sessionIdFromCookie(this.opts.cookie, cookieHeader);
    if (id === undefined) return null;
    const idHash = hashSessionId(id);
    const row = await this.store(() => this.opts.store.getLoginSession(idHash));
    if (row === undefined) return null;
    const now = this.now();
    const verdict = judgeSession(row, now);
    if (verdict.kind === 'expired') {
      await this.end(idHash, verdict.why);
      return null;
    }
    const idleExpiresAt = touchDue(row, now, this.opts.config.timeouts);
    if (idleExpiresAt !== null) {
      const touched = await this.store(() => this.opts.store.touchLoginSession(idHash, now, idleExpiresAt));
      if (!touched) return null;
    }
    return this.identityOf(row);
  }

  /**
   * The periodic check of a session with open streams (session-stream-guard.ts): one lookup of its row.
   * Never pushes the idle deadline back by itself — only for `lastInputAt`, input the person typed into
   * a terminal (dated then, at most once a minute). An expired row is deleted, as a request would; a
   * single sign-on session whose ID token is due is refreshed as a request would (a refused refresh
   * ends it). Throws when the database cannot be reached (the caller keeps the streams open then).
   */
  async checkStreams(idHash: string, lastInputAt: number | null): Promise<CheckVerdict> {
    const row = await this.opts.store.getLoginSession(idHash);
    const verdict = streamVerdict(row, this.now());
    if (verdict.kind === 'ended' || row === undefined) {
      if (row !== undefined && verdict.kind === 'ended') await this.end(idHash, verdict.cause);
      return verdict;
    }
    const use = inputTouch(row, lastInputAt, this.opts.config.timeouts);
    if (use !== null && !(await this.opts.store.touchLoginSession(idHash, use.seenAt, use.idleExpiresAt))) {
      return { kind: 'ended', cause: 'gone' };
    }
    if (row.credentialKind !== 'oidc') return verdict;
    return (await this.identityOf(row)) === null ? { kind: 'ended', cause: 'ended' } : verdict;
  }

  /** The person of a valid row: its credential opened (and a single sign-on one refreshed when due). */
  private async identityOf(row: LoginSessionRow): Promise<ResolvedSession | null> {
    const idHash = row.idHash;
    let credential: string;
    try {
      credential = this.opts.sealer.open(row.sealedCredential, idHash);
    } catch (err) {
      if (!(err instanceof SealError)) throw err;
      // Not deleted: a replica started with the wrong key must not end everyone's sessions.
      this.opts.log.warn(
        { user: row.username, reason: err.message },
        "a login session could not be opened with this replica's session key: is --session-key-file the same on every replica?",
      );
      return null;
    }
    if (row.credentialKind === 'oidc') {
      if (this.opts.oidc === undefined) return null; // a single sign-on session on a token-login Podscope
      const resolved = await this.opts.oidc.identityOf(row, credential);
      return resolved === null ? null : { idHash, identity: resolved.identity, user: userOf(resolved.row) };
    }
    return {
      idHash,
      identity: {
        user: row.username,
        groups: row.groups,
        ...(row.uid === null ? {} : { uid: row.uid }),
        extra: row.extra,
        credential: new BearerTokenCredential(row.cluster, credential),
      },
      user: userOf(row),
    };
  }

  /**
   * Logout: deletes the session's row (so every replica refuses the cookie) and clears the cookie. For
   * a single sign-on session, also the provider's logout page (when it has one).
   */
  async logout(cookieHeader: string | undefined): Promise<{ setCookie: string; logoutUrl: string | null }> {
    const id = sessionIdFromCookie(this.opts.cookie, cookieHeader);
    let logoutUrl: string | null = null;
    if (id !== undefined) {
      const idHash = hashSessionId(id);
      const row = await this.store(() => this.opts.store.getLoginSession(idHash));
      if (row?.credentialKind === 'oidc' && this.opts.oidc !== undefined) {
        try {
          logoutUrl = await this.opts.oidc.logoutUrl(this.opts.sealer.open(row.sealedCredential, idHash));
        } catch (err) {
          if (!(err instanceof SealError)) throw err;
        }
      }
      await this.store(() => this.opts.store.deleteLoginSession(idHash));
      this.ended(idHash, 'signed-out');
    }
    return { setCookie: sessionClearCookie(this.opts.cookie), logoutUrl };
  }

  /**
   * Ends a session (expired, Kubernetes no longer accepts its token, its refresh was refused, a new
   * sign-in in the same browser). Never throws. Its open streams on this replica close at once.
   */
  async end(idHash: string, cause: SessionEndCause = 'ended'): Promise<void> {
    try {
      await this.opts.store.deleteLoginSession(idHash);
    } catch (err) {
      this.opts.log.warn({ err }, 'could not delete an ended login session (it expires on its own)');
    }
    this.ended(idHash, cause);
  }

  /** Told of every session this replica ends (the open streams' guard closes their sockets). */
  onSessionEnded(listener: (idHash: string, cause: SessionEndCause) => void): void {
    this.endListeners.push(listener);
  }

  private ended(idHash: string, cause: SessionEndCause): void {
    for (const listener of this.endListeners) {
      try {
        listener(idHash, cause);
      } catch (err) {
        this.opts.log.warn({ err }, 'a listener of ended login sessions failed');
      }
    }
  }

  clearCookie(): string {
    return sessionClearCookie(this.opts.cookie);
  }

  /** The 401 every request without a valid session gets. */
  static loginRequired(message = 'Sign in to Podscope with a Kubernetes token to continue.'): PodscopeError {
    return new PodscopeError(401, message, { code: 'login-required' });
  }

  /** A Kubernetes 401 to a call made with a person's token: their token stopped working. */
  static tokenRefused(): PodscopeError {
    return LoginSessions.loginRequired(
      `Kubernetes no longer accepts the token you signed in with (it expired or was revoked). ${SIGN_IN_AGAIN}`,
    );
  }

  startExpirySweep(): void {
    if (this.sweep !== undefined) return;
    const run = () => {
      const now = this.now();
      const oldAttempts = new Date(
        now.getTime() - Math.max(this.opts.config.loginAttempts.windowMs, 60_000) * 2,
      );
      this.opts.store.deleteExpiredLoginSessions(now, oldAttempts).catch((err: unknown) => {
        this.opts.log.warn({ err }, 'could not delete expired login sessions');
      });
    };
    run();
    this.sweep = setInterval(run, EXPIRY_SWEEP_MS);
    this.sweep.unref();
  }

  stopExpirySweep(): void {
    if (this.sweep !== undefined) clearInterval(this.sweep);
    this.sweep = undefined;
  }

  private async store<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof AuditStoreError && err.code === 'unavailable') {
        throw new PodscopeError(503, `Podscope cannot reach its session database: ${err.message}`, {
          cause: err,
        });
      }
      throw err;
    }
  }
}

function userOf(row: LoginSessionRow): SignedInUser {
  return {
    username: row.username,
    email: row.email,
    uid: row.uid,
    groups: row.groups,
    cluster: row.cluster,
    expiresAt: row.expiresAt.toISOString(),
  };
}
