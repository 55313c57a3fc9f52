import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CredentialSealer, deriveSessionKey, parseSessionKeyFile, SealError } from './session-crypto.js';

const KEY_A = 'k3Jx5y0cQm2sV9bN8wZr1tLq7uHf4aGe6dPj0oXiYv8=';
const KEY_B = 'another-secret-of-at-least-32-characters!!';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVtbzpyZWFkZXIifQ.c2ln';
const ROW = 'a'.repeat(64);
const isSealError = (e: unknown) => e instanceof SealError;

describe('CredentialSealer (AES-256-GCM)', () => {
  const sealer = new CredentialSealer(parseSessionKeyFile(KEY_A, 'key'));

  it('round-trips a token, and never seals it the same way twice', () => {
    const a = sealer.seal(TOKEN, ROW);
    const b = sealer.seal(TOKEN, ROW);
    assert.notEqual(a, b, 'a fresh IV each time');
    assert.doesNotMatch(a, /eyJhbGci|c2ln/);
    assert.equal(sealer.open(a, ROW), TOKEN);
    assert.equal(sealer.open(b, ROW), TOKEN);
    assert.equal(sealer.open(sealer.seal('', ROW), ROW), '');
  });

  it('detects any change to the ciphertext, the IV, the tag or the key id', () => {
    const sealed = sealer.seal(TOKEN, ROW);
    const parts = sealed.split('.');
    for (let i = 1; i < parts.length; i++) {
      const bytes = Buffer.from(parts[i]!, 'base64url');
      bytes[0] = bytes[0]! ^ 1;
      const tampered = [...parts];
      tampered[i] =
        i === 1
          ? `${parts[1]!.slice(0, -1)}${parts[1]!.endsWith('A') ? 'B' : 'A'}`
          : bytes.toString('base64url');
      assert.throws(() => sealer.open(tampered.join('.'), ROW), isSealError, `part ${i}`);
    }
    assert.throws(() => sealer.open(sealed.replace(/^v1/, 'v2'), ROW), isSealError);
    assert.throws(() => sealer.open('garbage', ROW), isSealError);
    assert.throws(() => sealer.open(`${sealed}.x`, ROW), isSealError);
  });

  it('is bound to its row: a ciphertext moved to another session does not open', () => {
    const sealed = sealer.seal(TOKEN, ROW);
    assert.throws(() => sealer.open(sealed, 'b'.repeat(64)), isSealError);
  });

  it('another key cannot open it; during a rotation the old key (a later line) still does', () => {
    const sealed = sealer.seal(TOKEN, ROW);
    assert.throws(
      () => new CredentialSealer(parseSessionKeyFile(KEY_B, 'key')).open(sealed, ROW),
      isSealError,
    );
    const rotated = new CredentialSealer(parseSessionKeyFile(`${KEY_B}\n${KEY_A}\n`, 'key'));
    assert.equal(rotated.open(sealed, ROW), TOKEN);
    const fresh = rotated.seal(TOKEN, ROW);
    assert.equal(fresh.split('.')[1], deriveSessionKey(KEY_B).id, 'new values use the first key');
    assert.throws(() => sealer.open(fresh, ROW), isSealError);
  });
});

describe('the session key file', () => {
  it('takes one secret of 32+ printable characters per line, skipping blanks and comments', () => {
    assert.equal(parseSessionKeyFile(`# current\n${KEY_A}\n\n${KEY_B}\n`, 'f').length, 2);
    assert.equal(parseSessionKeyFile(`${KEY_A}\r\n`, 'f').length, 1);
  });

  it('refuses an empty file, a short secret, and one with spaces, naming the file and how to make one', () => {
    assert.throws(() => parseSessionKeyFile('\n# nothing\n', '/etc/k'), /\/etc\/k holds no key/);
    assert.throws(
      () => parseSessionKeyFile('short', '/etc/k'),
      /line 1 of the session key file \/etc\/k.*openssl rand/,
    );
    assert.throws(() => parseSessionKeyFile(`${KEY_A} ${KEY_B}`, 'f'), /without spaces/);
  });

  it('derives the same key from the same secret on every replica', () => {
    assert.deepEqual(deriveSessionKey(KEY_A), deriveSessionKey(KEY_A));
    assert.notDeepEqual(deriveSessionKey(KEY_A).key, deriveSessionKey(KEY_B).key);
    assert.equal(deriveSessionKey(KEY_A).key.length, 32);
  });
});
