// A shared access token from a file (`--token-file`): what several replicas behind one Service need,
// since a token made at each start would differ per replica and a cookie from one would be refused by
// the next. The file is a Kubernetes Secret mounted into the pod (the Helm chart makes one).
import { readFileSync, statSync } from 'node:fs';

/** At least 128 bits as base64url, and characters that fit a URL, a cookie and a header unescaped. */
const TOKEN = /^[A-Za-z0-9._~+/=-]{22,512}$/;

/** Checks a token read from a file (surrounding whitespace, e.g. a final newline, is dropped). */
export function parseSharedToken(raw: string, file: string): string {
  const token = raw.trim();
  if (token === '') throw new Error(`the token file ${file} is empty`);
  if (!TOKEN.test(token)) {
    throw new Error(
      `the token file ${file} must hold one token of 22 to 512 characters from A-Z a-z 0-9 . _ ~ + / = - ` +
        `(it has ${token.length} characters${/\s/.test(token) ? ', with whitespace inside' : ''})`,
    );
  }
  return token;
}

export function readTokenFile(file: string): string {
  let raw: string;
  try {
    if (statSync(file).size > 4096) throw new Error('larger than 4 KiB');
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the token file ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseSharedToken(raw, file);
}
