import { createHash } from 'node:crypto';
import type { CredentialOrigin, CredentialView, OAuthCredential } from './types.js';

/** A short, stable, non-reversible name for a token: the first 12 hex chars of its sha256. */
export function fingerprintToken(token: string): string {
  if (token === '') return '';
  return createHash('sha256').update(token).digest('hex').slice(0, 12);
}

/** What the machine, logs and the inspector may see of `credential`: its fingerprint, expiry and origin. */
export function toCredentialView(credential: OAuthCredential, source: CredentialOrigin): CredentialView {
  return { fingerprint: fingerprintToken(credential.accessToken), expiresAt: credential.expiresAt, source };
}
