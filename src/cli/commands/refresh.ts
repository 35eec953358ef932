/**
 * `oauth-recovery refresh`: refresh now through the runtime, exactly as an agent would: under
 * the store lock, adopting a token another process already refreshed, syncing from the Claude
 * CLI when the refresh token is dead. Prints the new fingerprint and expiry.
 * Exit 4 when the profile is (or ends up) cooling down after an earlier failure, 3 when the
 * refresh token is dead and the CLI has nothing fresher (log in) or there is no login at all
 * (nothing is written then), 1 on endpoint trouble or a store it cannot write (checked before
 * anything is spent). Every token request is logged before it
 * is sent and every failure with its reason, so a silent endpoint is never a silent minute.
 */
import type { Command } from 'commander';
import { CooldownError, LoginRequiredError, OAuthRecoveryError, RefreshError } from '../../errors.js';
import type { AuthRecovery, AuthRecoverySnapshot } from '../../runtime/index.js';
import { openCliStore } from '../cli-store.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { formatDuration, formatTime } from '../format.js';
import { rethrowOneShotStoreError } from '../one-shot-store-error.js';
import { readProfile } from '../profile-report.js';
import type { CliRunner } from '../program.js';
import { createCliAuthRecovery, createCliOAuthClient } from '../runtime.js';
import { describeRefreshFailure } from '../token-request-log.js';

interface RefreshOptions {
  /** Seconds each token request may take (string from commander). */
  timeout?: string;
}

function parseTimeoutMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) {
    throw new UsageError(
      `--timeout must be a number of seconds greater than 0 and at most 600 (got "${value}")`,
    );
  }
  return Math.round(seconds * 1000);
}

/**
 * The rotated pair could not be saved (disk full, read-only, permissions): `stop()` makes one
 * last attempt; if that fails too, this process is the pair's only holder and is about to exit,
 * so say so (exit 1) instead of "refreshed".
 *
 * @throws {OAuthRecoveryError} (`STORE_WRITE`) naming the store error, path and errno.
 */
async function failIfUnsaved(auth: AuthRecovery): Promise<void> {
  if (auth.getSnapshot().lastFailure?.kind !== 'store') return;
  await auth.stop();
  const failure = auth.getSnapshot().lastFailure;
  if (failure?.kind !== 'store') return;
  throw new OAuthRecoveryError(
    'STORE_WRITE',
    `${failure.message}; the token endpoint already rotated the login, so the new pair exists only in this exiting process (and in the Claude CLI's file if it shares the login) and the stored one is spent`,
    {
      hint: 'Free space or make the store writable, then `oauth-recovery sync` (adopts the pair if the Claude CLI got it) or log in with `claude`; `oauth-recovery watch` keeps such a pair in memory and retries the save.',
    },
  );
}

export function registerRefreshCommand(program: Command, runner: CliRunner): void {
  program
    .command('refresh')
    .description("refresh now, through the lock, adopting another process's fresh token")
    .option('--timeout <seconds>', 'how long each token request may take (default 15)')
    .action(
      runner.action<RefreshOptions>(async ({ config, output, logger }, options) => {
        const timeoutMs = parseTimeoutMs(options.timeout);
        // Configuration first: an insecure or foreign token URL is a usage error (exit 2) even
        // on a home with no login, so the operator fixes the command line before logging in.
        const oauthClient = createCliOAuthClient(config, logger(), timeoutMs);
        // No login anywhere: say so, and create nothing (no store file, no directory, no lock).
        const readings = await readProfile(config, Date.now);
        if (readings.credential === null && readings.cli.status !== 'ok') {
          const cliState =
            readings.cli.status === 'blank'
              ? 'is logged out (blank credentials)'
              : readings.cli.status === 'error'
                ? 'has unreadable credentials'
                : 'has no credentials';
          const storeState = readings.storeExists
            ? `has no oauth profile ${config.profileId}`
            : 'does not exist';
          throw new LoginRequiredError(
            `no credentials to refresh: the store ${config.storePath} ${storeState} and the Claude CLI ${cliState} at ${readings.cliPath}`,
          );
        }
        const auth = createCliAuthRecovery(config, logger(), { watchCli: false, oauthClient });
        // What went wrong on the way, kept before a later step overwrites `lastError`.
        const failures = new Map<string, string | null>();
        auth.subscribe((snapshot: AuthRecoverySnapshot) => {
          if (snapshot.lastError && !failures.has(snapshot.lastError)) {
            failures.set(snapshot.lastError, snapshot.lastErrorMessage);
          }
        });
        const started = Date.now();
        let startAttempted = false;
        try {
          // A persisted cooldown: say so without starting the machine, writing or requesting anything.
          const opened = openCliStore(config);
          try {
            const usage = await opened.store.readUsage(config.profileId);
            if (usage.cooldownUntil !== undefined)
              throw new CooldownError(config.profileId, usage.cooldownUntil);
            // A file store that could not take the answer (or even the lock): say so before the
            // refresh token is spent, naming the path and errno (exit 1), not the endpoint.
            if (opened.redis === null)
              await opened.store
                .checkWritable?.()
                .catch((error: unknown) =>
                  rethrowOneShotStoreError(
                    error,
                    'Nothing was requested or written; run `oauth-recovery refresh` again afterwards.',
                  ),
                );
          } finally {
            await opened.close();
          }
          startAttempted = true;
          await auth.start();
          const before = auth.getSnapshot();
          if (before.state === 'cooldown') {
            throw new CooldownError(config.profileId, before.cooldownUntil ?? Date.now());
          }
          await auth.refresh();
          await failIfUnsaved(auth);
          const after = auth.getSnapshot();
          const credential = after.credential;
          const how =
            credential?.source === 'refresh'
              ? 'refreshed'
              : credential?.source === 'cli'
                ? "adopted the Claude CLI's fresher credentials"
                : 'adopted the token another process had just refreshed';
          if (output.json) {
            output.result({
              ok: true,
              profileId: config.profileId,
              how: credential?.source ?? null,
              fingerprint: credential?.fingerprint ?? null,
              expiresAt: credential?.expiresAt ?? null,
              previousFingerprint: before.credential?.fingerprint ?? null,
              tokenRequests: after.tokenRequests,
              durationMs: Date.now() - started,
            });
          } else {
            output.line(`${how}: ${config.profileId}`);
            output.line(
              `fingerprint  ${credential?.fingerprint ?? '-'} (was ${before.credential?.fingerprint ?? 'none'})`,
            );
            output.line(
              `expires      ${formatTime(credential?.expiresAt)} (in ${formatDuration((credential?.expiresAt ?? 0) - Date.now())})`,
            );
          }
          return ExitCode.ok;
        } catch (error) {
          const failedNow = error instanceof CooldownError || error instanceof RefreshError;
          if (!failedNow || failures.size === 0) throw error;
          // This run's own recovery failed (a cooldown from before is CooldownError, exit 4). It
          // ends in a cooldown, or, while the current token still works, back in valid with it.
          const until =
            error instanceof CooldownError
              ? `is cooling down until ${formatTime(error.until)}`
              : `keeps its current token until ${formatTime(auth.getSnapshot().credential?.expiresAt)}`;
          const last = oauthClient.lastFailure();
          const requests = oauthClient.requests();
          if (failures.has('transient')) {
            const why = last ? last.message : (failures.get('transient') ?? 'transient errors');
            throw new RefreshError(
              'transient',
              `the token endpoint kept failing (${why}) after ${requests} request${requests === 1 ? '' : 's'}; ${config.profileId} ${until}`,
              last
                ? {
                    httpStatus: last.httpStatus,
                    oauthError: last.oauthError,
                    contentType: last.contentType,
                    causeCode: last.causeCode,
                  }
                : undefined,
            );
          }
          if (failures.has('unreadable')) {
            throw new OAuthRecoveryError(
              'CREDENTIAL_PARSE',
              `the refresh failed and the Claude CLI's credentials are unreadable (${failures.get('unreadable') ?? 'unreadable'}); ${config.profileId} ${until}`,
              { hint: 'Run `oauth-recovery doctor` to see what is wrong with the file.' },
            );
          }
          const said = last?.kind === 'permanent' ? ` (${describeRefreshFailure(last)})` : '';
          throw new LoginRequiredError(
            `the refresh token was rejected${said} and the Claude CLI has nothing fresher; ${config.profileId} ${until}`,
          );
        } finally {
          if (startAttempted) await auth.stop();
        }
      }),
    );
}
