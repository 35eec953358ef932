/**
 * Tokens at rest in Redis: AES-256-GCM with a random 96-bit IV per value and the key name plus
 * field as associated data (a ciphertext moved to another profile or field does not decrypt),
 * stored as `v1.<iv>.<tag>.<ciphertext>` in base64url. Refresh tokens are compared inside Lua
 * scripts by an HMAC-SHA256 digest under the same key, so no plaintext token and no offline-
 * guessable hash ever reaches the server.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

const FORMAT = 'v1';

/** Encrypts, decrypts and digests tokens with one 32-byte key. */
export interface TokenCipher {
  encrypt(plaintext: string, context: string): string;
  /** @throws Error when the value was not made with this key and context (wrong key, tampered). */
  decrypt(sealed: string, context: string): string;
  /** HMAC-SHA256 of the token, hex; '' for ''. */
  digest(token: string): string;
}

/**
 * Parses a 32-byte key given as 64 hex characters or as base64 (44 characters with padding).
 * Returns null when it is neither; the caller names the source in its error.
 */
export function parseEncryptionKey(value: string | Uint8Array): Buffer | null {
  if (typeof value !== 'string') return value.length === 32 ? Buffer.from(value) : null;
  const text = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  const decoded = Buffer.from(text, 'base64');
  return decoded.length === 32 && /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) ? decoded : null;
}

export function createTokenCipher(key: Buffer): TokenCipher {
  if (key.length !== 32) throw new RangeError('the token cipher needs a 32-byte key');
  return {
    encrypt(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const parts = [iv, cipher.getAuthTag(), body].map((part) => part.toString('base64url'));
      return [FORMAT, ...parts].join('.');
    },
    decrypt(sealed, context) {
      const [format, iv, tag, body] = sealed.split('.');
      if (format !== FORMAT || iv === undefined || tag === undefined || body === undefined) {
        throw new Error('not a sealed token of format v1');
      }
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    },
    digest(token) {
      return token === '' ? '' : createHmac('sha256', key).update(`refresh:${token}`).digest('hex');
    },
  };
}
