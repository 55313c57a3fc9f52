// The local OpenID provider as a daemon (cluster/oidc.sh starts it: `node --import tsx
// cluster/oidc/main.ts STATE_DIR HOST PORT`), serving HTTPS with the certificate oidc.sh made.
// Token lifetimes (seconds) may be set for tests: PODSCOPE_OIDC_ID_TOKEN_TTL, PODSCOPE_OIDC_ACCESS_TOKEN_TTL,
// PODSCOPE_OIDC_REFRESH_TOKEN_TTL.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { ensureSigningKeys, providerFiles, readCookieKeys, readSecret } from './provider-files.js';
import { createTestProvider, DEFAULT_LIFETIMES, type TokenLifetimes } from './test-provider.js';

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
}

function lifetime(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 30 * 24 * 3600) {
    throw new Error(`${name} must be a number of seconds between 1 and 2592000 (got ${JSON.stringify(raw)})`);
  }
  return n;
}

function main(): void {
  const [dir, host, portText] = process.argv.slice(2);
  if (!dir || !host || !portText || !/^\d{1,5}$/.test(portText)) {
    throw new Error('usage: main.ts STATE_DIR HOST PORT');
  }
  const port = Number(portText);
  const files = providerFiles(dir);
  const lifetimes: TokenLifetimes = {
    idTokenSeconds: lifetime('PODSCOPE_OIDC_ID_TOKEN_TTL', DEFAULT_LIFETIMES.idTokenSeconds),
    accessTokenSeconds: lifetime('PODSCOPE_OIDC_ACCESS_TOKEN_TTL', DEFAULT_LIFETIMES.accessTokenSeconds),
    refreshTokenSeconds: lifetime('PODSCOPE_OIDC_REFRESH_TOKEN_TTL', DEFAULT_LIFETIMES.refreshTokenSeconds),
  };
  const issuer = `https://${host}:${port}`;
  const { handler } = createTestProvider({
    issuer,
    clientSecret: readSecret(files.clientSecretFile),
    signingKeys: ensureSigningKeys(files.signingKeysFile),
    cookieKeys: readCookieKeys(files.cookieKeysFile),
    lifetimes,
    log,
  });
  const server = createServer(
    { cert: readFileSync(files.tlsCertFile), key: readFileSync(files.tlsKeyFile) },
    handler,
  );
  server.on('clientError', (err, socket) => socket.destroy(err));
  server.listen(port, host, () => {
    log(
      `OpenID provider ${issuer} ready (ID token ${lifetimes.idTokenSeconds}s, access token ` +
        `${lifetimes.accessTokenSeconds}s, refresh token ${lifetimes.refreshTokenSeconds}s)`,
    );
  });
  const stop = (signal: string) => {
    log(`${signal}: stopping`);
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

try {
  main();
} catch (err) {
  log(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
