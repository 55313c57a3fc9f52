// Single sign-on's settings (`--auth oidc`): which OpenID provider, which client, which claims name the
// person, and how Podscope then acts towards Kubernetes (impersonation or the person's ID token). They
// come from command-line flags, the environment (the names `cluster/oidc.sh env` prints) and the config
// file's `auth.oidc` section, in that order of precedence; checked here without I/O (the two files named
// are read by readOidcSecrets).
import { readFileSync, statSync } from 'node:fs';

/**
 * `impersonation`: Podscope's own credentials plus Impersonate-User / Impersonate-Group (the
 * ServiceAccount needs the `impersonate` rules of the chart). `token`: every call carries the person's
 * ID token as its bearer token (the API server must trust the provider: AuthenticationConfiguration).
 */
export const IDENTITY_MODES = ['impersonation', 'token'] as const;
export type IdentityMode = (typeof IDENTITY_MODES)[number];

export const DEFAULT_OIDC_SCOPES: readonly string[] = [
  'openid',
  'email',
  'profile',
  'groups',
  'offline_access',
];
export const DEFAULT_USERNAME_CLAIM = 'email';
export const DEFAULT_GROUPS_CLAIM = 'groups';

/** The config file's `auth.oidc`, checked field by field (the CLI completes it from flags and env). */
export interface OidcConfigSection {
  issuer?: string;
  clientId?: string;
  clientSecretFile?: string;
  scopes?: string[];
  usernameClaim?: string;
  groupsClaim?: string;
  caFile?: string;
  identityMode?: IdentityMode;
  /** What the sign-in button says: "Sign in with <providerName>" (default: the issuer's host). */
  providerName?: string;
}

const SECTION_FIELDS = [
  'issuer',
  'clientId',
  'clientSecretFile',
  'scopes',
  'usernameClaim',
  'groupsClaim',
  'caFile',
  'identityMode',
  'providerName',
] as const;

/** Scope tokens (RFC 6749 3.3: %x21 / %x23-5B / %x5D-7E). */
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
/** Claim names: plain names or URIs (e.g. https://example.com/claims/groups). */
const CLAIM = /^[A-Za-z0-9_:./#-]{1,128}$/;
/** Client ids are opaque, but printable and bounded. */
const CLIENT_ID = /^[\x21-\x7e]{1,256}$/;

function text(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new Error(`${where} must be a non-empty string`);
  return value.trim();
}

export function parseOidcConfigSection(raw: unknown): OidcConfigSection {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new Error('auth.oidc must be an object');
  const obj = raw as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!(SECTION_FIELDS as readonly string[]).includes(key)) {
      throw new Error(`auth.oidc has an unknown field "${key}" (allowed: ${SECTION_FIELDS.join(', ')})`);
    }
  }
  const out: OidcConfigSection = {};
  for (const key of [
    'issuer',
    'clientId',
    'clientSecretFile',
    'usernameClaim',
    'groupsClaim',
    'caFile',
    'providerName',
  ] as const) {
    if (obj[key] !== undefined) out[key] = text(obj[key], `auth.oidc.${key}`);
  }
  if (obj['scopes'] !== undefined) {
    const scopes = obj['scopes'];
    if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string'))
      throw new Error('auth.oidc.scopes must be a list of strings, e.g. ["openid", "email", "groups"]');
    out.scopes = scopes as string[];
  }
  if (obj['identityMode'] !== undefined)
    out.identityMode = identityMode(obj['identityMode'], 'auth.oidc.identityMode');
  return out;
}

function identityMode(value: unknown, where: string): IdentityMode {
  if (typeof value !== 'string' || !(IDENTITY_MODES as readonly string[]).includes(value)) {
    throw new Error(`${where} is impersonation or token (got ${JSON.stringify(value)})`);
  }
  return value as IdentityMode;
}

/** Command-line flags of single sign-on (without the leading --). */
export const OIDC_FLAGS = [
  'oidc-issuer',
  'oidc-client-id',
  'oidc-client-secret-file',
  'oidc-ca-file',
  'oidc-scopes',
  'oidc-username-claim',
  'oidc-groups-claim',
  'oidc-identity-mode',
] as const;
export type OidcFlag = (typeof OIDC_FLAGS)[number];

/** Environment variables read (as `bash cluster/oidc.sh env` prints them). */
export const OIDC_ENV = {
  issuer: 'PODSCOPE_OIDC_ISSUER',
  clientId: 'PODSCOPE_OIDC_CLIENT_ID',
  clientSecretFile: 'PODSCOPE_OIDC_CLIENT_SECRET_FILE',
  caFile: 'PODSCOPE_OIDC_CA_FILE',
} as const;

export interface OidcSources {
  flags: Partial<Record<OidcFlag, string>>;
  env: Record<string, string | undefined>;
  config: OidcConfigSection | null;
  /** --public-url: required, the callback is `<public URL>/auth/callback`. */
  publicUrl: string | undefined;
}

export interface OidcSettings {
  /** Exactly as configured (the `iss` of every ID token must equal it). */
  issuer: string;
  clientId: string;
  /** Null: a public client (PKCE only, no secret). */
  clientSecretFile: string | null;
  scopes: string[];
  usernameClaim: string;
  groupsClaim: string;
  /** PEM bundle trusted for the issuer besides the system's CAs. */
  caFile: string | null;
  identityMode: IdentityMode;
  providerName: string;
  publicUrl: URL;
  /** `<public URL origin>/auth/callback`, registered at the provider. */
  redirectUri: string;
}

export const CALLBACK_PATH = '/auth/callback';

/**
 * Flags win over the environment, which wins over the config file. Throws an Error whose message says
 * what to fix (the CLI prints it and exits 2).
 */
export function resolveOidcSettings(sources: OidcSources): OidcSettings {
  const { flags, env, config } = sources;
  const pick = (flag: OidcFlag, envName: string | null, fromConfig: string | undefined) => {
    const f = flags[flag];
    if (f !== undefined) return { value: f, where: `--${flag}` };
    const e = envName === null ? undefined : env[envName];
    if (e !== undefined && e !== '') return { value: e, where: envName! };
    return fromConfig === undefined ? undefined : { value: fromConfig, where: 'the config file' };
  };

  const issuerIn = pick('oidc-issuer', OIDC_ENV.issuer, config?.issuer);
  if (issuerIn === undefined) {
    throw new Error(
      '--auth oidc needs the provider: --oidc-issuer URL (or PODSCOPE_OIDC_ISSUER, or auth.oidc.issuer in --config)',
    );
  }
  const issuer = checkIssuer(issuerIn.value, issuerIn.where);

  const clientIdIn = pick('oidc-client-id', OIDC_ENV.clientId, config?.clientId);
  if (clientIdIn === undefined) {
    throw new Error(
      '--auth oidc needs the client id registered at the provider: --oidc-client-id ID (or PODSCOPE_OIDC_CLIENT_ID, or auth.oidc.clientId)',
    );
  }
  if (!CLIENT_ID.test(clientIdIn.value)) {
    throw new Error(`${clientIdIn.where}: a client id is 1 to 256 printable characters without spaces`);
  }

  const secretIn = pick('oidc-client-secret-file', OIDC_ENV.clientSecretFile, config?.clientSecretFile);
  const caIn = pick('oidc-ca-file', OIDC_ENV.caFile, config?.caFile);

  const scopesIn = flags['oidc-scopes'];
  const scopes =
    scopesIn !== undefined
      ? scopesIn.split(/[\s,]+/).filter((s) => s !== '')
      : (config?.scopes ?? [...DEFAULT_OIDC_SCOPES]);
  const scopesWhere = scopesIn !== undefined ? '--oidc-scopes' : 'auth.oidc.scopes';
  for (const scope of scopes) {
    if (!SCOPE.test(scope)) throw new Error(`${scopesWhere}: ${JSON.stringify(scope)} is not a scope`);
  }
  if (!scopes.includes('openid')) {
    throw new Error(`${scopesWhere} must include openid (single sign-on needs an ID token)`);
  }
  if (new Set(scopes).size !== scopes.length) throw new Error(`${scopesWhere} names a scope twice`);

  const claim = (flag: OidcFlag, fromConfig: string | undefined, fallback: string, where: string) => {
    const value = flags[flag] ?? fromConfig ?? fallback;
    if (!CLAIM.test(value)) {
      throw new Error(
        `${flags[flag] !== undefined ? `--${flag}` : where}: ${JSON.stringify(value)} is not a claim name`,
      );
    }
    return value;
  };
  const usernameClaim = claim(
    'oidc-username-claim',
    config?.usernameClaim,
    DEFAULT_USERNAME_CLAIM,
    'auth.oidc.usernameClaim',
  );
  const groupsClaim = claim(
    'oidc-groups-claim',
    config?.groupsClaim,
    DEFAULT_GROUPS_CLAIM,
    'auth.oidc.groupsClaim',
  );
  if (usernameClaim === groupsClaim) throw new Error('the username and groups claims must differ');

  const mode =
    flags['oidc-identity-mode'] !== undefined
      ? identityMode(flags['oidc-identity-mode'], '--oidc-identity-mode')
      : (config?.identityMode ?? 'impersonation');

  if (sources.publicUrl === undefined) {
    throw new Error(
      '--auth oidc needs --public-url URL, the address people open (e.g. https://podscope.example.com): the ' +
        'provider sends them back to <public URL>/auth/callback, and Podscope never builds that from request headers',
    );
  }
  const publicUrl = checkPublicUrl(sources.publicUrl);
  const providerName = config?.providerName ?? new URL(issuer).host;
  if (providerName.length > 100) throw new Error('auth.oidc.providerName is longer than 100 characters');

  return {
    issuer,
    clientId: clientIdIn.value,
    clientSecretFile: secretIn?.value ?? null,
    scopes,
    usernameClaim,
    groupsClaim,
    caFile: caIn?.value ?? null,
    identityMode: mode,
    providerName,
    publicUrl,
    redirectUri: `${publicUrl.origin}${CALLBACK_PATH}`,
  };
}

function checkIssuer(value: string, where: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(
      `${where} must be the provider's issuer URL, e.g. https://login.example.com (got ${JSON.stringify(value)})`,
    );
  }
  if (url.protocol !== 'https:') {
    throw new Error(
      `${where} must be an https URL: the provider's keys and tokens are fetched from it (got ${value})`,
    );
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new Error(`${where} must not have a query, fragment or user name (got ${value})`);
  }
  // Kept as written: ID tokens' `iss` must equal it exactly (a trailing slash matters).
  return value;
}

function checkPublicUrl(value: string): URL {
  let url: URL | null;
  try {
    url = new URL(value);
  } catch {
    url = null;
  }
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new Error(`--public-url takes an http(s) URL (got ${JSON.stringify(value)})`);
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '') {
    throw new Error(
      `--public-url with --auth oidc is an origin such as https://podscope.example.com, without a path (got ${value})`,
    );
  }
  return url;
}

export interface OidcSecrets {
  clientSecret: string | null;
  /** PEM text of the CA file, or null. */
  ca: string | null;
}

function readSmallFile(file: string, what: string): string {
  try {
    if (statSync(file).size > 256 * 1024) throw new Error('larger than 256 KiB');
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${what} ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** Reads the client secret and CA files the settings name; throws with the file's name. */
export function readOidcSecrets(settings: Pick<OidcSettings, 'clientSecretFile' | 'caFile'>): OidcSecrets {
  let clientSecret: string | null = null;
  if (settings.clientSecretFile !== null) {
    clientSecret = readSmallFile(settings.clientSecretFile, 'the OpenID client secret file').trim();
    if (clientSecret === '' || /[\r\n]/.test(clientSecret)) {
      throw new Error(
        `the OpenID client secret file ${settings.clientSecretFile} must hold one line, the secret`,
      );
    }
  }
  let ca: string | null = null;
  if (settings.caFile !== null) {
    ca = readSmallFile(settings.caFile, 'the OpenID provider CA file');
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
      throw new Error(`the OpenID provider CA file ${settings.caFile} holds no PEM certificate`);
    }
  }
  return { clientSecret, ca };
}
