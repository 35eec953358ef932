/**
 * The machine's three invoked actors, built on the real parts. Each works under the store's
 * cross-process lock and re-reads before it acts, so a rotation happens once however many
 * threads and processes notice the expiry; each returns metadata only (the raw credential
 * goes into the vault).
 *
 * - refreshToken: adopt a token another process already refreshed, else spend the refresh
 *   token once, save atomically, and write the rotated pair back to the CLI when the CLI
 *   held the pair we just spent (writeBack mode); in delegate mode, nudge and re-read the CLI.
 * - syncFromCli: adopt the CLI's credential when it beats the stored one.
 * - retryPendingCalls: hand the new token to calls waiting for it and count re-rejections.
 */
import { execFile } from 'node:child_process';
import {
  type CredentialActorInput,
  type CredentialView,
  isFresher,
  type RecoveryPolicy,
  type RefreshOutput,
  type RetryInput,
  type RetryOutput,
  type SyncOutput,
} from '../../machines/index.js';
import type { ClaudeCliSource } from '../credentials/claude-cli-source.js';
import { fingerprintToken } from '../credentials/fingerprint.js';
import { isCredentialFresher, isCredentialUsable } from '../credentials/freshness.js';
import type { CredentialOrigin, OAuthCredential } from '../credentials/types.js';
import { RefreshError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { OAuthClient } from '../oauth/refresh-client.js';
import type { ProfileStore } from '../store/types.js';
import type { CredentialVault } from './credential-vault.js';
import type { RecoveryMode } from './options.js';
import type { PendingCalls } from './pending-calls.js';

export interface RecoveryActorDeps {
  profileId: string;
  store: ProfileStore;
  cli: ClaudeCliSource | null;
  oauth: OAuthClient;
  vault: CredentialVault;
  pending: PendingCalls;
  policy: RecoveryPolicy;
  mode: RecoveryMode;
  nudgeCommand: readonly string[] | undefined;
  nudgeTimeoutMs: number;
  now: () => number;
  logger: Logger;
  /** Counts token requests, for status and tests. */
  onTokenRequest?: () => void;
  /** Registers store work in flight (a refresh that spent its token must still be saved) for stop(). */
  track?: <T>(work: Promise<T>) => Promise<T>;
}

function view(credential: OAuthCredential, source: CredentialOrigin): CredentialView {
  return { fingerprint: fingerprintToken(credential.accessToken), expiresAt: credential.expiresAt, source };
}

/** The machine's invoked actors for one runtime instance, as plain async functions. */
export type RecoveryActors = ReturnType<typeof createRecoveryActors>;

export function createRecoveryActors(deps: RecoveryActorDeps) {
  const { profileId, store, cli, vault, policy, now, logger } = deps;
  const track = deps.track ?? (<T>(work: Promise<T>) => work);

  /** A stored credential we do not hold yet, good beyond the refresh window: someone else refreshed. */
  function isWinnersToken(stored: OAuthCredential | null, held: CredentialView | null): boolean {
    if (!stored || !isCredentialUsable(stored, now(), policy.freshnessMarginMs)) return false;
    if (stored.expiresAt - policy.refreshWindowMs <= now()) return false;
    return fingerprintToken(stored.accessToken) !== held?.fingerprint;
  }

  async function writeBackToCli(spent: string, rotated: OAuthCredential): Promise<void> {
    if (!cli) return;
    try {
      const read = await cli.read();
      // Only when the CLI holds the pair we just killed: otherwise it has a login of its own.
      if (read.status === 'ok' && read.credential.refreshToken === spent) {
        await cli.writeBack(rotated, { replacesSpent: spent });
        logger.info(
          { event: 'cliWriteBack', cli: cli.location },
          'wrote the rotated pair back to the Claude CLI',
        );
      }
    } catch (error) {
      // The store already has the new pair; the CLI will recover through its own login.
      logger.warn(
        { event: 'cliWriteBackFailed', err: error },
        'could not write the rotated pair back to the CLI',
      );
    }
  }

  async function refreshInWriteBackMode(held: CredentialView | null): Promise<RefreshOutput> {
    return store.updateCredential(profileId, async (stored) => {
      if (stored && isWinnersToken(stored, held)) {
        vault.put(stored);
        logger.info({ event: 'adoptedWinner' }, 'another process already refreshed; adopted its token');
        return { write: null, result: view(stored, 'store') };
      }
      if (!stored?.refreshToken) {
        throw new RefreshError('permanent', `no refresh token stored for profile ${profileId}`);
      }
      deps.onTokenRequest?.();
      const rotated = await deps.oauth.refresh(stored.refreshToken);
      vault.put(rotated);
      await writeBackToCli(stored.refreshToken, rotated);
      return { write: rotated, result: view(rotated, 'refresh'), replacesSpent: stored.refreshToken };
    });
  }

  async function runNudge(): Promise<void> {
    const [command, ...args] = deps.nudgeCommand ?? [];
    if (!command) return;
    await new Promise<void>((resolve) => {
      execFile(command, args, { timeout: deps.nudgeTimeoutMs, windowsHide: true }, (error) => {
        // A failing nudge is not fatal: the re-read below tells whether it helped.
        if (error) logger.warn({ event: 'nudgeFailed', command, code: error.code }, 'nudge command failed');
        resolve();
      });
    });
  }

  async function refreshInDelegateMode(held: CredentialView | null): Promise<RefreshOutput> {
    await runNudge();
    const synced = await syncFromCli(held);
    if (synced.status === 'adopted' && synced.credential) return synced.credential;
    const stored = await store.readCredential(profileId);
    if (stored && isWinnersToken(stored, held)) {
      vault.put(stored);
      return view(stored, 'store');
    }
    throw new RefreshError('permanent', 'delegate mode: the Claude CLI has no fresher credential to re-read');
  }

  async function syncFromCli(held: CredentialView | null): Promise<SyncOutput> {
    if (!cli) return { status: 'missing', credential: null };
    const read = await cli.read();
    if (read.status !== 'ok') return { status: read.status, credential: null };
    const candidate = read.credential;
    return store.updateCredential<SyncOutput>(profileId, (stored) => {
      if (isCredentialFresher(candidate, stored, now(), policy.freshnessMarginMs)) {
        vault.put(candidate);
        return { write: candidate, result: { status: 'adopted', credential: view(candidate, 'cli') } };
      }
      // Another process may have synced (or refreshed) first: adopt what the store has if it beats ours.
      if (stored && isFresher(view(stored, 'store'), held, now(), policy.freshnessMarginMs)) {
        vault.put(stored);
        return { write: null, result: { status: 'adopted', credential: view(stored, 'store') } };
      }
      return { write: null, result: { status: 'notFresher', credential: view(candidate, 'cli') } };
    });
  }

  return {
    refreshToken: (input: CredentialActorInput): Promise<RefreshOutput> =>
      track(
        deps.mode === 'delegate'
          ? refreshInDelegateMode(input.credential)
          : refreshInWriteBackMode(input.credential),
      ),
    syncFromCli: (input: CredentialActorInput): Promise<SyncOutput> => track(syncFromCli(input.credential)),
    retryPendingCalls: async (input: RetryInput): Promise<RetryOutput> => {
      const credential = vault.get(input.credential?.fingerprint);
      if (!credential) return { rejected: 0 };
      const { rejected } = await deps.pending.releaseForRetry(credential.accessToken);
      return { rejected };
    },
  };
}
