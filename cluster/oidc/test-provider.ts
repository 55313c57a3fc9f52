// The test environment's OpenID provider: panva's oidc-provider (OpenID certified) with the four test
// people, one confidential client `podscope`, a real sign-in and consent form, and ID tokens that carry
// `email` and `groups` (what the API server's AuthenticationConfiguration reads). The daemon (main.ts,
// run by cluster/oidc.sh) and tests that need a provider of their own (test/support/oidc.ts
// startTestProvider) both build it here, so they cannot drift apart.
import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider, { errors, type Interaction, type KoaContextWithOIDC } from 'oidc-provider';
import { consentPage, errorPage, loggedOutPage, loginPage, logoutPage, PAGE_HEADERS } from './pages.js';
import {
  callbackUriAllowed,
  CALLBACK_HOSTS,
  postLogoutUriAllowed,
  REGISTERED_REDIRECT_URIS,
} from './redirect-rules.js';
import { checkPassword, claimsOf, findPerson, TEST_PEOPLE, type TestUserName } from './test-people.js';

export const CLIENT_ID = 'podscope';
/** Scopes the client may ask for; `groups` releases the `groups` claim. */
export const SCOPES = ['openid', 'email', 'profile', 'groups', 'offline_access'] as const;

export interface TokenLifetimes {
  idTokenSeconds: number;
  accessTokenSeconds: number;
  refreshTokenSeconds: number;
}

export const DEFAULT_LIFETIMES: Readonly<TokenLifetimes> = {
  idTokenSeconds: 600,
  accessTokenSeconds: 600,
  refreshTokenSeconds: 24 * 3600,
};

export interface TestProviderSettings {
  /** `https://host:port`, exactly as tokens name it (`iss`). */
  issuer: string;
  clientSecret: string;
  /** Private JWKs that sign ID tokens (the first one signs; `kid` and `alg` set). */
  signingKeys: readonly object[];
  /** Keys that sign the provider's cookies (newest first). */
  cookieKeys: readonly string[];
  lifetimes?: Partial<TokenLifetimes>;
  /** One line per notable event (sign-ins, refused passwords, errors); default: none. */
  log?: (line: string) => void;
}

export interface TestProvider {
  readonly provider: Provider;
  /** The request handler to serve (HTTPS): the interaction pages, then oidc-provider. */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Successful token-endpoint calls so far, by grant type (`authorization_code`, `refresh_token`). */
  readonly tokenRequests: Map<string, number>;
}

const MAX_FORM_BYTES = 8 * 1024;
const INTERACTION_PATH = /^\/interaction\/([A-Za-z0-9_-]{1,128})(?:\/(login|confirm|abort))?$/;

class PageError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description?: string,
  ) {
    super(description ?? error);
  }
}

function sendPage(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { ...PAGE_HEADERS, 'content-length': Buffer.byteLength(html) });
  res.end(html);
}

/** An `application/x-www-form-urlencoded` body of at most MAX_FORM_BYTES. */
async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new PageError(
      415,
      'unsupported_media_type',
      'the form must be sent as application/x-www-form-urlencoded',
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new PageError(413, 'payload_too_large', 'the form is too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * Like Dex, Keycloak or Okta (and unlike oidc-provider's strict reading of OIDC Core §11), asking for
 * `offline_access` is enough to get a refresh token: a GET authorization request that asks for it
 * without a `prompt` gets `prompt=consent` added, so the person is asked and the scope is kept.
 */
export function withOfflineAccessConsent(url: URL): URL {
  const scopes = (url.searchParams.get('scope') ?? '').split(' ');
  if (!scopes.includes('offline_access') || url.searchParams.has('prompt')) return url;
  const out = new URL(url);
  out.searchParams.set('prompt', 'consent');
  return out;
}

export function createTestProvider(settings: TestProviderSettings): TestProvider {
  const log = settings.log ?? (() => {});
  const lifetimes = { ...DEFAULT_LIFETIMES, ...settings.lifetimes };
  const postLogoutUris = [...CALLBACK_HOSTS].map((h) => `http://${h}/`);

  const provider = new Provider(settings.issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: settings.clientSecret,
        client_name: 'Podscope',
        redirect_uris: REGISTERED_REDIRECT_URIS,
        post_logout_redirect_uris: postLogoutUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        // Both client_secret_basic and client_secret_post are accepted for a secret-based client.
        token_endpoint_auth_method: 'client_secret_basic',
        scope: SCOPES.join(' '),
      },
    ],
    scopes: [...SCOPES],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
      groups: ['groups'],
    },
    findAccount(_ctx: unknown, sub: string) {
      const person = findPerson(sub);
      if (!person || person.sub !== sub) return undefined;
      return { accountId: person.sub, claims: () => claimsOf(person) };
    },
    // Scope claims (email, groups) in the ID token too, not only from userinfo: the API server reads them there.
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: { enabled: false },
      revocation: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource(ctx: KoaContextWithOIDC, form: string) {
          ctx.type = 'html';
          ctx.body = logoutPage(form, ctx.host);
        },
        postLogoutSuccessSource(ctx: KoaContextWithOIDC) {
          ctx.type = 'html';
          ctx.body = loggedOutPage();
        },
      },
    },
    pkce: { methods: ['S256'], required: () => true },
    responseTypes: ['code'],
    // Every refresh returns a new refresh token; reusing a spent one revokes the grant (as strict
    // providers do), so a client that refreshes twice concurrently finds out.
    rotateRefreshToken: true,
    cookies: {
      keys: [...settings.cookieKeys],
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    jwks: { keys: [...settings.signingKeys] },
    ttl: {
      IdToken: lifetimes.idTokenSeconds,
      AccessToken: lifetimes.accessTokenSeconds,
      RefreshToken: lifetimes.refreshTokenSeconds,
      AuthorizationCode: 60,
      Interaction: 3600,
      Session: 24 * 3600,
      Grant: 24 * 3600,
    },
    interactions: { url: (_ctx: unknown, interaction: Interaction) => `/interaction/${interaction.uid}` },
    renderError(ctx: KoaContextWithOIDC, out: { error?: string; error_description?: string }) {
      ctx.type = 'html';
      ctx.body = errorPage(out.error ?? 'error', out.error_description);
    },
    // No browser calls this provider across origins: Podscope's server does the token requests.
    clientBasedCORS: () => false,
  });
  // It is reached directly, never through a proxy: X-Forwarded-* headers are not believed.
  provider.proxy = false;
  provider.Client.prototype.redirectUriAllowed = callbackUriAllowed;
  provider.Client.prototype.postLogoutRedirectUriAllowed = postLogoutUriAllowed;

  const tokenRequests = new Map<string, number>();
  provider.on('grant.success', (ctx) => {
    const grantType = String(ctx.oidc.params?.grant_type ?? 'unknown');
    tokenRequests.set(grantType, (tokenRequests.get(grantType) ?? 0) + 1);
  });
  provider.on('grant.error', (_ctx, err) => log(`token request refused: ${describe(err)}`));
  provider.on('authorization.error', (_ctx, err) => log(`authorization refused: ${describe(err)}`));
  provider.on('server_error', (_ctx, err) => log(`server error: ${describe(err)}`));

  const oidc = provider.callback();

  async function interaction(req: IncomingMessage, res: ServerResponse, uid: string, action?: string) {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new PageError(400, 'invalid_request', 'this sign-in page is out of date');
    const clientId = String(details.params.client_id ?? CLIENT_ID);
    const prompt = details.prompt.name;
    if (action === undefined) {
      if (req.method !== 'GET') throw new PageError(405, 'method_not_allowed');
      if (prompt === 'login') return sendPage(res, 200, loginPage({ uid, clientId }));
      if (prompt === 'consent') return sendPage(res, 200, consentPage(consentInput(details, clientId)));
      throw new PageError(400, 'invalid_request', `unexpected prompt ${prompt}`);
    }
    if (req.method !== 'POST') throw new PageError(405, 'method_not_allowed');
    const form = await readForm(req);
    if (action === 'abort') {
      log(`interaction ${uid}: the person declined`);
      return provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'the person declined to sign in' },
        { mergeWithLastSubmission: false },
      );
    }
    if (action === 'login') {
      if (prompt !== 'login') throw new PageError(400, 'invalid_request', 'already signed in');
      const login = (form.get('username') ?? '').slice(0, 256);
      const person = checkPassword(login, form.get('password') ?? '');
      if (!person) {
        log(`sign-in refused for ${JSON.stringify(login)}: wrong user name or password`);
        return sendPage(
          res,
          401,
          loginPage({ uid, clientId, login, error: 'Wrong user name or password. Try again.' }),
        );
      }
      log(`signed in: ${person.email}`);
      return provider.interactionFinished(
        req,
        res,
        { login: { accountId: person.sub } },
        { mergeWithLastSubmission: false },
      );
    }
    // action === 'confirm'
    if (prompt !== 'consent') throw new PageError(400, 'invalid_request', 'nothing to consent to');
    const accountId = details.session?.accountId;
    if (accountId === undefined) throw new PageError(400, 'invalid_request', 'not signed in');
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId, clientId });
    if (!grant) throw new PageError(400, 'invalid_request', 'the grant expired');
    const { missingOIDCScope, missingOIDCClaims } = details.prompt.details;
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
    if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
    const grantId = await grant.save();
    return provider.interactionFinished(
      req,
      res,
      { consent: details.grantId ? {} : { grantId } },
      { mergeWithLastSubmission: true },
    );
  }

  function handler(req: IncomingMessage, res: ServerResponse): void {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', settings.issuer);
    } catch {
      return sendPage(res, 400, errorPage('invalid_request', 'malformed request URL'));
    }
    const m = INTERACTION_PATH.exec(url.pathname);
    if (m) {
      interaction(req, res, m[1]!, m[2]).catch((err: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        if (err instanceof PageError) return sendPage(res, err.status, errorPage(err.error, err.description));
        if (err instanceof errors.OIDCProviderError) {
          return sendPage(res, err.status, errorPage(err.error, err.error_description));
        }
        log(`interaction error: ${describe(err)}`);
        sendPage(res, 500, errorPage('server_error', 'the sign-in page failed; see the provider log'));
      });
      return;
    }
    if (url.pathname === '/auth' && req.method === 'GET') {
      const rewritten = withOfflineAccessConsent(url);
      if (rewritten !== url) req.url = `${rewritten.pathname}${rewritten.search}`;
    }
    oidc(req, res);
  }

  return { provider, handler, tokenRequests };
}

function consentInput(details: Interaction, clientId: string) {
  const accountId = details.session?.accountId as TestUserName | undefined;
  const who = accountId !== undefined && accountId in TEST_PEOPLE ? TEST_PEOPLE[accountId].email : 'unknown';
  return {
    uid: details.uid,
    clientId,
    who,
    scopes: (details.prompt.details.missingOIDCScope ?? []).filter((s) => s !== 'openid'),
    claims: details.prompt.details.missingOIDCClaims ?? [],
  };
}

function describe(err: unknown): string {
  if (err instanceof errors.OIDCProviderError) {
    return `${err.error}${err.error_description ? ` (${err.error_description})` : ''}`;
  }
  return err instanceof Error ? err.message : String(err);
}
