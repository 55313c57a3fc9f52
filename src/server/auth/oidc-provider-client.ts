// Podscope as an OpenID Connect client (openid-client 6): discovery, the authorization URL (code flow,
// PKCE S256, state, nonce), the code exchange and refresh grants, and the provider's end-session URL.
// openid-client checks the responses: state, the ID token's signature (against the provider's JWKS;
// enableNonRepudiationChecks), iss, aud, exp, iat and nonce. A private CA for the provider (the test
// environment's) is trusted through a fetch of our own: Node's fetch takes no CA option.
import https from 'node:https';
import tls from 'node:tls';
import * as oidc from 'openid-client';
import type { LoginFlow } from './oidc-flow.js';
import type { OidcSecrets, OidcSettings } from './oidc-settings.js';

export type ProviderFetch = oidc.CustomFetch;

/** Largest answer read from the provider (discovery documents, key sets, token responses). */
const MAX_RESPONSE_BYTES = 1024 * 1024;
/** Seconds each request to the provider may take (a refresh holds its lease meanwhile). */
export const PROVIDER_TIMEOUT_SECONDS = 10;

/** A fetch over node:https that trusts `ca` besides the system's CAs. */
export function caFetch(ca: string): ProviderFetch {
  const agent = new https.Agent({ keepAlive: true, ca: [...tls.rootCertificates, ca] });
  return (url, options) =>
    new Promise<Response>((resolve, reject) => {
      const target = new URL(url);
      if (target.protocol !== 'https:') {
        reject(new Error(`refusing to talk to the OpenID provider over ${target.protocol}`));
        return;
      }
      let body: Buffer | undefined;
      const b = options.body;
      if (b === undefined || b === null) body = undefined;
      else if (typeof b === 'string') body = Buffer.from(b);
      else if (b instanceof URLSearchParams) body = Buffer.from(b.toString());
      else if (b instanceof Uint8Array) body = Buffer.from(b);
      else if (b instanceof ArrayBuffer) body = Buffer.from(new Uint8Array(b));
      else {
        reject(new Error('streamed request bodies are not supported'));
        return;
      }
      const headers: Record<string, string> = { ...options.headers };
      if (body !== undefined) headers['content-length'] = String(body.length);
      const request = https.request(
        target,
        { method: options.method, headers, agent, signal: options.signal },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) {
              res.destroy(
                new Error(`the OpenID provider answered with more than ${MAX_RESPONSE_BYTES} bytes`),
              );
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', reject);
          res.on('end', () => {
            const out = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              if (Array.isArray(value)) for (const v of value) out.append(name, v);
              else if (value !== undefined) out.set(name, value);
            }
            const status = res.statusCode ?? 502;
            const noBody = [101, 204, 205, 304].includes(status);
            resolve(
              new Response(noBody ? null : Buffer.concat(chunks), {
                status,
                statusText: res.statusMessage ?? '',
                headers: out,
              }),
            );
          });
        },
      );
      request.on('error', reject);
      request.end(body);
    });
}

export interface TokenResult {
  id_token?: string;
  refresh_token?: string;
  refresh_expires_in?: unknown;
  /** The verified ID token's claims (undefined when the response had no ID token). */
  claims: Record<string, unknown> | undefined;
}

export interface OidcProviderClientOptions {
  /** Tests: wraps the fetch every provider request goes through (e.g. to count or alter answers). */
  wrapFetch?: (fetch: ProviderFetch) => ProviderFetch;
}

/** Whether a failed grant means "the provider said no" (true) rather than "could not ask it" (false). */
export function isProviderRefusal(err: unknown): boolean {
  if (err instanceof oidc.ResponseBodyError || err instanceof oidc.AuthorizationResponseError) return true;
  if (err instanceof oidc.ClientError) {
    // Answers that came but were wrong (a bad token, a wrong claim) are refusals; transport trouble is not.
    return [
      'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
      'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
      'OAUTH_INVALID_RESPONSE',
      'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
      'OAUTH_PARSE_ERROR',
      'OAUTH_RESPONSE_BODY_ERROR',
      'OAUTH_KEY_SELECTION_FAILED',
    ].includes(String(err.code));
  }
  return false;
}

export class OidcProviderClient {
  private configuration: Promise<oidc.Configuration> | undefined;

  constructor(
    private readonly settings: OidcSettings,
    private readonly secrets: OidcSecrets,
    private readonly options: OidcProviderClientOptions = {},
  ) {}

  /** The provider's metadata and keys, fetched once (again after a failure). */
  config(): Promise<oidc.Configuration> {
    if (this.configuration === undefined) {
      this.configuration = this.discover();
      this.configuration.catch(() => (this.configuration = undefined));
    }
    return this.configuration;
  }

  private async discover(): Promise<oidc.Configuration> {
    const base: ProviderFetch =
      this.secrets.ca !== null
        ? caFetch(this.secrets.ca)
        : (url, options) => fetch(url, options as RequestInit);
    const providerFetch = this.options.wrapFetch ? this.options.wrapFetch(base) : base;
    const secret = this.secrets.clientSecret;
    return oidc.discovery(
      new URL(this.settings.issuer),
      this.settings.clientId,
      secret === null ? { token_endpoint_auth_method: 'none' } : { client_secret: secret },
      secret === null ? oidc.None() : oidc.ClientSecretBasic(secret),
      {
        [oidc.customFetch]: providerFetch,
        timeout: PROVIDER_TIMEOUT_SECONDS,
        execute: [oidc.enableNonRepudiationChecks],
      },
    );
  }

  /** Where the browser goes to sign in. offline_access needs prompt=consent (OpenID Connect Core 11). */
  async authorizationUrl(flow: LoginFlow): Promise<URL> {
    const config = await this.config();
    const params: Record<string, string> = {
      redirect_uri: this.settings.redirectUri,
      scope: this.settings.scopes.join(' '),
      state: flow.state,
      nonce: flow.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(flow.codeVerifier),
      code_challenge_method: 'S256',
    };
    if (this.settings.scopes.includes('offline_access')) params['prompt'] = 'consent';
    return oidc.buildAuthorizationUrl(config, params);
  }

  /**
   * The code exchange. `callbackUrl` is the public URL's callback with the query the browser brought
   * (never built from the request's Host or X-Forwarded-* headers). Checks state, PKCE, nonce and the ID token.
   */
  async exchange(callbackUrl: URL, flow: LoginFlow): Promise<TokenResult> {
    const config = await this.config();
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: flow.codeVerifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    return { ...tokens, claims: tokens.claims() as Record<string, unknown> | undefined };
  }

  async refresh(refreshToken: string): Promise<TokenResult> {
    const config = await this.config();
    const tokens = await oidc.refreshTokenGrant(config, refreshToken);
    return { ...tokens, claims: tokens.claims() as Record<string, unknown> | undefined };
  }

  /** The provider's logout page for this ID token (RP-initiated logout), or null when it has none. */
  async endSessionUrl(idToken: string): Promise<string | null> {
    let config: oidc.Configuration;
    try {
      config = await this.config();
    } catch {
      return null;
    }
    if (config.serverMetadata().end_session_endpoint === undefined) return null;
    // Back to Podscope's start page afterwards (register it at the provider as a post-logout redirect URI).
    return oidc.buildEndSessionUrl(config, {
      id_token_hint: idToken,
      client_id: this.settings.clientId,
      post_logout_redirect_uri: `${this.settings.publicUrl.origin}/`,
    }).href;
  }
}
