/** The API an agent runtime embeds: what `createAuthRecovery(options)` returns. */
import type { RecoveryEmitted } from '../../machines/index.js';
import type { AuthRecoverySnapshot } from './snapshot.js';

/** An event the machine emits: `refreshed`, `synced`, `recovered`, `cooldownStarted`, `cooldownEnded`. */
export type AuthRecoveryEvent = RecoveryEmitted;

/**
 * One OAuth profile kept usable: refreshed before expiry, synced from the Claude Code CLI when
 * a refresh cannot help, cooled down otherwise. Metadata only leaves it (snapshots, events).
 */
export interface AuthRecovery {
  /** The profile this instance keeps alive, e.g. `anthropic:claude-cli`. */
  readonly profileId: string;
  /**
   * Loads the stored credential and any persisted cooldown, starts the machine, checks the CLI
   * once and watches it. Calling it again does nothing.
   *
   * @throws {StoppedError} after `stop()`.
   * @throws {CredentialParseError | CredentialFileError} when the store cannot be read.
   */
  start(): Promise<void>;
  /**
   * The access token. While valid: from memory (no I/O, no lock). During a recovery: waits for
   * it (every caller shares one). In a cooldown: rejects at once.
   *
   * @throws {CooldownError} during a cooldown (`until` says when it ends).
   * @throws {StoppedError} after `stop()`; {NotStartedError} before `start()`.
   */
  getAccessToken(): Promise<string>;
  /**
   * Runs `fn(token)`; if it fails with an auth rejection (401/403 `authentication_error`, or
   * your `isAuthRejection`), waits for the recovery and retries `fn` once with the new token.
   *
   * @throws whatever `fn` throws when it is not an auth rejection, or when the retry fails too.
   * @throws {CooldownError} when the recovery ends in a cooldown.
   * @throws {StoppedError} after `stop()`; {NotStartedError} before `start()`.
   */
  withAuth<T>(fn: (accessToken: string) => Promise<T> | T): Promise<T>;
  /**
   * Tells the machine a call was rejected; returns true if `error` is an auth rejection (then a
   * recovery starts), false otherwise (nothing happens).
   *
   * @throws {StoppedError} after `stop()`; {NotStartedError} before `start()` (only for a rejection).
   */
  reportAuthFailure(error: unknown): boolean;
  /**
   * Refreshes now (through the lock, adopting another process's fresh token if there is one)
   * and resolves with the access token.
   *
   * @throws {RefreshError} when the recovery failed but the current token still works (kept).
   * @throws {CooldownError} when the recovery ended in a cooldown.
   * @throws {StoppedError} after `stop()`; {NotStartedError} before `start()`.
   */
  refresh(): Promise<string>;
  /**
   * Syncs from the Claude CLI now (also ends a cooldown). Resolves with the snapshot when the
   * machine settles, in `valid` or `cooldown`.
   *
   * @throws {StoppedError} after `stop()`; {NotStartedError} before `start()`.
   */
  sync(): Promise<AuthRecoverySnapshot>;
  /** The current snapshot (metadata only). */
  getSnapshot(): AuthRecoverySnapshot;
  /** Calls `listener` with the snapshot on every state change; works before `start()`. Returns unsubscribe. */
  subscribe(listener: (snapshot: AuthRecoverySnapshot) => void): () => void;
  /** Calls `handler` for every emitted event of `type` (or all with `'*'`); works before `start()`. Returns unsubscribe. */
  on<K extends AuthRecoveryEvent['type']>(
    type: K | '*',
    handler: (event: Extract<AuthRecoveryEvent, { type: K }>) => void,
  ): () => void;
  /** Resolves when background writes (usage stats, cooldown deadlines) have reached the store. Never rejects. */
  whenIdle(): Promise<void>;
  /** Stops the machine and watchers, fails waiting calls with StoppedError, waits for writes. */
  stop(): Promise<void>;
}
