/**
 * Every fact about how the Claude Code CLI serialises its OAuth refresh and its credential
 * writes, in one place, with the release it was read from. When a new CLI release changes
 * its protocol, this is the one file to change.
 *
 * Read from `@anthropic-ai/claude-code-linux-x64@2.1.328` (the bundled JavaScript inside the
 * native binary) and confirmed by running that binary against this package (see
 * docs/reliability.md, "Claude Code lock protocol").
 */
import os from 'node:os';
import path from 'node:path';

/** The Claude Code release these facts were read from. */
export const CLAUDE_CODE_PROTOCOL_VERSION = '2.1.328';

/** Name of the CLI's credentials file inside its storage dir `D`. */
export const CLAUDE_CODE_CREDENTIALS_FILE = '.credentials.json';

/**
 * The refresh lock: a proper-lockfile mkdir lock of `D` with `lockfilePath: D/.oauth_refresh.lock`,
 * `realpath: false`, stale after 60 s, its mtime touched every 5 s while held.
 */
export const CLAUDE_CODE_REFRESH_LOCK = {
  name: '.oauth_refresh.lock',
  /** ms: a lock not touched for this long belongs to a dead holder. */
  staleMs: 60_000,
  /** ms: how often the holder touches the lock's mtime. */
  updateMs: 5_000,
} as const;

/**
 * The legacy refresh lock older CLIs took and 2.1.x still takes after the current one:
 * `<realpath(D)>.lock`, a sibling of `D`, same stale/update parameters. The CLI treats a held
 * legacy lock as contention (releases the current lock and retries) and any other failure to
 * take it (e.g. an unwritable parent dir) as "proceed without it".
 */
export const CLAUDE_CODE_LEGACY_REFRESH_LOCK_SUFFIX = '.lock';

/**
 * How the CLI retries a held refresh lock: 5 tries, sleeping 1-2 s between them, re-reading
 * `.credentials.json` before each (it adopts a pair someone else wrote and sends no request).
 * After the tries it waits until 7.5 s have passed in all and may take over the lock of a
 * holder its owner record proves dead.
 */
export const CLAUDE_CODE_REFRESH_RETRY = {
  attempts: 5,
  minSleepMs: 1_000,
  maxSleepMs: 2_000,
  deadHolderCheckAfterMs: 7_500,
} as const;

/**
 * The owner record, written atomically right after the refresh locks are taken and removed on
 * release: `D/.oauth_refresh.lock.owner`, at most 4096 bytes of JSON
 * `{pid, procStart?, pidDomain, pidSpace, lockBirthtimeMs, legacyLockBirthtimeMs?}`.
 * With it the CLI takes over a crashed holder's lock in ~8 s instead of waiting 60 s.
 */
export const CLAUDE_CODE_OWNER_RECORD = { name: '.oauth_refresh.lock.owner', maxBytes: 4096 } as const;

/** The owner record's shape (Claude Code 2.1.328 validates it with this zod-equivalent schema). */
export interface ClaudeCodeOwnerRecord {
  /** The holder's process id. */
  pid: number;
  /** Linux: field 22 (starttime, clock ticks) of `/proc/<pid>/stat`, as a string (max 64 chars). */
  procStart?: string;
  /** Linux: `linux:<machine-id>:<readlink /proc/self/ns/pid>`; other platforms: `linux`. */
  pidDomain: string;
  /** `<hostname>#<readlink /proc/self/ns/pid>` (`<hostname>` alone when there is no pid namespace). */
  pidSpace: string;
  /** birthtimeMs of the `D/.oauth_refresh.lock` directory this holder created. */
  lockBirthtimeMs: number;
  /** birthtimeMs of the legacy lock directory, when the holder took it too. */
  legacyLockBirthtimeMs?: number;
}

/**
 * The write lock around every change to `.credentials.json`: proper-lockfile on `D/.storage-write`
 * (so the directory `D/.storage-write.lock`), `realpath: false`, stale after 15 s, retried 10
 * times from 100 ms to 1 s (~7.5 s in all; then the CLI gives up and loses its new pair). The
 * file itself is replaced by temp file + rename with mode 0600.
 */
export const CLAUDE_CODE_STORAGE_WRITE_LOCK = {
  target: '.storage-write',
  name: '.storage-write.lock',
  staleMs: 15_000,
  retries: 10,
  minRetryMs: 100,
  maxRetryMs: 1_000,
  fileMode: 0o600,
} as const;

/**
 * After its refresh the CLI saves with a compare-and-swap, tried 3 times: only when the stored
 * `claudeAiOauth.refreshToken` is `""` or the one it sent; otherwise it keeps the pair on disk.
 * It saves only when the answer's `scope` includes `user:inference`, and replaces the stored
 * `scopes` with the answer's. `refreshTokenExpiresAt` (see {@link CLAUDE_CODE_REFRESH_TOKEN_EXPIRY})
 * becomes min(stored, now + `refresh_token_expires_in`) when the stored one is valid, stays the
 * stored one when the answer's is missing or invalid, and is dropped when the stored one is
 * missing or invalid (only a sign-in sets it from nothing).
 */
export const CLAUDE_CODE_SAVE = { casAttempts: 3, requiredScope: 'user:inference' } as const;

/**
 * When the CLI believes a `refreshTokenExpiresAt` (epoch ms): a number from 2025-01-01 00:00 UTC
 * (`minEpochMs`) to now + 10 × 365 days (`maxAheadMs`); anything else it treats as absent
 * (function `oco` in 2.1.328). It reads the answer's `refresh_token_expires_in` only when it is
 * a JSON number (seconds).
 */
export const CLAUDE_CODE_REFRESH_TOKEN_EXPIRY = {
  minEpochMs: Date.UTC(2025, 0, 1),
  maxAheadMs: 315_360_000_000,
} as const;

/** The CLI refreshes when `expiresAt` is within this many ms (5 min), or after a 401. */
export const CLAUDE_CODE_REFRESH_WINDOW_MS = 300_000;

export interface ClaudeStorageDirOptions {
  env?: NodeJS.ProcessEnv | undefined;
  homeDir?: string | undefined;
  /** An explicit dir; wins over the environment (our `--claude-config-dir`). */
  configDir?: string | undefined;
}

/**
 * The CLI's storage dir `D`, computed as Claude Code 2.1.328 does: `$CLAUDE_SECURESTORAGE_CONFIG_DIR`
 * when set (an empty value means `~/.claude`), else `$CLAUDE_CONFIG_DIR`, else `~/.claude`;
 * NFC-normalised. `D` holds `.credentials.json` and every lock above.
 */
export function resolveClaudeStorageDir(options: ClaudeStorageDirOptions = {}): string {
  const env = options.env ?? process.env;
  const home = () => path.join(options.homeDir ?? os.homedir(), '.claude');
  if (options.configDir) return options.configDir.normalize('NFC');
  const secure = env.CLAUDE_SECURESTORAGE_CONFIG_DIR;
  if (secure !== undefined) return (secure || home()).normalize('NFC');
  return (env.CLAUDE_CONFIG_DIR || home()).normalize('NFC');
}

/** `D/.oauth_refresh.lock`. */
export function claudeRefreshLockPath(storageDir: string): string {
  return path.join(storageDir, CLAUDE_CODE_REFRESH_LOCK.name);
}

/** `D/.oauth_refresh.lock.owner`. */
export function claudeOwnerRecordPath(storageDir: string): string {
  return path.join(storageDir, CLAUDE_CODE_OWNER_RECORD.name);
}

/** `D/.storage-write.lock`. */
export function claudeStorageWriteLockPath(storageDir: string): string {
  return path.join(storageDir, CLAUDE_CODE_STORAGE_WRITE_LOCK.name);
}
