import type { OAuthCredential } from '../credentials/types.js';
import type { LastFailure } from './last-failure.js';

/**
 * The profile store behind one small interface, so a fleet can swap the openclaw JSON file
 * for a shared engine (Redis: compare-and-set, lease lock, keyspace notifications) without
 * touching the machine or the runtime. File details (paths, fsync, modes) stay in the file store.
 */

/** Per-profile usage bookkeeping, openclaw-compatible. Timestamps are epoch ms. */
export interface ProfileUsage {
  /** Failed recoveries in a row; reset to 0 by a success. */
  errorCount?: number;
  /** The persisted cooldown's end, epoch ms (capped by policy when read back). */
  cooldownUntil?: number;
  /** When the last failure happened, epoch ms. */
  lastFailureAt?: number;
  /** When the profile last served a token, epoch ms. */
  lastUsed?: number;
  /** The last recovery failure (cleared by a successful refresh or sync). */
  lastFailure?: LastFailure;
  /** The stored refresh token is known dead (the server said so, or its answer was lost). */
  refreshTokenDead?: boolean;
  /**
   * Fingerprint (`fingerprintToken`: the first 12 hex chars of its sha256) of the last refresh
   * token the endpoint refused, or whose 200 answer was lost after it was spent. A new process
   * never sends that token again (`invalid_grant` once, not once per restart). Kept until
   * another dead token replaces it; never the token itself.
   */
  deadRefreshToken?: string;
}

/**
 * Where profiles live: load, a locked read-modify-write of one profile's credential, usage
 * bookkeeping and change notification. Implemented by `createFileProfileStore` (openclaw's
 * `auth-profiles.json`); a fleet store (Redis) implements the same interface.
 */
export interface ProfileStore {
  /** Human-readable location, e.g. the resolved file path. */
  readonly location: string;
  /** The OAuth credential of a profile, or null when absent or not an oauth profile. */
  readCredential(profileId: string): Promise<OAuthCredential | null>;
  /** Usage stats of a profile; an expired `cooldownUntil` reads as absent. */
  readUsage(profileId: string): Promise<ProfileUsage>;
  /**
   * Locked read-modify-write: `fn` sees the freshest stored credential (re-read under the
   * lock) and returns what to write (or null to write nothing) plus a result. The write is
   * refused (DowngradeRefusedError) if it would replace a better credential with a blank,
   * expired, older or equally fresh one; writing the stored token again is a no-op.
   */
  updateCredential<T>(
    profileId: string,
    fn: (current: OAuthCredential | null) => Promise<StoreUpdate<T>> | StoreUpdate<T>,
  ): Promise<T>;
  /**
   * Merge into a profile's usage stats (locked). `null` deletes a field. Pass a function to
   * derive the patch from the current stats under the lock (e.g. `errorCount + 1`), so
   * concurrent increments are never lost.
   */
  recordUsage(profileId: string, patch: UsagePatch | ((current: ProfileUsage) => UsagePatch)): Promise<void>;
  /**
   * Optional pre-flight check that a write could succeed now (the directory and file are
   * writable, the disk has room), made before a refresh token is spent.
   *
   * @throws {StoreError} naming the path and the errno when it could not.
   */
  checkWritable?(): Promise<void>;
  /** Calls `onChange` when the store changes on disk (or in the shared engine). Returns unsubscribe. */
  watch(onChange: () => void): () => void;
  /**
   * Optional (fleet stores): called inside `updateCredential`'s `fn`, right before `refreshToken`
   * is sent to the token endpoint. Records a spend marker the fleet can see.
   * @throws RefreshError ('permanent') when the fleet already knows the token is dead, so it is
   *   never sent again; the file store has no such hook.
   */
  beforeSpend?(profileId: string, refreshToken: string): Promise<void>;
  /**
   * Optional (fleet stores): the token endpoint refused `refreshToken` (a permanent error such as
   * `invalid_grant`, or a 200 whose pair could not be used) after `beforeSpend` let it go out.
   * Puts the token in the fleet's dead set, whichever refresh path spent it (our pair or the
   * Claude CLI's login). Best effort: an unreachable store resolves anyway.
   */
  spendRefused?(profileId: string, refreshToken: string): Promise<void>;
}

/** A change to usage stats: a number sets a field, `null` deletes it, absent leaves it. */
export type UsagePatch = { [K in keyof ProfileUsage]?: ProfileUsage[K] | null };

/** What an `updateCredential` callback decides under the lock: what to write, what to return. */
export interface StoreUpdate<T> {
  /** The credential to store, or null to write nothing (the store stays byte-identical). */
  write: OAuthCredential | null;
  /** Handed back to the caller of `updateCredential` as is. */
  result: T;
  /**
   * The refresh token spent to obtain `write`. A stored credential still holding it died with
   * that rotation, so `write` replaces it even without a later expiry.
   */
  replacesSpent?: string;
}
