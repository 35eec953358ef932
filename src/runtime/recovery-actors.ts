/**
 * The machine's three invoked actors, built on the real parts. Each works under the store's
 * cross-process lock and re-reads before it acts, so a rotation happens once however many
 * threads and processes notice the expiry; each returns metadata only (the raw credential
 * goes into the vault).
 *
 * - refreshToken (writeBack mode), in this order: a pair still waiting to be saved is saved
 *   first; the store is checked writable (nothing spent yet); the CLI's refresh locks; the
 *   store lock; re-read and adopt a token another process (or the CLI) refreshed; else spend
 *   the refresh token once (never one already spent) → the pair is live (vault, served);
 *   durable write to our store; release the store lock; CLI write-back under its
 *   `.storage-write.lock`; release the CLI locks. A failed save keeps the pair in memory and
 *   retries (see `rotation-guard.ts`). In delegate mode: nudge and re-read the CLI.
 * - syncFromCli: adopt the CLI's credential when it beats the stored one.
 * - retryPendingCalls: hand the new token to calls waiting for it and count re-rejections.
 */
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
import type { ClaudeCliReadResult, ClaudeCliSource } from '../credentials/claude-cli-source.js';
import { fingerprintToken } from '../credentials/fingerprint.js';
import { isCredentialFresher, isCredentialUsable } from '../credentials/freshness.js';
import type { OAuthCredential } from '../credentials/types.js';
import { RefreshError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { OAuthClient } from '../oauth/refresh-client.js';
import type { ProfileStore } from '../store/types.js';
import {
  CliWriteBackBlocked,
  DeadRefreshTokens,
  isRefreshableCliLogin,
  sharesRefreshToken,
  withCliRefreshLocks,
} from './cli-coordination.js';
import type { CredentialVault } from './credential-vault.js';
import type { FailureRecord } from './failure-record.js';
import { runNudgeCommand } from './nudge.js';
import type { RecoveryMode } from './options.js';
import type { PendingCalls } from './pending-calls.js';
import { RotationGuard, viewOf as view } from './rotation-guard.js';
import type { SaveRetry } from './save-retry.js';

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
  /** Retries the save of a rotated pair whose first save failed. */
  saver: SaveRetry;
  /** The last failure and dead-token flag, for the snapshot and `status`. */
  failures: FailureRecord;
  /** Counts token requests, for status and tests. */
  onTokenRequest?: () => void;
  /** Registers store work in flight (a refresh that spent its token must still be saved) for stop(). */
  track?: <T>(work: Promise<T>) => Promise<T>;
}

/** The machine's invoked actors for one runtime instance, as plain async functions. */
export type RecoveryActors = ReturnType<typeof createRecoveryActors>;

/** Builds the three actors (`refreshToken`, `syncFromCli`, `retryPendingCalls`) on the real parts. */
export function createRecoveryActors(deps: RecoveryActorDeps) {
  const { profileId, store, cli, vault, policy, now, logger } = deps;
  const track = deps.track ?? (<T>(work: Promise<T>) => work);
  const dead = new DeadRefreshTokens();
  const guard = new RotationGuard({ ...deps, dead });

  /** A credential we do not hold yet, good beyond the refresh window: someone else refreshed. */
  function isWinnersToken(stored: OAuthCredential | null, held: CredentialView | null): boolean {
    if (!stored || !isCredentialUsable(stored, now(), policy.freshnessMarginMs)) return false;
    if (stored.expiresAt - policy.refreshWindowMs <= now()) return false;
    return fingerprintToken(stored.accessToken) !== held?.fingerprint;
  }

  /** Writes the rotated pair back to the CLI (under its storage-write lock); never throws. */
  const writeBackToCli = (spent: string, rotated: OAuthCredential): Promise<void> =>
    guard.writeBackToCli(cli, spent, rotated);

  /** Spends `refreshToken` once (never a spent or refused one); the answer is in the vault. */
  const spend = (refreshToken: string): Promise<OAuthCredential> => guard.spend(refreshToken);

  /** A pair in the CLI's store that beats what we hold and the store has: someone refreshed. */
  function isCliWinner(
    read: ClaudeCliReadResult,
    stored: OAuthCredential | null,
    held: CredentialView | null,
  ) {
    if (read.status !== 'ok' || !isWinnersToken(read.credential, held)) return false;
    return isCredentialFresher(read.credential, stored, now(), policy.freshnessMarginMs);
  }

  /**
   * Lock order: the CLI's refresh locks, then our store lock (inside updateCredential). The
   * rotated pair is durable in our store before the CLI write-back, which runs after the store
   * lock is released, under the CLI's storage-write lock.
   */
  async function refreshInWriteBackMode(held: CredentialView | null): Promise<RefreshOutput> {
    // An unsaved pair is the live login: saved first, else refreshed from memory.
    const live = await guard.unsavedLogin();
    if (live) return guard.refreshFromMemory(cli, live);
    await guard.checkStoreWritable();
    try {
      return await withCliRefreshLocks(cli, logger, async (cliGuard) => {
        let owed: { spent: string; rotated: OAuthCredential } | null = null;
        let spentFor: { spent: string; rotated: OAuthCredential } | null = null;
        const result = await store
          .updateCredential(profileId, async (stored) => {
            if (stored && isWinnersToken(stored, held)) {
              vault.put(stored);
              logger.info({ event: 'adoptedWinner' }, 'another process already refreshed; adopted its token');
              return { write: null, result: view(stored, 'store') };
            }
            const cliRead = await cliGuard.read();
            if (isCliWinner(cliRead, stored, held) && cliRead.status === 'ok') {
              vault.put(cliRead.credential);
              logger.info(
                { event: 'adoptedCliWinner' },
                'the Claude CLI already refreshed; adopted its pair',
              );
              return { write: cliRead.credential, result: view(cliRead.credential, 'cli') };
            }
            if (!stored?.refreshToken) {
              throw new RefreshError('permanent', `no refresh token stored for profile ${profileId}`);
            }
            const shared = sharesRefreshToken(cliRead, stored.refreshToken);
            if (shared) {
              const blocked = await cliGuard.writeBackBlocked();
              if (blocked) throw new CliWriteBackBlocked(blocked);
            }
            const rotated = await spend(stored.refreshToken);
            spentFor = { spent: stored.refreshToken, rotated };
            if (shared) owed = spentFor;
            return { write: rotated, result: view(rotated, 'refresh'), replacesSpent: stored.refreshToken };
          })
          .catch((error: unknown) => {
            // The endpoint answered, the save failed: the pair is live; keep it and retry the save.
            const kept = spentFor as { spent: string; rotated: OAuthCredential } | null;
            if (!kept) throw error;
            return guard.keepUnsaved(kept.rotated, kept.spent, error);
          });
        const due = owed as { spent: string; rotated: OAuthCredential } | null;
        if (due) await writeBackToCli(due.spent, due.rotated);
        return result;
      });
    } catch (error) {
      if (!(error instanceof CliWriteBackBlocked)) throw error;
      // Spending the pair the CLI holds would leave the CLI with a dead token: delegate instead.
      logger.warn(
        { event: 'cliWriteBackBlocked', reason: error.reason },
        'the Claude CLI credentials cannot be written; not spending the shared refresh token (delegate mode)',
      );
      return refreshInDelegateMode(held, error.reason);
    }
  }

  /**
   * Never spends the CLI's refresh token: nudges the CLI, then re-reads it. The read happens
   * under the CLI's refresh locks (when they can be taken), so it sees the result of a refresh
   * in progress rather than the state before it; nothing is written to the CLI's store.
   */
  async function refreshInDelegateMode(
    held: CredentialView | null,
    blocked?: string,
  ): Promise<RefreshOutput> {
    await runNudgeCommand(deps.nudgeCommand, deps.nudgeTimeoutMs, logger);
    const synced = await withCliRefreshLocks(cli, logger, () => adoptFromCli(held));
    if (synced.status === 'adopted' && synced.credential) return synced.credential;
    const stored = await store.readCredential(profileId);
    if (stored && isWinnersToken(stored, held)) {
      vault.put(stored);
      return view(stored, 'store');
    }
    throw new RefreshError(
      'permanent',
      blocked
        ? `the Claude CLI's credentials cannot be written (${blocked}), so the refresh token they share is not spent; waiting for the CLI to refresh (delegate mode)`
        : 'delegate mode: the Claude CLI has no fresher credential to re-read',
    );
  }

  /** Adopts the CLI's credential when it beats the stored one; with no CLI, a fresher stored one. */
  async function adoptFromCli(held: CredentialView | null): Promise<SyncOutput> {
    const read = cli ? await cli.read() : null;
    if (read && read.status !== 'ok') return { status: read.status, credential: null };
    const candidate = read?.credential;
    return store.updateCredential<SyncOutput>(profileId, (stored) => {
      if (candidate && isCredentialFresher(candidate, stored, now(), policy.freshnessMarginMs)) {
        vault.put(candidate);
        return { write: candidate, result: { status: 'adopted', credential: view(candidate, 'cli') } };
      }
      // Another process (or host) synced or refreshed first: adopt what the store has if it beats ours.
      if (stored && isFresher(view(stored, 'store'), held, now(), policy.freshnessMarginMs)) {
        vault.put(stored);
        return { write: null, result: { status: 'adopted', credential: view(stored, 'store') } };
      }
      if (!candidate) return { write: null, result: { status: 'missing', credential: null } };
      return { write: null, result: { status: 'notFresher', credential: view(candidate, 'cli') } };
    });
  }

  /**
   * Adopts the CLI's credential when it beats ours; in writeBack mode, also a CLI login whose
   * access token expired (or has no `expiresAt`) but whose refresh token is live while ours is
   * dead: that login is refreshed under the CLI's protocol and written back.
   */
  async function syncFromCli(held: CredentialView | null): Promise<SyncOutput> {
    const synced = await adoptFromCli(held);
    if (synced.status !== 'notFresher' || deps.mode !== 'writeBack') return synced;
    return refreshCliLogin(synced);
  }

  async function refreshCliLogin(notFresher: SyncOutput): Promise<SyncOutput> {
    let owed: { spent: string; rotated: OAuthCredential } | null = null;
    const result = await withCliRefreshLocks(cli, logger, async (cliGuard) => {
      let spentFor: { spent: string; rotated: OAuthCredential } | null = null;
      const synced = await store
        .updateCredential<SyncOutput>(profileId, async (stored) => {
          const cliRead = await cliGuard.read();
          if (cliRead.status !== 'ok') return { write: null, result: notFresher };
          const candidate = cliRead.credential;
          // Someone refreshed it while we waited for the locks: adopt, no request.
          if (isCredentialFresher(candidate, stored, now(), policy.freshnessMarginMs)) {
            vault.put(candidate);
            return { write: candidate, result: { status: 'adopted', credential: view(candidate, 'cli') } };
          }
          const oursUnusable = !isCredentialUsable(stored, now(), policy.freshnessMarginMs);
          if (!isRefreshableCliLogin(candidate, stored, oursUnusable, dead))
            return { write: null, result: notFresher };
          const blocked = await cliGuard.writeBackBlocked();
          if (blocked) {
            logger.warn(
              { event: 'cliWriteBackBlocked', reason: blocked },
              "not refreshing the Claude CLI's login: its credentials cannot be written",
            );
            return { write: null, result: notFresher };
          }
          let rotated: OAuthCredential;
          try {
            rotated = await spend(candidate.refreshToken);
          } catch (error) {
            if (error instanceof RefreshError && error.kind === 'permanent')
              return { write: null, result: notFresher };
            throw error;
          }
          owed = { spent: candidate.refreshToken, rotated };
          spentFor = owed;
          logger.info({ event: 'refreshedCliLogin' }, "refreshed the Claude CLI's expired login");
          // Our stored pair is dead (refused) or expired: the rotated pair replaces it.
          const replacesSpent = stored && dead.has(stored.refreshToken) ? stored.refreshToken : undefined;
          return {
            write: rotated,
            result: { status: 'adopted', credential: view(rotated, 'refresh') },
            ...(replacesSpent ? { replacesSpent } : {}),
          };
        })
        .catch((error: unknown): SyncOutput => {
          const kept = spentFor as { spent: string; rotated: OAuthCredential } | null;
          if (!kept) throw error;
          return { status: 'adopted', credential: guard.keepUnsaved(kept.rotated, kept.spent, error) };
        });
      const due = owed as { spent: string; rotated: OAuthCredential } | null;
      if (due) await writeBackToCli(due.spent, due.rotated);
      return synced;
    });
    return result;
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
