/**
 * What `status` (and `doctor`) know about a profile, read from the files without starting a
 * machine or a timer: the stored credential's expiry and fingerprint, a persisted cooldown,
 * and the Claude CLI's login compared with the store by the same freshness rule the runtime
 * uses. Fingerprints and timestamps only, never a token.
 */
import { stat } from 'node:fs/promises';
import { clampStoredCooldown, DEFAULT_POLICY } from '../../machines/index.js';
import { type ClaudeCliSource, createClaudeCliSource } from '../credentials/claude-cli-source.js';
import { fingerprintToken } from '../credentials/fingerprint.js';
import { isCredentialBlank, isCredentialFresher } from '../credentials/freshness.js';
import type { OAuthCredential } from '../credentials/types.js';
import { errnoCode } from '../fs/fs-errors.js';
import {
  type AuthProfilesDocument,
  type ForeignProblem,
  findForeignProblems,
} from '../store/auth-profiles-schema.js';
import { createFileProfileStore } from '../store/file-profile-store.js';
import type { LastFailure } from '../store/last-failure.js';
import { readOwnProfile } from '../store/own-profile.js';
import type { FleetStatus } from '../store/redis/index.js';
import type { ProfileUsage } from '../store/types.js';
import { openCliStore } from './cli-store.js';
import type { CliConfig } from './config.js';
import { describeError, type ErrorReport } from './output.js';

/**
 * - `valid`: good beyond the refresh window.
 * - `expiring`: inside the refresh window (a running watch refreshes it now).
 * - `expired`: expired, or within the freshness margin; the next use refreshes it.
 * - `cooldown`: a failed recovery's cooldown has not ended yet and the token does not work (a
 *   token that still works is `valid`/`expiring`: the runtime serves it, only its refresh waits).
 * - `missing`: no usable oauth credential for the profile (absent or blank): log in.
 */
export type ProfileState = 'valid' | 'expiring' | 'expired' | 'cooldown' | 'missing';

export interface CliCredentialReport {
  /** The CLI's credentials file (or `keychain:<service>` on macOS). */
  path: string;
  present: boolean;
  /** Logged out: the CLI blanked its tokens after its own refresh failed. */
  blank: boolean;
  expiresAt: number | null;
  fingerprint: string | null;
  /** The CLI holds a credential that beats the store's: `oauth-recovery sync` adopts it. */
  fresher: boolean;
  /** The CLI and the store hold the same access token (one shared login). */
  sameAsStore: boolean;
  /** Set when the CLI's credentials could not be read (malformed, unreadable). */
  error: ErrorReport | null;
  /**
   * Set when the CLI shares the store's refresh token but its store cannot be written (read-only
   * mount, permissions): the runtime will not spend that token and waits for the CLI instead.
   */
  writeBackBlocked: string | null;
}

export interface ProfileReport {
  profileId: string;
  state: ProfileState;
  expiresAt: number | null;
  expiresInMs: number | null;
  /** Where the reported credential lives: `store`, or null when there is none. */
  source: 'store' | null;
  fingerprint: string | null;
  cooldownUntil: number | null;
  errorCount: number;
  lastFailureAt: number | null;
  lastUsed: number | null;
  cli: CliCredentialReport;
  store: { path: string; origin: string; exists: boolean };
  /**
   * Malformed entries of other tools (profiles or usage stats not ours): carried through
   * untouched on every write, listed here so someone can fix them. Empty when all is well.
   */
  foreignProblems: ForeignProblem[];
  /** The last failed recovery the runtime persisted (cleared by a success), or null. */
  lastFailure: LastFailure | null;
  /**
   * The server said the stored refresh token is dead (`lastFailure.kind` permanent) and the
   * Claude CLI holds nothing fresher: a person must log in before `expiresAt` (exit 3).
   */
  refreshTokenDead: boolean;
  /** A Redis store's fleet state (lease, version, committer, spend, dead tokens, replication); null for a file. */
  fleet: FleetStatus | null;
}

export interface ProfileReadings {
  document: AuthProfilesDocument | null;
  credential: OAuthCredential | null;
  /** Our usage stats, finite numbers only. */
  usage: ProfileUsage;
  lastFailure: LastFailure | null;
  cli: CliReading;
  /** Set for a Redis store. */
  fleet?: FleetStatus | null;
}

export type CliReading =
  | { status: 'ok'; credential: OAuthCredential }
  | { status: 'blank' }
  | { status: 'missing' }
  | { status: 'error'; error: unknown };

export function createCliSourceFor(config: CliConfig, now: () => number): ClaudeCliSource {
  return createClaudeCliSource({ configDir: config.claudeConfigDir, env: config.env, now });
}

export async function readCliCredential(cli: ClaudeCliSource): Promise<CliReading> {
  try {
    const read = await cli.read();
    return read.status === 'ok' ? { status: 'ok', credential: read.credential } : { status: read.status };
  } catch (error) {
    return { status: 'error', error };
  }
}

/** Reads the store (throws its typed errors) and the CLI (errors are reported, not thrown). */
export async function readProfile(
  config: CliConfig,
  now: () => number,
): Promise<ProfileReadings & { cliPath: string; storeExists: boolean; writeBackBlocked: string | null }> {
  if (config.storeUrl !== null) return readFleetProfile(config, now);
  const store = createFileProfileStore({ path: config.storePath, now });
  const cli = createCliSourceFor(config, now);
  const [document, cliReading] = await Promise.all([readStoreDocument(store), readCliCredential(cli)]);
  const own = document ? readOwnProfile(document, config.profileId, store.location, now()) : null;
  return {
    document,
    credential: own?.credential ?? null,
    usage: own?.usage ?? {},
    lastFailure: own?.lastFailure ?? null,
    cli: cliReading,
    cliPath: cli.location,
    storeExists: document !== null,
    writeBackBlocked: await writeBackBlockedReason(cli, cliReading, own?.credential ?? null),
  };
}

/** Why a rotated pair of the login the CLI shares with the store could not be written back, or null. */
export async function writeBackBlockedReason(
  cli: ClaudeCliSource,
  reading: CliReading,
  stored: OAuthCredential | null,
): Promise<string | null> {
  if (reading.status !== 'ok' || !stored || reading.credential.refreshToken !== stored.refreshToken)
    return null;
  const check = await cli.checkWritable();
  return check.writable ? null : check.reason;
}

/** `readProfile` for a Redis store: the credential, usage and fleet state (no document). */
async function readFleetProfile(
  config: CliConfig,
  now: () => number,
): Promise<ProfileReadings & { cliPath: string; storeExists: boolean; writeBackBlocked: string | null }> {
  const opened = openCliStore(config, now);
  const cli = createCliSourceFor(config, now);
  try {
    const [credential, usage, fleet, cliReading] = await Promise.all([
      opened.store.readCredential(config.profileId),
      opened.store.readUsage(config.profileId),
      opened.redis!.fleetStatus(config.profileId),
      readCliCredential(cli),
    ]);
    return {
      document: null,
      credential,
      usage,
      lastFailure: usage.lastFailure ?? null,
      cli: cliReading,
      fleet,
      cliPath: cli.location,
      storeExists: credential !== null,
      writeBackBlocked: await writeBackBlockedReason(cli, cliReading, credential),
    };
  } finally {
    await opened.close();
  }
}

async function readStoreDocument(
  store: ReturnType<typeof createFileProfileStore>,
): Promise<AuthProfilesDocument | null> {
  try {
    await stat(store.location);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
  }
  return store.readDocument();
}

export function deriveProfileState(
  credential: OAuthCredential | null,
  cooldownUntil: number | null,
  now: number,
): ProfileState {
  if (!credential || isCredentialBlank(credential)) return 'missing';
  // A token that still works is served under a persisted cooldown (which only defers its refresh).
  if (credential.expiresAt - DEFAULT_POLICY.freshnessMarginMs <= now) {
    return cooldownUntil !== null && cooldownUntil > now ? 'cooldown' : 'expired';
  }
  if (credential.expiresAt - DEFAULT_POLICY.refreshWindowMs <= now) return 'expiring';
  return 'valid';
}

export async function buildProfileReport(
  config: CliConfig,
  now: () => number = Date.now,
): Promise<ProfileReport> {
  const readings = await readProfile(config, now);
  return reportFromReadings(config, readings, now());
}

export function reportFromReadings(
  config: CliConfig,
  readings: ProfileReadings & { cliPath: string; storeExists: boolean; writeBackBlocked?: string | null },
  at: number,
): ProfileReport {
  const { credential, cli } = readings;
  const { usage } = readings;
  // The deadline the runtime honours: another tool's far-off deadline is cut to cooldownMaxMs.
  const cooldownUntil = clampStoredCooldown(usage.cooldownUntil, at, DEFAULT_POLICY);
  const usable = credential && !isCredentialBlank(credential) ? credential : null;
  const cliCredential = cli.status === 'ok' ? cli.credential : null;
  const cliFresher = cliCredential ? isCredentialFresher(cliCredential, credential, at) : false;
  // The recorded dead token, when known, must be the one stored: a new login someone else wrote is not dead.
  const deadIsStored =
    usage.deadRefreshToken === undefined ||
    (usable !== null && usage.deadRefreshToken === fingerprintToken(usable.refreshToken));
  return {
    profileId: config.profileId,
    state: deriveProfileState(credential, cooldownUntil, at),
    expiresAt: usable?.expiresAt ?? null,
    expiresInMs: usable ? usable.expiresAt - at : null,
    source: usable ? 'store' : null,
    fingerprint: usable ? fingerprintToken(usable.accessToken) : null,
    cooldownUntil,
    errorCount: usage.errorCount ?? 0,
    lastFailureAt: usage.lastFailureAt ?? null,
    lastUsed: usage.lastUsed ?? null,
    cli: {
      path: readings.cliPath,
      present: cli.status === 'ok' || cli.status === 'blank' || cli.status === 'error',
      blank: cli.status === 'blank',
      expiresAt: cliCredential?.expiresAt ?? null,
      fingerprint: cliCredential ? fingerprintToken(cliCredential.accessToken) : null,
      fresher: cliFresher,
      sameAsStore: Boolean(
        cliCredential && credential && cliCredential.accessToken === credential.accessToken,
      ),
      error: cli.status === 'error' ? describeError(cli.error) : null,
      writeBackBlocked: readings.writeBackBlocked ?? null,
    },
    store: { path: config.storePath, origin: config.storeOrigin, exists: readings.storeExists },
    foreignProblems: readings.document ? findForeignProblems(readings.document, config.profileId) : [],
    lastFailure: readings.lastFailure,
    refreshTokenDead:
      usable !== null && readings.lastFailure?.kind === 'permanent' && !cliFresher && deadIsStored,
    fleet: readings.fleet ?? null,
  };
}
