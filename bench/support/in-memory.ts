/**
 * In-memory stand-ins for the two slow parts, so a benchmark measures the runtime and the
 * machine rather than disk and sockets: a `ProfileStore` held in a Map (one promise chain
 * plays the lock) and an `OAuthClient` that rotates a pair without HTTP.
 */
import type { OAuthCredential } from '../../src/credentials/types.js';
import type { OAuthClient } from '../../src/oauth/refresh-client.js';
import type { ProfileStore, ProfileUsage, StoreUpdate, UsagePatch } from '../../src/store/types.js';

export const HOUR = 3_600_000;

export interface InMemoryProfileStore extends ProfileStore {
  set(profileId: string, credential: OAuthCredential): void;
}

export function createInMemoryProfileStore(): InMemoryProfileStore {
  const credentials = new Map<string, OAuthCredential>();
  const usage = new Map<string, ProfileUsage>();
  let tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after every earlier locked operation, like the file store's lock. */
  function locked<T>(fn: () => Promise<T> | T): Promise<T> {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  }

  return {
    location: 'memory',
    set(profileId, credential) {
      credentials.set(profileId, credential);
    },
    async readCredential(profileId) {
      return credentials.get(profileId) ?? null;
    },
    async readUsage(profileId) {
      return { ...usage.get(profileId) };
    },
    updateCredential<T>(
      profileId: string,
      fn: (current: OAuthCredential | null) => Promise<StoreUpdate<T>> | StoreUpdate<T>,
    ): Promise<T> {
      return locked(async () => {
        const { write, result } = await fn(credentials.get(profileId) ?? null);
        if (write) credentials.set(profileId, write);
        return result;
      });
    },
    recordUsage(profileId: string, patch: UsagePatch | ((current: ProfileUsage) => UsagePatch)) {
      return locked(() => {
        const current = usage.get(profileId) ?? {};
        const changes = typeof patch === 'function' ? patch(current) : patch;
        const next: Record<string, unknown> = { ...current };
        for (const [key, value] of Object.entries(changes)) {
          if (value === null) delete next[key];
          else if (value !== undefined) next[key] = value;
        }
        usage.set(profileId, next);
      });
    },
    watch() {
      return () => undefined;
    },
  };
}

/** An OAuth client that rotates without HTTP; `requests` counts refreshes. */
export function createInMemoryOAuthClient(now: () => number = Date.now): OAuthClient & { requests: number } {
  let serial = 0;
  return {
    tokenUrl: 'memory://token',
    requests: 0,
    async refresh() {
      this.requests += 1;
      serial += 1;
      return {
        accessToken: `sk-ant-oat01-memory-access-${serial}`,
        refreshToken: `sk-ant-ort01-memory-refresh-${serial}`,
        expiresAt: now() + 8 * HOUR,
      };
    },
  };
}

export function longLivedCredential(tag: string, now: () => number = Date.now): OAuthCredential {
  return {
    accessToken: `sk-ant-oat01-bench-${tag}-${'a'.repeat(64)}`,
    refreshToken: `sk-ant-ort01-bench-${tag}-${'r'.repeat(64)}`,
    expiresAt: now() + 8 * HOUR,
  };
}
