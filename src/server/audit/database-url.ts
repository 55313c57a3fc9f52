/**
 * The PostgreSQL connection URL (`--database-url`, `PODSCOPE_DATABASE_URL`, config `database.url`):
 * checked before use, and never shown with its password — error messages and logs carry the redacted form.
 */

export const DATABASE_URL_SCHEMES = ['postgres:', 'postgresql:'];

/**
 * Returns the URL if it is a postgres:// or postgresql:// URL with a host; throws a sentence otherwise.
 * (A Unix socket is reached with a `host` parameter: postgresql://u@localhost/db?host=/var/run/postgresql.)
 */
export function checkDatabaseUrl(raw: unknown, where: string): string {
  const wrong = `${where} must be a URL such as postgresql://USER:PASSWORD@HOST:5432/DATABASE`;
  if (typeof raw !== 'string' || raw.trim() === '') throw new Error(wrong);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // The input is not repeated: it may hold a password.
    throw new Error(`${wrong} (it is not a URL)`);
  }
  if (!DATABASE_URL_SCHEMES.includes(url.protocol)) {
    throw new Error(`${wrong} (it starts with ${url.protocol}//)`);
  }
  if (url.hostname === '') throw new Error(`${wrong} (it names no host)`);
  return raw;
}

/** The URL without its password (in the user part or a `password` parameter), for messages and logs. */
export function redactDatabaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'the database URL (unparseable)';
  }
  if (url.password !== '') url.password = 'REDACTED';
  if (url.searchParams.has('password')) url.searchParams.set('password', 'REDACTED');
  return url.toString();
}
