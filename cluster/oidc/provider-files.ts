// The local provider's state in the cluster's state dir ($PODSCOPE_CLUSTER_DIR/oidc): what
// cluster/oidc.sh generates (CA, TLS certificate, client secret, cookie keys) and the signing keys,
// made once by the provider itself and kept, so tokens stay verifiable across provider restarts and
// tests can sign tokens with the provider's real key.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const ISSUER = 'https://10.213.0.1:5556';

export interface ProviderFiles {
  dir: string;
  caFile: string;
  tlsCertFile: string;
  tlsKeyFile: string;
  clientSecretFile: string;
  cookieKeysFile: string;
  /** The JWKS with private keys (0600). */
  signingKeysFile: string;
}

export function providerFiles(dir: string): ProviderFiles {
  return {
    dir,
    caFile: path.join(dir, 'ca.crt'),
    tlsCertFile: path.join(dir, 'tls.crt'),
    tlsKeyFile: path.join(dir, 'tls.key'),
    clientSecretFile: path.join(dir, 'client-secret'),
    cookieKeysFile: path.join(dir, 'cookie-keys'),
    signingKeysFile: path.join(dir, 'signing-keys.json'),
  };
}

/** A private RSA signing JWK: `kid` is its RFC 7638 thumbprint, `alg` RS256, `use` sig. */
export function newSigningKey(): Record<string, string> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' }) as Record<string, string>;
  const thumbprint = createHash('sha256')
    .update(JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n }))
    .digest('base64url');
  return { ...jwk, kid: thumbprint, alg: 'RS256', use: 'sig' };
}

/** The signing keys, made on first use (written atomically, mode 0600). */
export function ensureSigningKeys(file: string): Record<string, string>[] {
  if (!existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ keys: [newSigningKey()] }, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, file);
  }
  return readSigningKeys(file);
}

export function readSigningKeys(file: string): Record<string, string>[] {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { keys?: unknown };
  if (!Array.isArray(parsed.keys) || parsed.keys.length === 0) throw new Error(`${file} holds no keys`);
  return parsed.keys as Record<string, string>[];
}

export function readSecret(file: string): string {
  const value = readFileSync(file, 'utf8').trim();
  if (value.length < 16) throw new Error(`${file} does not hold a generated secret`);
  return value;
}

/** One cookie key a line, newest first. */
export function readCookieKeys(file: string): string[] {
  const keys = readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (keys.length === 0 || keys.some((k) => k.length < 16))
    throw new Error(`${file} does not hold cookie keys`);
  return keys;
}
