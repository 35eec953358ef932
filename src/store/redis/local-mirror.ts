/**
 * Each host's local copy of the last credential it committed to (or adopted from) Redis, in a
 * file store of its own (atomic, 0600, never downgraded). Redis replication is asynchronous: a
 * promoted replica can lose an acknowledged commit. The mirror lets the host put that
 * credential back (monotone merge: only a fresher credential is ever re-committed, so the
 * fleet converges on the freshest pair any host holds).
 */
import { DEFAULT_FRESHNESS_MARGIN_MS, isCredentialFresher } from '../../credentials/freshness.js';
import type { OAuthCredential } from '../../credentials/types.js';
import { DowngradeRefusedError } from '../../errors.js';
import { createFileProfileStore } from '../file-profile-store.js';

/** The mirror of one host. */
export interface LocalMirror {
  readonly path: string;
  /** The mirrored credential of a profile, or null. */
  read(profileId: string): Promise<OAuthCredential | null>;
  /** Keeps `credential` when it beats the mirrored one (a refused downgrade is not an error). */
  remember(profileId: string, credential: OAuthCredential, replacesSpent?: string): Promise<void>;
  /** The mirrored credential when it is fresher than `stored`, else null. */
  fresherThan(profileId: string, stored: OAuthCredential | null): Promise<OAuthCredential | null>;
}

export function createLocalMirror(options: {
  path: string;
  now?: () => number;
  marginMs?: number;
}): LocalMirror {
  const now = options.now ?? Date.now;
  const marginMs = options.marginMs ?? DEFAULT_FRESHNESS_MARGIN_MS;
  const file = createFileProfileStore({ path: options.path, now, marginMs });
  /** Fingerprint-free memo of what the file holds, so reads do not touch the disk every time. */
  const known = new Map<string, OAuthCredential | null>();

  async function read(profileId: string): Promise<OAuthCredential | null> {
    if (!known.has(profileId)) known.set(profileId, await file.readCredential(profileId));
    return known.get(profileId) ?? null;
  }

  return {
    path: file.location,
    read,
    async remember(profileId, credential, replacesSpent) {
      const mirrored = await read(profileId);
      if (mirrored?.accessToken === credential.accessToken && mirrored.expiresAt >= credential.expiresAt)
        return;
      try {
        await file.updateCredential(profileId, () => ({ write: credential, result: null, replacesSpent }));
        known.set(profileId, credential);
      } catch (error) {
        known.delete(profileId);
        if (!(error instanceof DowngradeRefusedError)) throw error;
      }
    },
    async fresherThan(profileId, stored) {
      const mirrored = await read(profileId);
      return mirrored && isCredentialFresher(mirrored, stored, now(), marginMs) ? mirrored : null;
    },
  };
}
