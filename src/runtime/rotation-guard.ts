/**
 * Rotation safety for the refresh paths of `recovery-actors.ts`: from the endpoint's 200 the
 * rotated pair is the live login.
 *
 * - Before a spend: a pair still waiting to be saved is saved first (or, if the store still
 *   refuses, refreshed from memory), and the store is checked writable, so nothing is spent
 *   whose answer could not be stored.
 * - The spend: a refresh token this process already spent (or saw refused) is never sent
 *   again; a rotated one joins that set the moment the answer arrives; the pair goes into the
 *   vault at once, and every failure is recorded for the snapshot and `status`.
 * - After a spend whose durable save failed: the pair is kept and served from memory while
 *   `SaveRetry` retries the save.
 */
import type { CredentialView, RecoveryPolicy } from '../../machines/index.js';
import type { ClaudeCliSource } from '../credentials/claude-cli-source.js';
import { fingerprintToken } from '../credentials/fingerprint.js';
import { isCredentialUsable } from '../credentials/freshness.js';
import type { OAuthCredential } from '../credentials/types.js';
import { RefreshError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { OAuthClient } from '../oauth/refresh-client.js';
import type { ProfileStore } from '../store/types.js';
import { type DeadRefreshTokens, withCliRefreshLocks } from './cli-coordination.js';
import type { CredentialVault } from './credential-vault.js';
import type { FailureRecord } from './failure-record.js';
import type { SaveRetry } from './save-retry.js';

/** What the guard needs. */
export interface RotationGuardDeps {
  profileId: string;
  store: ProfileStore;
  oauth: OAuthClient;
  vault: CredentialVault;
  policy: RecoveryPolicy;
  /** Epoch-ms clock. */
  now: () => number;
  logger: Logger;
  /** Refresh tokens spent or refused: never sent again. */
  dead: DeadRefreshTokens;
  saver: SaveRetry;
  failures: FailureRecord;
  /** Counts token requests, for status and tests. */
  onTokenRequest?: () => void;
}

/** The metadata the machine holds of `credential`. */
export function viewOf(credential: OAuthCredential, source: CredentialView['source']): CredentialView {
  return { fingerprint: fingerprintToken(credential.accessToken), expiresAt: credential.expiresAt, source };
}

/** Rotation safety around one runtime's spends and saves. */
export class RotationGuard {
  constructor(private readonly deps: RotationGuardDeps) {}

  /** Usable and outside the refresh window: no refresh needed yet. */
  isGoodForNow(credential: OAuthCredential): boolean {
    const { now, policy } = this.deps;
    return (
      isCredentialUsable(credential, now(), policy.freshnessMarginMs) &&
      credential.expiresAt - policy.refreshWindowMs > now()
    );
  }

  /**
   * The live pair that is still not in the store after one more save attempt, or undefined
   * (nothing was pending, or it is saved now).
   */
  async unsavedLogin(): Promise<OAuthCredential | undefined> {
    const live = this.deps.saver.pending;
    if (!live) return undefined;
    return (await this.deps.saver.flush()) ? undefined : live;
  }

  /**
   * Checks the store could take the answer, before anything is spent.
   *
   * @throws {StoreError} when it could not (recorded as the last failure).
   */
  async checkStoreWritable(): Promise<void> {
    try {
      await this.deps.store.checkWritable?.();
    } catch (error) {
      this.deps.failures.record(error, { kind: 'store' });
      throw error;
    }
  }

  /**
   * Sends `refreshToken` once and returns the answer, already in the vault.
   *
   * @throws {RefreshError} when the endpoint refused or failed, or (without a request) when
   *   this token was spent or refused before.
   */
  async spend(refreshToken: string): Promise<OAuthCredential> {
    const { dead, failures, vault } = this.deps;
    // Known dead here, or recorded dead by an earlier process (`usageStats[…].deadRefreshToken`).
    if (dead.has(refreshToken) || failures.isKnownDead(refreshToken)) {
      const error = new RefreshError(
        'permanent',
        `the refresh token of ${this.deps.profileId} was already spent or refused; it is not sent again`,
      );
      // The server's own word on it (e.g. HTTP 400 invalid_grant) stays the last failure shown.
      if (!(failures.refreshTokenDead && failures.lastFailure?.kind === 'permanent'))
        failures.record(error, { refreshTokenDead: true, deadToken: refreshToken });
      throw error;
    }
    let credential: OAuthCredential;
    let sent = false;
    try {
      // A fleet store records the spend, and refuses a token the fleet already knows is dead.
      await this.deps.store.beforeSpend?.(this.deps.profileId, refreshToken);
      sent = true;
      this.deps.onTokenRequest?.();
      credential = await this.deps.oauth.refresh(refreshToken);
    } catch (error) {
      // A refusal kills the token; so does a 200 we could not use (the server rotated it).
      const killed =
        error instanceof RefreshError && (error.kind === 'permanent' || error.httpStatus === 200);
      if (killed) dead.add(refreshToken);
      // The whole fleet learns it, on every refresh path (ours, or the CLI's login).
      if (killed && sent) await this.deps.store.spendRefused?.(this.deps.profileId, refreshToken);
      failures.record(error, { refreshTokenDead: killed, deadToken: refreshToken });
      throw error;
    }
    if (credential.refreshToken !== refreshToken) dead.add(refreshToken);
    vault.put(credential);
    return credential;
  }

  /**
   * Writes `rotated` back to the CLI after our store has it (the CLI's storage-write lock and
   * compare-and-swap on `spent` are inside `cli.writeBack`). Never throws: a failed write-back
   * is logged and the CLI keeps its own login.
   */
  async writeBackToCli(cli: ClaudeCliSource | null, spent: string, rotated: OAuthCredential): Promise<void> {
    if (!cli) return;
    const { logger } = this.deps;
    try {
      const outcome = await cli.writeBack(rotated, { replacesSpent: spent });
      logger.info(
        { event: 'cliWriteBack', cli: cli.location, outcome },
        'wrote the rotated pair back to the Claude CLI',
      );
    } catch (error) {
      logger.warn(
        { event: 'cliWriteBackFailed', err: error },
        'could not write the rotated pair back to the CLI',
      );
    }
  }

  /**
   * The store still cannot be written and `live` (memory only) is due: refresh it under the
   * CLI's refresh locks, without the store lock, and keep the new pair the same way.
   */
  async refreshFromMemory(cli: ClaudeCliSource | null, live: OAuthCredential): Promise<CredentialView> {
    if (this.isGoodForNow(live)) return viewOf(live, 'refresh');
    return withCliRefreshLocks(cli, this.deps.logger, async () => {
      const rotated = await this.spend(live.refreshToken);
      this.keepUnsaved(rotated, live.refreshToken, new Error('the store is still not writable'));
      await this.writeBackToCli(cli, live.refreshToken, rotated);
      return viewOf(rotated, 'refresh');
    });
  }

  /**
   * The durable save of `rotated` (got by spending `spent`) failed with `error`: keep serving
   * it from memory and retry the save. Returns what the machine holds.
   */
  keepUnsaved(rotated: OAuthCredential, spent: string, error: unknown): CredentialView {
    this.deps.logger.warn(
      { event: 'saveFailed', err: error, store: this.deps.store.location },
      'could not save the rotated pair; serving it from memory and retrying the save',
    );
    this.deps.saver.hold(rotated, spent, error);
    return viewOf(rotated, 'refresh');
  }
}
