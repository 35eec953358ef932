/**
 * `oauth-recovery refresh`: refresh now through the runtime, exactly as an agent would: under
 * the store lock, adopting a token another process already refreshed, syncing from the Claude
 * CLI when the refresh token is dead. Prints the new fingerprint and expiry.
 * Exit 4 when the profile is (or ends up) cooling down after an earlier failure, 3 when the
 * refresh token is dead and the CLI has nothing fresher (log in), 1 on endpoint trouble.
 */
import type { Command } from 'commander';
import { CooldownError, OAuthRecoveryError, RefreshError } from '../../errors.js';
import type { AuthRecoverySnapshot } from '../../runtime/index.js';
import { createFileProfileStore } from '../../store/file-profile-store.js';
import { ExitCode, NothingFresherError } from '../exit-codes.js';
import { formatDuration, formatTime } from '../format.js';
import type { CliRunner } from '../program.js';
import { createCliAuthRecovery } from '../runtime.js';

export function registerRefreshCommand(program: Command, runner: CliRunner): void {
  program
    .command('refresh')
    .description("refresh now, through the lock, adopting another process's fresh token")
    .action(
      runner.action(async ({ config, output, logger }) => {
        const auth = createCliAuthRecovery(config, logger(), { watchCli: false });
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
          const usage = await createFileProfileStore({ path: config.storePath }).readUsage(config.profileId);
          if (usage.cooldownUntil !== undefined)
            throw new CooldownError(config.profileId, usage.cooldownUntil);
          startAttempted = true;
          await auth.start();
          const before = auth.getSnapshot();
          if (before.state === 'cooldown') {
            throw new CooldownError(config.profileId, before.cooldownUntil ?? Date.now());
          }
          await auth.refresh();
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
          if (failures.has('transient')) {
            throw new RefreshError(
              'transient',
              `the token endpoint kept failing (${failures.get('transient') ?? 'transient errors'}); ${config.profileId} ${until}`,
            );
          }
          if (failures.has('unreadable')) {
            throw new OAuthRecoveryError(
              'CREDENTIAL_PARSE',
              `the refresh failed and the Claude CLI's credentials are unreadable (${failures.get('unreadable') ?? 'unreadable'}); ${config.profileId} ${until}`,
              { hint: 'Run `oauth-recovery doctor` to see what is wrong with the file.' },
            );
          }
          throw new NothingFresherError(
            `the refresh token was rejected and the Claude CLI has nothing fresher; ${config.profileId} ${until}`,
          );
        } finally {
          if (startAttempted) await auth.stop();
        }
      }),
    );
}
