// Single sign-on (`--auth oidc`): the authorization code flow with PKCE against an OpenID provider, the
// login session it opens (the same rows, cookie and sealing as token login), the ID token kept fresh with
// the refresh token, and the identity each request then acts as:
//   - impersonation: Podscope's own credentials plus Impersonate-User (the username claim) and one
//     Impersonate-Group per group (the groups claim) — `Identity` without a credential;
//   - token: the person's ID token as the bearer token of every call — a BearerTokenCredential.
// Nothing of a sign-in or a session lives in this process: the flow is in a sealed cookie, the session
// in the shared database, and a refresh is coordinated through a lease on the session's row, so that
// concurrent requests on any number of replicas cause one refresh and the others wait for its result.
import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { PodscopeError } from '../http/errors.js';
import { BearerTokenCredential, type Identity } from '../kube/identity.js';
import type { AuthConfig } from './auth-config.js';
import { judgeSession } from './login-session.js';
import type { LoginSessionRow, LoginSessionStore } from './login-session-store.js';
import type { LoginSessions, OidcSessionResolver } from './login-sessions.js';
import {
  FLOW_TTL_MS,
  FlowError,
  flowClearCookie,
  flowSetCookie,
  openFlow,
  safeReturnTo,
  sealFlow,
  type LoginFlow,
} from './oidc-flow.js';
import {
  isProviderRefusal,
  OidcProviderClient,
  PROVIDER_TIMEOUT_SECONDS,
  type OidcProviderClientOptions,
} from './oidc-provider-client.js';
import {
  ClaimError,
  credentialFrom,
  oidcSessionExpiry,
  parseCredential,
  personFromClaims,
  refreshDecision,
  serializeCredential,
  type OidcCredential,
} from './oidc-session.js';
import { CALLBACK_PATH, type OidcSecrets, type OidcSettings } from './oidc-settings.js';
import type { CookieSettings } from './session-cookie.js';
import { SealError, type CredentialSealer } from './session-crypto.js';

/** How long one replica may hold a session's refresh lease (longer than a provider request may take). */
export const REFRESH_LEASE_MS = (PROVIDER_TIMEOUT_SECONDS + 5) * 1000;
/** How often a request waiting for another replica's refresh reads the row again. */
const WAIT_STEP_MS = 100;

export interface OidcLoginOptions {
  settings: OidcSettings;
  secrets: OidcSecrets;
  sealer: CredentialSealer;
  store: LoginSessionStore;
  /** The cluster whose API server trusts the provider (token mode sends the ID token there only). */
  cluster: string;
  config: AuthConfig;
  cookie: CookieSettings;
  /** This process among the replicas: names the refresh lease it holds. */
  replica: string;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  now?: () => Date;
  client?: OidcProviderClientOptions;
  /** Unit tests: the provider's side, without a provider. */
  provider?: OidcProviderPort;
}

/** What OidcLogin needs of the provider (OidcProviderClient). */
export type OidcProviderPort = Pick<
  OidcProviderClient,
  'authorizationUrl' | 'exchange' | 'refresh' | 'endSessionUrl'
>;

/** A sign-in that cannot complete: shown as a page with the reason; nothing was changed. */
export class SignInError extends PodscopeError {}

type Fresh = { row: LoginSessionRow; credential: OidcCredential };

export class OidcLogin implements OidcSessionResolver {
  readonly provider: OidcProviderPort;
  private readonly now: () => Date;
  private readonly holder: string;
  private sessions: LoginSessions | undefined;
  /** Requests of this process waiting for the same session's refresh share one. */
  private readonly refreshing = new Map<string, Promise<Fresh | null>>();
  /** Grant requests made to the provider's token endpoint for refreshes, by this process (metrics, tests). */
  refreshes = 0;

  constructor(private readonly opts: OidcLoginOptions) {
    this.provider = opts.provider ?? new OidcProviderClient(opts.settings, opts.secrets, opts.client);
    this.now = opts.now ?? (() => new Date());
    this.holder = `${opts.replica}/${randomBytes(6).toString('base64url')}`;
  }

  /** The sessions this login opens and ends (set once, by the app: they resolve through this). */
  attach(sessions: LoginSessions): void {
    this.sessions = sessions;
  }

  private get loginSessions(): LoginSessions {
    if (this.sessions === undefined) throw new Error('OidcLogin used before attach()');
    return this.sessions;
  }

  get providerName(): string {
    return this.opts.settings.providerName;
  }

  /** /auth/login: the provider's authorization URL and the sealed flow cookie. */
  async start(returnTo: unknown): Promise<{ location: string; setCookie: string }> {
    const flow: LoginFlow = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
      returnTo: safeReturnTo(returnTo),
      expiresAt: this.now().getTime() + FLOW_TTL_MS,
    };
    let url: URL;
    try {
      url = await this.provider.authorizationUrl(flow);
    } catch (err) {
      this.opts.log.warn({ err, issuer: this.opts.settings.issuer }, 'cannot reach the OpenID provider');
      throw new SignInError(
        503,
        `Podscope cannot reach the sign-in provider (${this.opts.settings.issuer}): ${(err as Error).message}. Try again in a moment.`,
        { cause: err },
      );
    }
    return {
      location: url.href,
      setCookie: flowSetCookie(this.opts.cookie, sealFlow(this.opts.sealer, flow)),
    };
  }

  /**
   * /auth/callback: checks the answer (the flow cookie, state, PKCE, the ID token: signature, issuer,
   * audience, expiry, nonce — openid-client) and opens the session. Any failure is a SignInError and
   * changes nothing (no session, the browser's current one kept).
   */
  async callback(
    query: string,
    cookieHeader: string | undefined,
    clientAddress: string | null,
  ): Promise<{ location: string; cookies: string[] }> {
    await this.loginSessions.countAttempt(clientAddress);
    const params = new URLSearchParams(query);
    const now = this.now();
    const providerError = params.get('error');
    let flow: LoginFlow;
    try {
      flow = openFlow(this.opts.sealer, this.opts.cookie, cookieHeader, now);
    } catch (err) {
      if (!(err instanceof FlowError)) throw err;
      throw new SignInError(400, `The sign-in could not be completed: ${err.message}.`);
    }
    if (providerError !== null) {
      // Only the provider's answer to this very sign-in is shown (anyone can link to a callback URL).
      if (params.get('state') !== flow.state) {
        throw new SignInError(
          400,
          'The sign-in could not be completed: the answer does not belong to this sign-in.',
        );
      }
      const description = params.get('error_description');
      throw new SignInError(
        401,
        `The sign-in provider did not sign you in: ${(description ?? providerError).slice(0, 300)}.`,
      );
    }
    // The public URL's callback plus the browser's query: never the request's Host or X-Forwarded-*.
    const callbackUrl = new URL(`${CALLBACK_PATH}?${params.toString()}`, this.opts.settings.publicUrl);
    let tokens;
    try {
      tokens = await this.provider.exchange(callbackUrl, flow);
    } catch (err) {
      this.opts.log.warn(
        { err: { message: (err as Error).message, code: (err as { code?: unknown }).code } },
        'sign-in refused',
      );
      if (isProviderRefusal(err) || err instanceof oidc.ClientError) {
        throw new SignInError(401, `The sign-in was refused: ${describe(err)}.`, { cause: err });
      }
      throw new SignInError(
        503,
        `Podscope cannot reach the sign-in provider (${this.opts.settings.issuer}): ${(err as Error).message}.`,
        { cause: err },
      );
    }
    if (tokens.claims === undefined)
      throw new SignInError(401, 'The sign-in was refused: the provider sent no ID token.');
    let person;
    let credential: OidcCredential;
    try {
      person = personFromClaims(tokens.claims, this.opts.settings);
      credential = credentialFrom(tokens, tokens.claims, now);
    } catch (err) {
      if (!(err instanceof ClaimError)) throw err;
      throw new SignInError(403, `You cannot sign in to Podscope: ${err.message}.`);
    }
    const { timeouts } = this.opts.config;
    const expiresAt = oidcSessionExpiry(credential, now, timeouts.absoluteMs);
    const { setCookie } = await this.loginSessions.open(
      {
        subject: person.subject,
        username: person.username,
        email: person.email,
        uid: null,
        groups: person.groups,
        extra: {},
        cluster: this.opts.cluster,
        credentialKind: 'oidc',
        clientAddress,
        createdAt: now,
        lastSeenAt: now,
        idleExpiresAt: new Date(Math.min(now.getTime() + timeouts.idleMs, expiresAt.getTime())),
        expiresAt,
      },
      serializeCredential(credential),
      cookieHeader,
    );
    return { location: flow.returnTo, cookies: [setCookie, flowClearCookie(this.opts.cookie)] };
  }

  /** The identity of a single sign-on session (refreshing its ID token first when it is near expiry). */
  async identityOf(
    row: LoginSessionRow,
    sealedOpen: string,
  ): Promise<{ identity: Identity; row: LoginSessionRow } | null> {
    let credential: OidcCredential;
    try {
      credential = parseCredential(sealedOpen);
    } catch {
      this.opts.log.warn({ user: row.username }, 'a single sign-on session holds no readable credential');
      return null;
    }
    let fresh: Fresh | null = { row, credential };
    const decision = refreshDecision(credential, this.now());
    if (decision === 'expired') {
      await this.loginSessions.end(row.idHash);
      return null;
    }
    if (decision === 'refresh') fresh = await this.refreshShared(row);
    if (fresh === null) return null;
    return { identity: this.identity(fresh.row, fresh.credential), row: fresh.row };
  }

  private identity(row: LoginSessionRow, credential: OidcCredential): Identity {
    const identity: Identity = {
      user: row.username,
      groups: row.groups,
      subject: row.subject,
      ...(row.email === null ? {} : { email: row.email }),
    };
    if (this.opts.settings.identityMode === 'token') {
      identity.credential = new BearerTokenCredential(row.cluster, credential.idToken);
    }
    return identity;
  }

  async logoutUrl(sealedOpen: string): Promise<string | null> {
    let credential: OidcCredential;
    try {
      credential = parseCredential(sealedOpen);
    } catch {
      return null;
    }
    return this.provider.endSessionUrl(credential.idToken);
  }

  /** One refresh per session in this process; across processes, the lease on the row (refreshCoordinated). */
  private refreshShared(row: LoginSessionRow): Promise<Fresh | null> {
    const running = this.refreshing.get(row.idHash);
    if (running !== undefined) return running;
    const started = this.refreshCoordinated(row).finally(() => this.refreshing.delete(row.idHash));
    this.refreshing.set(row.idHash, started);
    return started;
  }

  /**
   * Takes the session's refresh lease and refreshes, or — when another replica holds it — reads the row
   * again until its credential is fresh (that replica's refresh landed), the row is gone (it failed, or
   * the person signed out), or the lease has passed (that replica died: this one takes it).
   */
  private async refreshCoordinated(first: LoginSessionRow): Promise<Fresh | null> {
    const store = this.opts.store;
    const waitUntil = Date.now() + REFRESH_LEASE_MS + 5000;
    let row: LoginSessionRow | undefined = first;
    for (;;) {
      const now = this.now();
      if (judgeSession(row, now).kind === 'expired') {
        await this.loginSessions.end(row.idHash);
        return null;
      }
      const credential = this.openCredential(row);
      if (credential === null) return null;
      const decision = refreshDecision(credential, now);
      if (decision === 'use') return { row, credential };
      if (decision === 'expired') {
        await this.loginSessions.end(row.idHash);
        return null;
      }
      const leaseUntil = new Date(now.getTime() + REFRESH_LEASE_MS);
      if (
        await this.storeCall(() =>
          store.claimLoginSessionRefresh(row!.idHash, row!.sealedCredential, this.holder, now, leaseUntil),
        )
      ) {
        return this.refreshNow(row, credential);
      }
      if (Date.now() > waitUntil) {
        throw new PodscopeError(
          503,
          'Podscope is still renewing your sign-in with the provider; try again in a moment.',
        );
      }
      await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
      row = await this.storeCall(() => store.getLoginSession(first.idHash));
      if (row === undefined) return null;
    }
  }

  private async refreshNow(row: LoginSessionRow, credential: OidcCredential): Promise<Fresh | null> {
    const store = this.opts.store;
    const now = this.now();
    let tokens;
    try {
      this.refreshes++;
      tokens = await this.provider.refresh(credential.refreshToken!);
    } catch (err) {
      if (isProviderRefusal(err)) {
        this.opts.log.info(
          { user: row.username, reason: describe(err) },
          'the provider refused to refresh a sign-in: it ends',
        );
        await this.loginSessions.end(row.idHash);
        return null;
      }
      this.opts.log.warn(
        { user: row.username, reason: (err as Error).message },
        'cannot reach the OpenID provider to refresh a sign-in',
      );
      await store.releaseLoginSessionRefresh(row.idHash, this.holder).catch(() => undefined);
      if (credential.idTokenExpiresAt > now.getTime()) return { row, credential };
      await this.loginSessions.end(row.idHash);
      return null;
    }
    let person;
    let next: OidcCredential;
    try {
      if (tokens.claims === undefined) throw new ClaimError('the provider sent no new ID token');
      person = personFromClaims(tokens.claims, this.opts.settings);
      if (person.subject !== row.subject) throw new ClaimError('the refreshed ID token names someone else');
      next = credentialFrom(tokens, tokens.claims, now, credential);
    } catch (err) {
      if (!(err instanceof ClaimError)) throw err;
      this.opts.log.warn(
        { user: row.username, reason: err.message },
        'a refreshed sign-in was refused: it ends',
      );
      await this.loginSessions.end(row.idHash);
      return null;
    }
    const sealedCredential = this.opts.sealer.seal(serializeCredential(next), row.idHash);
    const expiresAt =
      next.refreshExpiresAt === null
        ? row.expiresAt
        : new Date(Math.min(next.refreshExpiresAt, row.expiresAt.getTime()));
    const stored = await this.storeCall(() =>
      store.finishLoginSessionRefresh(row.idHash, this.holder, {
        sealedCredential,
        username: person.username,
        email: person.email,
        groups: person.groups,
        expiresAt,
      }),
    );
    if (!stored) return null; // signed out meanwhile
    return {
      row: {
        ...row,
        sealedCredential,
        username: person.username,
        email: person.email,
        groups: person.groups,
        expiresAt,
        idleExpiresAt: new Date(Math.min(row.idleExpiresAt.getTime(), expiresAt.getTime())),
      },
      credential: next,
    };
  }

  private openCredential(row: LoginSessionRow): OidcCredential | null {
    try {
      return parseCredential(this.opts.sealer.open(row.sealedCredential, row.idHash));
    } catch (err) {
      if (!(err instanceof SealError) && !(err instanceof Error)) throw err;
      return null;
    }
  }

  private async storeCall<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw new PodscopeError(503, `Podscope cannot reach its session database: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
}

function describe(err: unknown): string {
  if (err instanceof oidc.ResponseBodyError) return err.error_description ?? err.error;
  if (err instanceof oidc.AuthorizationResponseError) return err.error_description ?? err.error;
  const message = (err as Error).message ?? String(err);
  const cause = (err as { cause?: unknown }).cause;
  const causeMessage = cause instanceof Error && cause.message !== message ? ` (${cause.message})` : '';
  return `${message}${causeMessage}`;
}
