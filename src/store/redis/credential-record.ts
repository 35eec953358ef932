/**
 * One profile's credential hash in Redis ↔ an `OAuthCredential`. Tokens are sealed with the
 * store's cipher (context = key + field), so the hash holds ciphertext, the expiry, the access
 * token's fingerprint, the refresh token's HMAC digest (what commit and spend scripts compare),
 * a version bumped by every commit, and who committed it (holder, fence, epoch ms).
 */
import { fingerprintToken } from '../../credentials/fingerprint.js';
import type { OAuthCredential } from '../../credentials/types.js';
import type { CommitRecord } from './scripts.js';
import type { TokenCipher } from './token-cipher.js';

/** What a read of the credential hash found. `credential` is null when the hash is empty. */
export interface StoredRecord {
  credential: OAuthCredential | null;
  /** 0 when nothing was ever committed. */
  version: number;
  fingerprint: string;
  writer: string | undefined;
  fence: number | undefined;
  /** Epoch ms of the commit. */
  committedAt: number | undefined;
}

/** Seals a credential into the fields the commit script writes. */
export function sealRecord(
  cipher: TokenCipher,
  credKey: string,
  credential: OAuthCredential,
  by: { writer: string; fence: number; at: number },
): CommitRecord {
  return {
    access: cipher.encrypt(credential.accessToken, `${credKey}#access`),
    refresh: cipher.encrypt(credential.refreshToken, `${credKey}#refresh`),
    expires: credential.expiresAt,
    fp: fingerprintToken(credential.accessToken),
    rfp: cipher.digest(credential.refreshToken),
    ...by,
  };
}

/**
 * Opens the hash as HGETALL returned it.
 * @throws Error (no token in it) when a field is missing or a token does not decrypt with this key.
 */
export function openRecord(cipher: TokenCipher, credKey: string, hash: Record<string, string>): StoredRecord {
  const version = Number(hash.version ?? 0);
  const numberOrUndefined = (value: string | undefined) => (value === undefined ? undefined : Number(value));
  const base = {
    version: Number.isFinite(version) ? version : 0,
    fingerprint: hash.fp ?? '',
    writer: hash.writer,
    fence: numberOrUndefined(hash.fence),
    committedAt: numberOrUndefined(hash.at),
  };
  if (hash.access === undefined || hash.refresh === undefined || hash.expires === undefined) {
    if (Object.keys(hash).length === 0) return { ...base, credential: null };
    throw new Error('the credential record lacks access, refresh or expires');
  }
  const expiresAt = Number(hash.expires);
  if (!Number.isFinite(expiresAt)) throw new Error('the credential record has a non-numeric expires');
  return {
    ...base,
    credential: {
      accessToken: cipher.decrypt(hash.access, `${credKey}#access`),
      refreshToken: cipher.decrypt(hash.refresh, `${credKey}#refresh`),
      expiresAt,
    },
  };
}
