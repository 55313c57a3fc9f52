// The credential a session acts with (a person's Kubernetes token) is kept encrypted in the database:
// AES-256-GCM under a key every replica has (a mounted Secret, `--session-key-file`), bound to the row
// it belongs to (the session's id hash is the additional data), so a copied ciphertext is useless in
// another row and any change to it is detected. A database dump alone yields no tokens.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HKDF_INFO = 'podscope login-session credential v1';

export class SealError extends Error {
  override readonly name = 'SealError';
}

interface SessionKey {
  /** Names the key in a sealed value, so a rotated key is recognised (not a hash of anything secret enough to matter: 48 bits). */
  id: string;
  key: Buffer;
}

/**
 * A key line is any secret of at least 32 characters (e.g. `openssl rand -base64 32`); HKDF-SHA256 makes
 * the AES key from it, so its format does not matter and a hex or base64 secret both work.
 */
export function deriveSessionKey(secret: string): SessionKey {
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), 'podscope', HKDF_INFO, 32));
  const id = createHash('sha256').update(key).digest().subarray(0, 6).toString('base64url');
  return { id, key };
}

const KEY_LINE = /^[\x21-\x7e]{32,1024}$/;

/**
 * The key file: one secret per line, the first encrypts, the later ones (old keys during a rotation)
 * still decrypt. Blank lines and lines starting with # are skipped.
 */
export function parseSessionKeyFile(raw: string, file: string): SessionKey[] {
  const lines = raw
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length === 0) throw new Error(`the session key file ${file} holds no key`);
  return lines.map((line, i) => {
    if (!KEY_LINE.test(line)) {
      throw new Error(
        `line ${i + 1} of the session key file ${file} must be one secret of 32 to 1024 printable characters ` +
          `without spaces (it has ${line.length}); make one with: openssl rand -base64 32`,
      );
    }
    return deriveSessionKey(line);
  });
}

export function readSessionKeyFile(file: string): SessionKey[] {
  let raw: string;
  try {
    if (statSync(file).size > 64 * 1024) throw new Error('larger than 64 KiB');
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the session key file ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseSessionKeyFile(raw, file);
}

/** Encrypts with the first key; decrypts with whichever key sealed the value. */
export class CredentialSealer {
  private readonly keys: readonly SessionKey[];

  constructor(keys: readonly SessionKey[]) {
    if (keys.length === 0) throw new Error('a CredentialSealer needs at least one key');
    this.keys = keys;
  }

  /** `v1.<key id>.<iv>.<ciphertext>.<tag>`, base64url parts: fits a text column in either store. */
  seal(plaintext: string, boundTo: string): string {
    const { id, key } = this.keys[0]!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(id, boundTo));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [
      VERSION,
      id,
      iv.toString('base64url'),
      ciphertext.toString('base64url'),
      tag.toString('base64url'),
    ].join('.');
  }

  /** The plaintext; throws SealError when the value was changed, bound to another row, or sealed by an unknown key. */
  open(sealed: string, boundTo: string): string {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) throw new SealError('not a sealed credential');
    const [, id, ivText, ctText, tagText] = parts as [string, string, string, string, string];
    const entry = this.keys.find((k) => k.id === id);
    if (entry === undefined) {
      throw new SealError('sealed with a session key this Podscope does not have (was the key rotated?)');
    }
    const iv = Buffer.from(ivText, 'base64url');
    const tag = Buffer.from(tagText, 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SealError('not a sealed credential');
    try {
      const decipher = createDecipheriv('aes-256-gcm', entry.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(additionalData(id, boundTo));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(ctText, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new SealError('the sealed credential was changed or belongs to another session');
    }
  }
}

function additionalData(keyId: string, boundTo: string): Buffer {
  return Buffer.from(`podscope-session-credential\0${VERSION}\0${keyId}\0${boundTo}`, 'utf8');
}
