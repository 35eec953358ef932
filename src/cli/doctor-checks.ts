/**
 * The checks behind `oauth-recovery doctor`, in the order they are reported: the token
 * endpoint's URL, the store (file or Redis fleet), the profile, the Claude Code CLI's login,
 * the lock directories, and with `--online` the endpoint itself. Each finding says how bad it
 * is (`ok`, `warn`, `error`), what was found, and the fix. Checks only read: no write, no lock
 * taken; the online probe never spends a real login.
 */
import type { OAuthCredential } from '../credentials/types.js';
import { DEFAULT_LOCK_STALE_MS } from '../fs/lock.js';
import type { CliConfig } from './config.js';
import { checkClaudeCli } from './doctor-claude-cli-checks.js';
import type { AddFinding, Finding } from './doctor-finding.js';
import { checkFleetStore } from './doctor-fleet-checks.js';
import { checkLocks } from './doctor-lock-checks.js';
import { checkProfile } from './doctor-profile-checks.js';
import { checkStoreFile } from './doctor-store-file-checks.js';
import { checkTokenUrl, probeTokenEndpoint } from './doctor-token-endpoint-checks.js';

export type { Finding, FindingLevel } from './doctor-finding.js';

/** How `doctor` runs. */
export interface DoctorOptions {
  /** Also probe the token endpoint (`--online`). */
  online: boolean;
  /** The clock, epoch ms. Default `Date.now`. */
  now?: () => number;
  /** Age in ms at which a lock counts as stale. Default the lock's own (`DEFAULT_LOCK_STALE_MS`). */
  lockStaleMs?: number;
  /** Timeout of the online probe, ms. Default 10 000. */
  timeoutMs?: number;
}

/** Runs every check for `config` and returns the findings in report order. */
export async function runDoctorChecks(config: CliConfig, options: DoctorOptions): Promise<Finding[]> {
  const now = options.now ?? Date.now;
  const findings: Finding[] = [];
  const add: AddFinding = (check, level, message, fix = null) =>
    findings.push({ check, level, message, fix });

  const tokenUrl = checkTokenUrl(config, add);
  const fileStore = config.storeUrl === null;
  let stored: OAuthCredential | null;
  if (fileStore) {
    const document = await checkStoreFile(config, now, add);
    stored = document ? checkProfile(config, document, now(), add) : null;
  } else stored = await checkFleetStore(config, now, add);
  const cli = await checkClaudeCli(config, stored, now, add);
  const locks: Array<[string, string]> = [];
  if (fileStore) locks.push(['store.lock', config.storePath]);
  if (cli.kind === 'file') locks.push(['cli.lock', cli.location]);
  await checkLocks(locks, options.lockStaleMs ?? DEFAULT_LOCK_STALE_MS, now, add);
  if (options.online && tokenUrl) await probeTokenEndpoint(tokenUrl, options.timeoutMs ?? 10_000, add);
  return findings;
}
