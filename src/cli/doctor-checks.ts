/**
 * The checks behind `oauth-recovery doctor`. Each finding says how bad it is (`ok`, `warn`,
 * `error`), what was found, and the fix. Checks only read: no write, no lock taken. The
 * online check sends a deliberately bogus refresh token and expects the endpoint to refuse it
 * (HTTP 400): that proves the endpoint answers without spending a real login.
 */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { createClaudeCliSource } from '../credentials/claude-cli-source.js';
import { isCredentialFresher } from '../credentials/freshness.js';
import type { OAuthCredential } from '../credentials/types.js';
import { RefreshError } from '../errors.js';
import { errnoCode } from '../fs/fs-errors.js';
import { DEFAULT_LOCK_STALE_MS } from '../fs/lock.js';
import { resolveRealTarget } from '../fs/resolve-target.js';
import { createOAuthClient } from '../oauth/refresh-client.js';
import {
  ANTHROPIC_TOKEN_HOSTS,
  DEFAULT_TOKEN_URL,
  isLoopbackHost,
  isTlsVerificationDisabled,
  LEGACY_TOKEN_URL,
} from '../oauth/token-url.js';
import type { AuthProfilesDocument } from '../store/auth-profiles-schema.js';
import { createFileProfileStore } from '../store/file-profile-store.js';
import { type CliConfig, validatedTokenUrl } from './config.js';
import { checkFleetStore } from './doctor-fleet-checks.js';
import { checkProfile } from './doctor-profile-checks.js';
import { checkSharedStorage } from './doctor-shared-storage.js';
import { formatDuration, formatTime } from './format.js';
import { describeError } from './output.js';
import { writeBackBlockedReason } from './profile-report.js';

export type FindingLevel = 'ok' | 'warn' | 'error';

export interface Finding {
  /** Stable id of the check, e.g. `store.mode`. */
  check: string;
  level: FindingLevel;
  message: string;
  /** What to do about it; null when there is nothing to do. */
  fix: string | null;
}

export interface DoctorOptions {
  online: boolean;
  now?: () => number;
  lockStaleMs?: number;
  /** Timeout of the online probe. */
  timeoutMs?: number;
}

const BOGUS_REFRESH_TOKEN = 'oauth-recovery-doctor-probe-not-a-token';

async function statOrNull(file: string): Promise<Stats | null> {
  try {
    return await stat(file);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    throw error;
  }
}

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}

export async function runDoctorChecks(config: CliConfig, options: DoctorOptions): Promise<Finding[]> {
  const now = options.now ?? Date.now;
  const findings: Finding[] = [];
  const add = (check: string, level: FindingLevel, message: string, fix: string | null = null) =>
    findings.push({ check, level, message, fix });

  // Token URL policy.
  let tokenUrl: string | undefined;
  if (isTlsVerificationDisabled(config.env)) {
    add(
      'tls',
      'error',
      'TLS certificate verification is disabled (NODE_TLS_REJECT_UNAUTHORIZED=0): refreshes are refused, the refresh token would go to any certificate',
      'Unset NODE_TLS_REJECT_UNAUTHORIZED (give Node a proxy CA with NODE_EXTRA_CA_CERTS instead).',
    );
  }
  try {
    tokenUrl = validatedTokenUrl(config);
    const tokenHost = new URL(tokenUrl).hostname;
    if (config.tokenUrlOrigin === 'env' && tokenUrl !== DEFAULT_TOKEN_URL) {
      add(
        'tokenUrl.env',
        'warn',
        `the token endpoint comes from the environment (OAUTH_RECOVERY_TOKEN_URL=${tokenUrl})`,
        'Make sure whoever sets this environment may receive the login; unset it in production.',
      );
    }
    if (!ANTHROPIC_TOKEN_HOSTS.includes(tokenHost) && !isLoopbackHost(tokenHost)) {
      add(
        'tokenUrl.host',
        'warn',
        `the token endpoint host ${tokenHost} is not Anthropic's (${ANTHROPIC_TOKEN_HOSTS.join(', ')}): the refresh token is sent there`,
        'Only keep it if you run that host (a proxy you trust); otherwise drop --token-url.',
      );
    }
    const host = new URL(tokenUrl).hostname;
    if (tokenUrl === DEFAULT_TOKEN_URL) add('tokenUrl', 'ok', `token endpoint ${tokenUrl} (default)`);
    else if (tokenUrl === LEGACY_TOKEN_URL)
      add(
        'tokenUrl',
        'warn',
        `token endpoint ${tokenUrl} is the older endpoint`,
        `Unset ${config.tokenUrlOrigin === 'env' ? 'OAUTH_RECOVERY_TOKEN_URL' : '--token-url'} to use ${DEFAULT_TOKEN_URL}.`,
      );
    else
      add(
        'tokenUrl',
        isLoopbackHost(host) ? 'warn' : 'ok',
        `token endpoint ${tokenUrl} (from ${config.tokenUrlOrigin === 'env' ? 'OAUTH_RECOVERY_TOKEN_URL' : '--token-url'})${isLoopbackHost(host) ? ': a local test server' : ''}`,
        isLoopbackHost(host) ? 'Fine for tests; unset it in production.' : null,
      );
  } catch (error) {
    const report = describeError(error);
    add('tokenUrl', 'error', report.message, report.hint ?? null);
  }

  // The store file, its directory, its JSON and schema (or the Redis fleet store).
  const storeFile = config.storePath;
  const fleetStored = config.storeUrl === null ? null : await checkFleetStore(config, now, add);
  let document: AuthProfilesDocument | null = null;
  const storeStat =
    config.storeUrl !== null
      ? undefined
      : await statOrNull(storeFile).catch((error: unknown) => {
          add('store.file', 'error', describeError(error).message, 'Check the permissions of the path.');
          return undefined;
        });
  if (storeStat === null) {
    add(
      'store.file',
      'error',
      `store ${storeFile} does not exist (${config.storeOrigin})`,
      'Log in with `claude`, then run `oauth-recovery sync` to create it; or point --store / OAUTH_RECOVERY_STORE at the right file.',
    );
  } else if (storeStat && !storeStat.isFile()) {
    add(
      'store.file',
      'error',
      `store ${storeFile} is not a regular file`,
      'Move it away and run `oauth-recovery sync`.',
    );
  } else if (storeStat) {
    add('store.file', 'ok', `store ${storeFile} (${config.storeOrigin})`);
    if ((storeStat.mode & 0o077) !== 0) {
      add(
        'store.mode',
        'warn',
        `store mode is ${octal(storeStat.mode)}: other users can read the login`,
        `chmod 600 '${storeFile}'`,
      );
    } else add('store.mode', 'ok', `store mode ${octal(storeStat.mode)}`);
    const dir = path.dirname(storeFile);
    const dirStat = await statOrNull(dir).catch(() => null);
    if (dirStat && (dirStat.mode & 0o077) !== 0) {
      add('store.dirMode', 'warn', `store directory mode is ${octal(dirStat.mode)}`, `chmod 700 '${dir}'`);
    } else if (dirStat) add('store.dirMode', 'ok', `store directory mode ${octal(dirStat.mode)}`);
    try {
      document = await createFileProfileStore({ path: storeFile, now }).readDocument();
      add('store.json', 'ok', 'store is valid JSON and matches the auth-profiles v1 schema');
    } catch (error) {
      const report = describeError(error);
      add('store.json', 'error', report.message, report.hint ?? `Fix or restore ${storeFile}.`);
    }
  }

  // The profile and its expiry (and what is wrong with other tools' entries).
  const stored: OAuthCredential | null = document ? checkProfile(config, document, now(), add) : fleetStored;

  // The Claude CLI's credentials, and how they compare with the store.
  const cli = createClaudeCliSource({ configDir: config.claudeConfigDir, env: config.env, now });
  try {
    const read = await cli.read();
    if (read.status === 'missing') {
      add(
        'cli',
        'warn',
        `no Claude CLI credentials at ${cli.location}: nothing to sync from when the refresh token dies`,
        'Log in with `claude` on this host, or pass --claude-config-dir / CLAUDE_CONFIG_DIR.',
      );
    } else if (read.status === 'blank') {
      add(
        'cli',
        'warn',
        `the Claude CLI at ${cli.location} is logged out (blank credentials)`,
        'Run `claude` and log in again.',
      );
    } else {
      add(
        'cli',
        'ok',
        `Claude CLI credentials at ${cli.location}, fingerprint ${read.meta.fingerprint}, expires ${formatTime(read.credential.expiresAt)}`,
      );
      if (isCredentialFresher(read.credential, stored, now())) {
        add(
          'freshness',
          'warn',
          'the Claude CLI holds fresher credentials than the store',
          'Run `oauth-recovery sync`.',
        );
      } else if (stored && read.credential.accessToken === stored.accessToken) {
        add('freshness', 'ok', 'the Claude CLI and the store share the same login');
      } else if (stored) {
        add('freshness', 'ok', "the store's credentials are at least as fresh as the Claude CLI's");
      }
      const blocked = await writeBackBlockedReason(cli, read, stored);
      if (blocked) {
        add(
          'cli.writeBack',
          'warn',
          `the Claude CLI shares the store's refresh token but its credentials cannot be written (${blocked}): oauth-recovery will not spend that token and waits for the CLI to refresh it (delegate mode)`,
          `Make ${cli.storageDir} and its .credentials.json writable for this user (or stop mounting it read-only).`,
        );
      }
    }
    if (cli.kind === 'file') {
      const cliStat = await statOrNull(cli.location).catch(() => null);
      if (cliStat && (cliStat.mode & 0o077) !== 0) {
        add(
          'cli.mode',
          'warn',
          `Claude CLI credentials mode is ${octal(cliStat.mode)}`,
          `chmod 600 '${cli.location}'`,
        );
      }
    }
  } catch (error) {
    const report = describeError(error);
    add(
      'cli',
      'error',
      `Claude CLI credentials unreadable: ${report.message}`,
      report.hint ?? 'Log in with `claude` again.',
    );
  }

  // Lock directories left behind by a dead process.
  const staleMs = options.lockStaleMs ?? DEFAULT_LOCK_STALE_MS;
  for (const [check, file] of [
    ['store.lock', config.storeUrl === null ? storeFile : undefined],
    ['cli.lock', cli.kind === 'file' ? cli.location : undefined],
  ] as const) {
    if (!file) continue;
    try {
      const lockPath = `${await resolveRealTarget(file)}.lock`;
      const shared = await checkSharedStorage(check.replace(/\.lock$/, ''), file, lockPath, staleMs, now());
      findings.push(...shared);
      if (shared.some((finding) => finding.check === check)) continue; // a foreign lock: reported above
      const lockStat = await statOrNull(lockPath);
      if (!lockStat) continue;
      const age = now() - lockStat.mtimeMs;
      if (age > staleMs) {
        add(
          check,
          'warn',
          `stale lock ${lockPath} (last refreshed ${formatDuration(age)} ago; its holder is gone)`,
          `It is taken over automatically; if no oauth-recovery process runs, remove it: rm -r '${lockPath}'`,
        );
      } else add(check, 'ok', `lock ${lockPath} is held by a running process`);
    } catch (error) {
      add(check, 'warn', `could not check the lock: ${describeError(error).message}`, null);
    }
  }

  // The endpoint answers (a bogus refresh token must be refused with 400).
  if (options.online && tokenUrl) {
    const client = createOAuthClient({ tokenUrl, timeoutMs: options.timeoutMs ?? 10_000 });
    try {
      await client.refresh(BOGUS_REFRESH_TOKEN);
      add(
        'online',
        'error',
        `${tokenUrl} accepted a bogus refresh token`,
        'Check --token-url: this is not Anthropic.',
      );
    } catch (error) {
      if (error instanceof RefreshError && error.status === 400) {
        add(
          'online',
          'ok',
          `${tokenUrl} answers (400 ${error.oauthError ?? 'error'} for a bogus token, as expected)`,
        );
      } else if (error instanceof RefreshError && error.status !== undefined) {
        add(
          'online',
          'error',
          `${tokenUrl} answered HTTP ${error.status} instead of 400`,
          'Check --token-url / OAUTH_RECOVERY_TOKEN_URL and any proxy in between.',
        );
      } else {
        add(
          'online',
          'error',
          `cannot reach ${tokenUrl}: ${describeError(error).message}`,
          'Check the network, DNS, proxy settings and --token-url.',
        );
      }
    }
  }
  return findings;
}
