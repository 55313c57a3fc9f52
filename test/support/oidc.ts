// The test environment's OpenID provider, for tests: its settings (oidcEnv), signing in through its
// real form the way a browser would (completeProviderLogin), real ID tokens of the test people
// (providerIdToken, through the whole code flow with openid-client acting as the client), tokens
// signed on purpose with its key or a foreign one (mintIdToken), and providers of a test's own with
// short token lifetimes (startTestProvider). The provider itself is cluster/oidc (run by cluster/oidc.sh).
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { importJWK, SignJWT, type JWTPayload } from 'jose';
import * as client from 'openid-client';
import {
  newSigningKey,
  providerFiles,
  readSecret,
  readSigningKeys,
  type ProviderFiles,
} from '../../cluster/oidc/provider-files.js';
import {
  CLIENT_ID,
  createTestProvider,
  SCOPES,
  type TokenLifetimes,
} from '../../cluster/oidc/test-provider.js';
import {
  TEST_PEOPLE,
  testPassword,
  type TestPerson,
  type TestUserName,
} from '../../cluster/oidc/test-people.js';
import { stateDir } from './cluster.js';

export { TEST_PEOPLE, testPassword, type TestPerson, type TestUserName };

export interface OidcEnv {
  /** `https://10.213.0.1:5556` (PODSCOPE_OIDC_ISSUER). */
  issuer: string;
  /** The CA that signed the provider's certificate (PODSCOPE_OIDC_CA_FILE). */
  caFile: string;
  clientId: string;
  /** PODSCOPE_OIDC_CLIENT_SECRET_FILE. */
  clientSecretFile: string;
  /** The secret itself. */
  clientSecret: string;
  /** The CA, PEM. */
  ca: string;
  /** Where the provider keeps its state (keys, certificate). */
  files: ProviderFiles;
}

/** The local provider's settings, as `cluster/oidc.sh env` prints them, read from the cluster dir. */
export function oidcEnv(): OidcEnv {
  const files = providerFiles(path.join(stateDir, 'oidc'));
  let ca: string;
  try {
    ca = readFileSync(files.caFile, 'utf8');
  } catch {
    throw new Error(
      `no OpenID provider: ${files.caFile} is missing — is the cluster up (npm run cluster:up)?`,
    );
  }
  return {
    issuer: 'https://10.213.0.1:5556',
    caFile: files.caFile,
    clientId: CLIENT_ID,
    clientSecretFile: files.clientSecretFile,
    clientSecret: readSecret(files.clientSecretFile),
    ca,
    files,
  };
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTP(S) request trusting `ca`, never following redirects. */
export function rawRequest(
  url: URL,
  init: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array; ca?: string } = {},
): Promise<RawResponse> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      { method: init.method ?? 'GET', headers: init.headers, ca: init.ca, timeout: 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request to ${url.href} timed out`)));
    req.on('error', reject);
    req.end(init.body);
  });
}

/** A fetch for openid-client that trusts `ca` (Node's own fetch takes no CA). */
export function fetchTrusting(ca: string): client.CustomFetch {
  return async (url, options) => {
    let body: string | Uint8Array | undefined;
    if (typeof options.body === 'string' || options.body instanceof Uint8Array) body = options.body;
    else if (options.body instanceof URLSearchParams) body = options.body.toString();
    else if (options.body instanceof ArrayBuffer) body = new Uint8Array(options.body);
    else if (options.body !== undefined && options.body !== null)
      throw new Error('streamed bodies are not supported');
    const r = await rawRequest(new URL(url), { method: options.method, headers: options.headers, body, ca });
    const headers = new Headers();
    for (const [name, value] of Object.entries(r.headers)) {
      for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value])
        headers.append(name, v);
    }
    const empty = r.status === 204 || r.status === 304;
    return new Response(empty ? null : r.body, { status: r.status, headers });
  };
}

interface StoredCookie {
  value: string;
  path: string;
}

/**
 * A browser's view of the provider: a cookie jar of its own, requests that trust the CA, redirects
 * seen one by one. Forms are filled in as a person would: the fields the page shows, posted to the
 * page's own form action.
 */
export class ProviderBrowser {
  private readonly jar = new Map<string, StoredCookie>();

  constructor(private readonly ca: string) {}

  async request(
    url: URL,
    init: { method?: string; form?: Record<string, string> } = {},
  ): Promise<RawResponse> {
    const headers: Record<string, string> = { accept: 'text/html' };
    const cookies = [...this.jar.entries()]
      .filter(([, c]) => url.pathname.startsWith(c.path))
      .map(([name, c]) => `${name}=${c.value}`);
    if (cookies.length > 0) headers.cookie = cookies.join('; ');
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await rawRequest(url, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      headers,
      body,
      ca: this.ca,
    });
    for (const line of res.headers['set-cookie'] ?? []) this.store(line);
    return res;
  }

  private store(line: string): void {
    const [pair, ...attrs] = line.split(';');
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq).trim();
    const value = pair!.slice(eq + 1).trim();
    let cookiePath = '/';
    let expired = value === '';
    for (const attr of attrs) {
      const [k, v = ''] = attr.trim().split('=');
      const key = k!.toLowerCase();
      if (key === 'path') cookiePath = v;
      if (key === 'max-age' && Number(v) <= 0) expired = true;
      if (key === 'expires' && Date.parse(v) <= Date.now()) expired = true;
    }
    if (expired) this.jar.delete(name);
    else this.jar.set(name, { value, path: cookiePath });
  }
}

/** The action of the page's form whose action ends in `/<suffix>`, resolved against the page. */
export function formAction(html: string, pageUrl: URL, suffix: string): URL | undefined {
  for (const m of html.matchAll(/<form\b[^>]*\baction="([^"]+)"/g)) {
    const action = m[1]!.replaceAll('&amp;', '&');
    if (action.endsWith(`/${suffix}`)) return new URL(action, pageUrl);
  }
  return undefined;
}

/** The text of the page's alert (the sign-in error), if it shows one. */
export function pageAlert(html: string): string | undefined {
  const m = /<p[^>]*role="alert"[^>]*>([\s\S]*?)<\/p>/.exec(html);
  if (!m) return undefined;
  return m[1]!
    .replace(/<[^>]+>/g, '')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&')
    .trim();
}

/**
 * Drives the provider's real sign-in (and consent) form from an authorization URL, as a browser
 * would, until the provider sends the browser to somewhere that is not the provider: the client's
 * redirect URI, with `code` and `state` (or `error`). That URL is returned, not fetched.
 */
export async function completeProviderLogin(
  authorizeUrl: string | URL,
  user: TestUserName,
  password: string = testPassword(user),
  opts: { ca?: string; browser?: ProviderBrowser } = {},
): Promise<{ callbackUrl: string }> {
  const start = new URL(authorizeUrl);
  const browser = opts.browser ?? new ProviderBrowser(opts.ca ?? oidcEnv().ca);
  let url = start;
  let res = await browser.request(url);
  for (let step = 0; step < 20; step += 1) {
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(String(res.headers.location), url);
      if (next.origin !== start.origin) return { callbackUrl: next.href };
      url = next;
      res = await browser.request(url);
      continue;
    }
    const login = formAction(res.body, url, 'login');
    const confirm = formAction(res.body, url, 'confirm');
    if (res.status === 200 && login) {
      res = await browser.request(login, { form: { username: user, password } });
      if (res.status === 401) {
        throw new Error(
          `the provider refused ${user}'s password: ${pageAlert(res.body) ?? res.body.slice(0, 200)}`,
        );
      }
    } else if (res.status === 200 && confirm) {
      res = await browser.request(confirm, { form: {} });
    } else {
      throw new Error(
        `unexpected page from the provider at ${url.href} (HTTP ${res.status}): ` +
          `${pageAlert(res.body) ?? res.body.slice(0, 300)}`,
      );
    }
  }
  throw new Error(`the provider never sent the browser back to the client (from ${start.href})`);
}

/** PKCE values for a hand-made authorization request. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** An authorization URL of client `podscope` (PKCE S256) at `issuer`, for tests that act as the client. */
export function authorizeUrl(
  issuer: string,
  params: { redirectUri: string; state: string; nonce?: string; challenge: string; scope?: string },
): URL {
  const url = new URL('/auth', issuer);
  url.search = new URLSearchParams({
    client_id: CLIENT_ID,
    response_type: 'code',
    scope: params.scope ?? 'openid email profile groups',
    redirect_uri: params.redirectUri,
    state: params.state,
    nonce: params.nonce ?? randomBytes(16).toString('base64url'),
    code_challenge: params.challenge,
    code_challenge_method: 'S256',
  }).toString();
  return url;
}

export interface ProviderTokens {
  idToken: string;
  accessToken: string;
  refreshToken?: string;
  /** The ID token's claims, as openid-client validated them. */
  claims: Record<string, unknown>;
}

/**
 * A test person's tokens from a provider (default: the cluster's), through the whole authorization
 * code flow with PKCE: openid-client is the client, the person signs in through the real form.
 */
export async function providerTokens(
  user: TestUserName,
  opts: { issuer?: string; ca?: string; clientSecret?: string; offlineAccess?: boolean } = {},
): Promise<ProviderTokens> {
  const env = opts.issuer && opts.ca && opts.clientSecret ? undefined : oidcEnv();
  const issuer = opts.issuer ?? env!.issuer;
  const ca = opts.ca ?? env!.ca;
  const config = await client.discovery(
    new URL(issuer),
    CLIENT_ID,
    undefined,
    client.ClientSecretBasic(opts.clientSecret ?? env!.clientSecret),
    { [client.customFetch]: fetchTrusting(ca) },
  );
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const redirectUri = 'http://127.0.0.1:9/auth/callback';
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: `openid email profile groups${opts.offlineAccess ? ' offline_access' : ''}`,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const { callbackUrl } = await completeProviderLogin(url, user, testPassword(user), { ca });
  const tokens = await client.authorizationCodeGrant(config, new URL(callbackUrl), {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  return {
    idToken: tokens.id_token!,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    claims: { ...tokens.claims() },
  };
}

/** A test person's real ID token from the cluster's provider (full code flow). */
export async function providerIdToken(user: TestUserName): Promise<string> {
  return (await providerTokens(user)).idToken;
}

let foreignKey: Record<string, string> | undefined;

/**
 * A token signed on purpose: with the provider's real signing key (`provider`), or with a key nobody
 * trusts that claims the provider key's id (`foreign`). Defaults: issuer the provider, audience
 * `podscope`, valid for 5 minutes from now (`expiresInSeconds` < 0 makes it expired).
 */
export async function mintIdToken(
  claims: JWTPayload,
  opts: { key: 'provider' | 'foreign'; expiresInSeconds?: number; audience?: string; issuer?: string },
): Promise<string> {
  const env = oidcEnv();
  const providerKey = readSigningKeys(env.files.signingKeysFile)[0]!;
  foreignKey ??= newSigningKey();
  const jwk = opts.key === 'provider' ? providerKey : { ...foreignKey, kid: providerKey.kid! };
  const now = Math.floor(Date.now() / 1000);
  const expiresIn = opts.expiresInSeconds ?? 300;
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: jwk.kid!, typ: 'JWT' })
    .setIssuer(opts.issuer ?? env.issuer)
    .setAudience(opts.audience ?? CLIENT_ID)
    .setIssuedAt(Math.min(now, now + expiresIn - 60))
    .setExpirationTime(now + expiresIn)
    .sign(await importJWK(jwk, 'RS256'));
}

/** `token` with payload claims changed and the original signature kept (so it no longer verifies). */
export function tamperedToken(token: string, changes: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>;
  const changed = Buffer.from(JSON.stringify({ ...claims, ...changes })).toString('base64url');
  return `${header}.${changed}.${signature}`;
}

/** A token's payload, unverified (for assertions on what a provider issued). */
export function tokenClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

export interface TestProviderInstance {
  /** `https://127.0.0.1:<port>` (or the host asked for). */
  issuer: string;
  /** The CA its certificate chains to (the cluster provider's CA). */
  caFile: string;
  ca: string;
  clientId: string;
  clientSecret: string;
  clientSecretFile: string;
  /** Successful token-endpoint calls of a grant type so far (`authorization_code`, `refresh_token`). */
  tokenRequests(grantType: string): number;
  close(): Promise<void>;
}

/**
 * A provider of the test's own, in this process, on a random port: the same people, client and
 * secret as the cluster's, its own signing key, and the token lifetimes the test needs. The API server
 * does not trust it (other issuer): use it for what the client sees (expiry, refresh counts).
 */
export async function startTestProvider(
  opts: {
    idTokenTtlSeconds?: number;
    accessTokenTtlSeconds?: number;
    refreshTokenTtlSeconds?: number;
    /** 127.0.0.1 (default) or 10.213.0.1 (reachable from pods). */
    host?: '127.0.0.1' | '10.213.0.1';
  } = {},
): Promise<TestProviderInstance> {
  const env = oidcEnv();
  const host = opts.host ?? '127.0.0.1';
  const lifetimes: Partial<TokenLifetimes> = {};
  if (opts.idTokenTtlSeconds !== undefined) lifetimes.idTokenSeconds = opts.idTokenTtlSeconds;
  if (opts.accessTokenTtlSeconds !== undefined) lifetimes.accessTokenSeconds = opts.accessTokenTtlSeconds;
  if (opts.refreshTokenTtlSeconds !== undefined) lifetimes.refreshTokenSeconds = opts.refreshTokenTtlSeconds;
  // The issuer names the port, so the provider is made once the server listens.
  const route: { handler?: (req: IncomingMessage, res: ServerResponse) => void } = {};
  const server = createServer(
    { cert: readFileSync(env.files.tlsCertFile), key: readFileSync(env.files.tlsKeyFile) },
    (req, res) => {
      if (route.handler) route.handler(req, res);
      else res.writeHead(503).end();
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const issuer = `https://${host}:${(server.address() as AddressInfo).port}`;
  const instance = createTestProvider({
    issuer,
    clientSecret: env.clientSecret,
    signingKeys: [newSigningKey()],
    cookieKeys: [randomBytes(32).toString('hex')],
    lifetimes,
  });
  route.handler = instance.handler;
  return {
    issuer,
    caFile: env.caFile,
    ca: env.ca,
    clientId: CLIENT_ID,
    clientSecret: env.clientSecret,
    clientSecretFile: env.clientSecretFile,
    tokenRequests: (grantType) => instance.tokenRequests.get(grantType) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The scopes client `podscope` may ask for. */
export const PROVIDER_SCOPES: readonly string[] = SCOPES;
