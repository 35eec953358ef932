/**
 * The profile store on one openclaw-compatible `auth-profiles.json`: the embedded default
 * behind `ProfileStore`. File details stay here: a missing file reads as an empty store and is
 * created on first write (directory 0700, file 0600); every change is a locked
 * read-modify-write (re-read under the cross-process lock, atomic replace, aborted if the lock
 * was lost); only the fields we own change (the one profile's access/refresh/expires, its usage
 * stats, expired cooldowns); unknown profiles and fields are written back as they were, in
 * their order, even malformed ones (only our own profile is checked), and numbers a double
 * cannot hold are kept digit for digit (lossless-json). Never wipe, never downgrade:
 * `decideCredentialWrite` gates every credential write.
 */
import { constants, type FSWatcher, mkdirSync, realpathSync, watch as watchFs } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_FRESHNESS_MARGIN_MS, decideCredentialWrite } from '../credentials/freshness.js';
import { parseJsonDocument, serializeLike } from '../credentials/json-document.js';
import { DowngradeRefusedError } from '../errors.js';
import { DIRECTORY_MODE, writeFileAtomic } from '../fs/atomic-write.js';
import { describeFsError, errnoCode } from '../fs/fs-errors.js';
import { type LockOptions, withLock } from '../fs/lock.js';
import { readLimitedText } from '../fs/read-limited.js';
import {
  type AuthProfilesDocument,
  AuthProfilesDocumentSchema,
  emptyAuthProfilesDocument,
  isOAuthProfile,
  type OAuthProfile,
  type UsageStats,
} from './auth-profiles-schema.js';
import { parseLosslessJson, stringifyLosslessJson, toNumber } from './lossless-json.js';
import { readOwnProfile } from './own-profile.js';
import { checkFreeSpace, toStoreError } from './store-error.js';
import type { ProfileStore, ProfileUsage, UsagePatch } from './types.js';

export interface FileProfileStoreOptions {
  /** Path of `auth-profiles.json` (may be a symlink; the target is updated in place). */
  path: string;
  lockOptions?: LockOptions;
  /** Injected clock (freshness checks, cooldown expiry). */
  now?: () => number;
  marginMs?: number;
  /** Quiet period before `watch` reports a burst of changes once. Default 100 ms. */
  watchDebounceMs?: number;
  maxBytes?: number;
}

export interface FileProfileStore extends ProfileStore {
  /** The whole document as stored (validated), expired cooldowns already cleared. */
  readDocument(): Promise<AuthProfilesDocument>;
}

/** Indentation for a file we create: openclaw writes 2 spaces and a final newline. */
const NEW_FILE_STYLE = '{\n  "\n';
const USAGE_FIELDS = ['errorCount', 'cooldownUntil', 'lastFailureAt', 'lastUsed'] as const;

/**
 * The embedded `ProfileStore` on openclaw's `auth-profiles.json` (version 1, as openclaw up to
 * 2026.6 writes it): atomic 0600 writes, a cross-process lock for updates, unknown profiles and
 * fields kept. Creating it does no I/O.
 * Its reads throw `CredentialParseError`/`CredentialFileError`; locked updates `LockTimeoutError`
 * or `LockCompromisedError`; a write that would lose a better credential `DowngradeRefusedError`.
 */
export function createFileProfileStore(options: FileProfileStoreOptions): FileProfileStore {
  const file = path.resolve(options.path);
  const now = options.now ?? Date.now;
  const marginMs = options.marginMs ?? DEFAULT_FRESHNESS_MARGIN_MS;

  async function load(): Promise<{ document: AuthProfilesDocument; text: string | undefined }> {
    const read = await readLimitedText(file, { maxBytes: options.maxBytes });
    if (!read) return { document: emptyAuthProfilesDocument(), text: undefined };
    const document = parseJsonDocument(AuthProfilesDocumentSchema, read.text, file, parseLosslessJson);
    return { document, text: read.text };
  }

  /** Locked read-modify-write. `change` edits the document in place and says if it changed. */
  function mutate<T>(
    change: (document: AuthProfilesDocument) => Promise<{ changed: boolean; result: T }>,
  ): Promise<T> {
    return lockedWrite(change).catch((error: unknown) => {
      throw toStoreError(file, error);
    });
  }

  function lockedWrite<T>(
    change: (document: AuthProfilesDocument) => Promise<{ changed: boolean; result: T }>,
  ): Promise<T> {
    return withLock(
      file,
      async (lock) => {
        const { document, text } = await load();
        const { changed, result } = await change(document);
        if (changed) {
          clearExpiredCooldowns(document, now());
          await writeFileAtomic(
            file,
            serializeLike(document, text ?? NEW_FILE_STYLE, stringifyLosslessJson),
            {
              beforeRename: () => lock.assertHeld(),
            },
          );
        }
        return result;
      },
      options.lockOptions,
    );
  }

  return {
    location: file,

    async readDocument() {
      const { document } = await load();
      clearExpiredCooldowns(document, now());
      return document;
    },

    async readCredential(profileId) {
      return readOwnProfile((await load()).document, profileId, file, now()).credential;
    },

    async readUsage(profileId) {
      return visibleUsage(readOwnProfile((await load()).document, profileId, file, now()).usage, now());
    },

    updateCredential(profileId, fn) {
      const target = `${file} (profile ${profileId})`;
      return mutate(async (document) => {
        const { profile, credential: current } = readOwnProfile(document, profileId, file, now());
        const { write, result, replacesSpent } = await fn(current);
        if (!write) return { changed: false, result };
        if (profile && !isOAuthProfile(profile)) {
          throw new DowngradeRefusedError(
            target,
            `the profile holds a ${profile.type} credential, not oauth`,
          );
        }
        const decision = decideCredentialWrite(write, current, now(), marginMs, { replacesSpent });
        if (decision.action === 'refuse') throw new DowngradeRefusedError(target, decision.reason);
        if (decision.action === 'noop') return { changed: false, result };
        document.profiles[profileId] = {
          ...(profile ?? { type: 'oauth', provider: providerOf(profileId) }),
          access: write.accessToken,
          refresh: write.refreshToken,
          expires: write.expiresAt,
        } as OAuthProfile;
        return { changed: true, result };
      });
    },

    recordUsage(profileId, patch) {
      return mutate(async (document) => {
        const { usage } = readOwnProfile(document, profileId, file, now());
        document.usageStats ??= {};
        const stored = (document.usageStats[profileId] ?? {}) as UsageStats;
        const changes = typeof patch === 'function' ? patch(visibleUsage(usage, now())) : patch;
        document.usageStats[profileId] = applyUsagePatch(stored, changes);
        return { changed: true, result: undefined };
      });
    },

    async checkWritable() {
      // The directory must take a temp file and a lock directory; an existing file must be writable.
      const directory = path.dirname(file);
      try {
        await access(directory, constants.W_OK);
      } catch (error) {
        // A directory that does not exist yet is created on the first write.
        if (errnoCode(error) !== 'ENOENT') throw toStoreError(directory, error);
      }
      try {
        await access(file, constants.W_OK);
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT') throw toStoreError(file, error);
      }
      await checkFreeSpace(directory, file);
    },

    watch(onChange) {
      return watchStoreFile(file, onChange, options.watchDebounceMs ?? 100);
    },
  };
}

/** `anthropic:claude-cli` → `anthropic`. */
function providerOf(profileId: string): string {
  const colon = profileId.indexOf(':');
  return colon > 0 ? profileId.slice(0, colon) : 'anthropic';
}

/** The usage fields we own, with a cooldown that has already ended left out. */
function visibleUsage(stats: ProfileUsage, now: number): ProfileUsage {
  const usage: ProfileUsage = { ...stats };
  if (usage.cooldownUntil !== undefined && usage.cooldownUntil <= now) delete usage.cooldownUntil;
  return usage;
}

function applyUsagePatch(stored: UsageStats, patch: UsagePatch): UsageStats {
  const next: UsageStats = { ...stored };
  for (const field of USAGE_FIELDS) {
    if (!(field in patch)) continue;
    const value = patch[field];
    if (value === null) delete next[field];
    else if (value !== undefined) {
      if (!Number.isFinite(value)) throw new RangeError(`usage field ${field} must be a finite number`);
      next[field] = value;
    }
  }
  if (patch.lastFailure === null) delete next.lastFailure;
  else if (patch.lastFailure !== undefined) next.lastFailure = { ...patch.lastFailure };
  if (patch.refreshTokenDead === null || patch.refreshTokenDead === false) delete next.refreshTokenDead;
  else if (patch.refreshTokenDead === true) next.refreshTokenDead = true;
  if (patch.deadRefreshToken === null) delete next.deadRefreshToken;
  else if (patch.deadRefreshToken !== undefined) next.deadRefreshToken = patch.deadRefreshToken;
  return next;
}

/** The cooldown-that-never-ends fix: a past `cooldownUntil` is removed whenever we write. */
function clearExpiredCooldowns(document: AuthProfilesDocument, now: number): void {
  for (const stats of Object.values(document.usageStats ?? {})) {
    if (typeof stats !== 'object' || stats === null || Array.isArray(stats)) continue;
    const entry = stats as UsageStats;
    if (entry.cooldownUntil !== undefined && toNumber(entry.cooldownUntil) <= now) delete entry.cooldownUntil;
  }
}

/**
 * Writers replace the file by rename, which a watch on the file itself would miss after the
 * first time, so the directory (of the real target, for a symlinked store) is watched and
 * events are filtered by name and debounced. The watcher does not keep the process alive.
 * A directory that cannot be created or watched is a CredentialFileError.
 */
function watchStoreFile(file: string, onChange: () => void, debounceMs: number): () => void {
  let target: string;
  try {
    target = realpathSync(file);
  } catch {
    try {
      mkdirSync(path.dirname(file), { recursive: true, mode: DIRECTORY_MODE });
      target = path.join(realpathSync(path.dirname(file)), path.basename(file));
    } catch (error) {
      throw describeFsError(file, 'watch', error);
    }
  }
  const name = path.basename(target);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const schedule = () => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (!closed) onChange();
    }, debounceMs);
    timer.unref();
  };
  let watcher: FSWatcher;
  try {
    watcher = watchFs(path.dirname(target), { persistent: false }, (_event, changed) => {
      if (changed === null || changed === name) schedule();
    });
  } catch (error) {
    throw describeFsError(file, 'watch', error);
  }
  watcher.on('error', schedule);
  return () => {
    closed = true;
    if (timer) clearTimeout(timer);
    watcher.close();
  };
}
