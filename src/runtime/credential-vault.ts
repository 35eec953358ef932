/**
 * The only in-process home of raw tokens: credentials keyed by their fingerprint. The machine
 * carries fingerprints; the runtime looks the token up here when it hands one to a caller.
 * Bounded, so a long-running process does not keep every token it ever saw.
 */
import { fingerprintToken } from '../credentials/fingerprint.js';
import type { OAuthCredential } from '../credentials/types.js';
import { registerSecrets } from '../logging/secret-registry.js';

const MAX_ENTRIES = 8;

export class CredentialVault {
  private readonly byFingerprint = new Map<string, OAuthCredential>();

  /** Remembers a credential and returns its fingerprint. */
  put(credential: OAuthCredential): string {
    // Every token the process holds is masked by value wherever text leaves it (logs, inspectors, errors).
    registerSecrets(credential.accessToken, credential.refreshToken);
    const fingerprint = fingerprintToken(credential.accessToken);
    this.byFingerprint.delete(fingerprint);
    this.byFingerprint.set(fingerprint, credential);
    while (this.byFingerprint.size > MAX_ENTRIES) {
      const oldest = this.byFingerprint.keys().next().value as string;
      this.byFingerprint.delete(oldest);
    }
    return fingerprint;
  }

  get(fingerprint: string | undefined | null): OAuthCredential | undefined {
    return fingerprint ? this.byFingerprint.get(fingerprint) : undefined;
  }

  /** Every raw secret held, for tests and masks that must know what to look for. */
  secrets(): string[] {
    return [...this.byFingerprint.values()].flatMap((c) => [c.accessToken, c.refreshToken]);
  }
}
