/**
 * `oauth-recovery sync`: adopt the Claude CLI's credentials into the store when they are
 * fresher (exit 0), by the same rule and under the same lock as the runtime. When the CLI holds
 * the same login as the store and it still works, say "already current" (exit 0). Otherwise exit
 * 3. Either way without an adoption nothing is written: the store stays byte-identical, no lock is
 * taken, no directory created. Adopting also clears a persisted cooldown and last failure, so the
 * next agent start does not wait it out and `status` stops asking for a login, and says so when the write tightened the store's file mode (e.g. 0644 → 0600).
 */
import type { Command } from 'commander';
import { fingerprintToken } from '../../credentials/fingerprint.js';
import { isCredentialFresher, isCredentialUsable } from '../../credentials/freshness.js';
import type { OAuthCredential } from '../../credentials/types.js';
import { LoginRequiredError } from '../../errors.js';
import { openCliStore } from '../cli-store.js';
import { ExitCode } from '../exit-codes.js';
import { modeChange, readFileMode } from '../file-mode.js';
import { formatTime } from '../format.js';
import { rethrowOneShotStoreError } from '../one-shot-store-error.js';
import { createCliSourceFor } from '../profile-report.js';
import type { CliRunner } from '../program.js';

function meta(credential: OAuthCredential | null): { fingerprint: string; expiresAt: number } | null {
  return credential
    ? { fingerprint: fingerprintToken(credential.accessToken), expiresAt: credential.expiresAt }
    : null;
}

export function registerSyncCommand(program: Command, runner: CliRunner): void {
  program
    .command('sync')
    .description("adopt the Claude CLI's credentials if they are fresher (exit 3 and no write otherwise)")
    .action(
      runner.action(async ({ config, output }) => {
        const now = Date.now;
        const cli = createCliSourceFor(config, now);
        const read = await cli.read();
        if (read.status !== 'ok') {
          throw new LoginRequiredError(
            `the Claude CLI has no credentials to adopt (${read.status === 'blank' ? 'logged out: blank credentials' : 'not logged in'}) at ${cli.location}`,
          );
        }
        const candidate = read.credential;
        const opened = openCliStore(config, now);
        const { store } = opened;
        try {
          const stored = await store.readCredential(config.profileId);
          if (stored && stored.accessToken === candidate.accessToken && isCredentialUsable(stored, now())) {
            const current = meta(stored)!;
            if (output.json) {
              output.result({
                ok: true,
                adopted: false,
                alreadyCurrent: true,
                profileId: config.profileId,
                fingerprint: current.fingerprint,
                expiresAt: current.expiresAt,
                store: { path: store.location },
                cli: { path: cli.location },
              });
            } else {
              output.line(
                `already current: the store's ${config.profileId} is the Claude CLI's login (fingerprint ${current.fingerprint}, expires ${formatTime(current.expiresAt)}); nothing was written`,
              );
            }
            return ExitCode.ok;
          }
          if (stored && stored.accessToken === candidate.accessToken) {
            throw new LoginRequiredError(
              'nothing fresher: the Claude CLI holds the same login as the store, and it has expired; nothing was written',
              'Run `claude` and log in again, then `oauth-recovery sync`.',
            );
          }
          if (!isCredentialFresher(candidate, stored, now())) {
            throw new LoginRequiredError(
              `nothing fresher: the Claude CLI's credentials (expires ${formatTime(candidate.expiresAt)}) do not beat the store's (expires ${formatTime(stored?.expiresAt)}); nothing was written`,
              'If the login is dead, run `claude` and log in again, then `oauth-recovery sync`.',
            );
          }
          const modeBefore = await readFileMode(store.location);
          // A store it cannot write gets the fix for a one-shot sync (nothing is kept in memory).
          const syncAgain =
            'The Claude CLI still holds its login: run `oauth-recovery sync` again afterwards.';
          // Re-checked under the lock: another process may have written meanwhile.
          const previous = await store
            .updateCredential(config.profileId, (current) =>
              isCredentialFresher(candidate, current, now())
                ? { write: candidate, result: { adopted: true, previous: current } }
                : { write: null, result: { adopted: false, previous: current } },
            )
            .catch((error: unknown) => rethrowOneShotStoreError(error, syncAgain));
          if (!previous.adopted) {
            throw new LoginRequiredError('nothing fresher: another process updated the store first');
          }
          // A new login: the old one's cooldown and failure no longer apply (status stops asking for a login).
          await store
            .recordUsage(config.profileId, {
              cooldownUntil: null,
              errorCount: 0,
              lastFailure: null,
              refreshTokenDead: null,
            })
            .catch((error: unknown) => rethrowOneShotStoreError(error, syncAgain));
          const fileMode = modeChange(modeBefore, await readFileMode(store.location));
          const adopted = meta(candidate)!;
          const before = meta(previous.previous);
          if (output.json) {
            output.result({
              ok: true,
              adopted: true,
              profileId: config.profileId,
              fingerprint: adopted.fingerprint,
              expiresAt: adopted.expiresAt,
              previous: before,
              store: { path: store.location, modeChanged: fileMode },
              cli: { path: cli.location },
            });
          } else {
            output.line(
              `adopted the Claude CLI's credentials into ${config.profileId}: fingerprint ${adopted.fingerprint}, expires ${formatTime(adopted.expiresAt)}`,
            );
            output.line(
              before
                ? `replaced fingerprint ${before.fingerprint} (expires ${formatTime(before.expiresAt)})`
                : 'the profile had no credential before',
            );
            if (fileMode) {
              output.line(
                `tightened ${store.location} from mode ${fileMode.from} to ${fileMode.to} (it holds tokens; our writes are always ${fileMode.to})`,
              );
            }
          }
          return ExitCode.ok;
        } finally {
          await opened.close();
        }
      }),
    );
}
