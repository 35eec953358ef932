import { createHash } from 'node:crypto';
import type { CredentialMeta, CredentialSource, OAuthCredential } from './types.js';

/** A short, stable, non-reversible name for a token: the first 12 hex chars of its sha256. */
export function fingerprintToken(token: string): string {
  if (token === '') return '';
  return createHash('sha256').update(token).digest('hex').slice(0, 12);
}

export function toCredentialMeta(credential: OAuthCredential, source: CredentialSource): CredentialMeta {
  return { fingerprint: fingerprintToken(credential.accessToken), expiresAt: credential.expiresAt, source };
}
