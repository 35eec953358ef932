/**
 * `createAuthRecovery(options)`: the recovery machine wired to the real parts (profile store,
 * Claude CLI source, OAuth client, clock, logger) behind the small API an agent runtime embeds.
 *
 * - `getAccessToken()` while valid is a field read: no I/O, no lock. During a recovery every
 *   caller waits on that one recovery. During a cooldown it rejects at once with CooldownError.
 * - `withAuth(fn)` retries `fn` once with recovered credentials after an auth rejection.
 */
import { type Actor, createActor } from 'xstate';
import { type CredentialView, type RecoveryEmitted, resolvePolicy } from '../../machines/index.js';
import { createClaudeCliSource } from '../credentials/claude-cli-source.js';
import { fingerprintToken } from '../credentials/fingerprint.js';
import { CooldownError, OAuthRecoveryError, RefreshError, StoppedError } from '../errors.js';
import { sanitizeInspectionEvent } from '../inspect/sanitize.js';
import { createSilentLogger, wrapCallerLogger } from '../logging/logger.js';
import { describeAuthRejection, isAuthRejection } from '../oauth/auth-rejection.js';
import { createOAuthClient } from '../oauth/refresh-client.js';
import { resolveDefaultStorePath } from '../store/default-store-path.js';
import { createFileProfileStore } from '../store/file-profile-store.js';
import type { ProfileStore } from '../store/types.js';
import { watchCliCredentials } from './cli-watcher.js';
import { CredentialVault } from './credential-vault.js';
import { type AuthRecoveryOptions, DEFAULT_PROFILE_ID } from './options.js';
import { PendingCalls } from './pending-calls.js';
import { createRecoveryActors } from './recovery-actors.js';
import { bindEffects, sharedRecoveryMachine } from './shared-machine.js';

export type RecoveryStateName =
  | 'initializing'
  | 'valid'
  | 'expired'
  | 'refreshing'
  | 'refreshFailed'
  | 'syncingFromCli'
  | 'retrying'
  | 'ok'
  | 'cooldown';

/** What `getSnapshot()` and `subscribe()` report: metadata only, safe to log or serve. */
export interface AuthRecoverySnapshot {
  profileId: string;
  state: RecoveryStateName;
  credential: CredentialView | null;
  cooldownUntil: number | null;
  consecutiveCooldowns: number;
  attempts: number;
  lastError: string | null;
  lastErrorMessage: string | null;
  pendingCalls: number;
  /** Token endpoint requests this instance made. */
  tokenRequests: number;
}

export type AuthRecoveryEvent = RecoveryEmitted;

export interface AuthRecovery {
  readonly profileId: string;
  /** Loads the stored credential and any persisted cooldown, then starts the machine. */
  start(): Promise<void>;
  getAccessToken(): Promise<string>;
  withAuth<T>(fn: (accessToken: string) => Promise<T> | T): Promise<T>;
  /** Tells the machine a call was rejected; returns true if `error` is an auth rejection. */
  reportAuthFailure(error: unknown): boolean;
  /**
   * Refreshes now (through the lock, adopting another process's fresh token if there is one).
   * Rejects with RefreshError when the recovery failed but the current token still works.
   */
  refresh(): Promise<string>;
  /** Syncs from the Claude CLI now (also ends a cooldown). Resolves when the machine settles. */
  sync(): Promise<AuthRecoverySnapshot>;
  getSnapshot(): AuthRecoverySnapshot;
  subscribe(listener: (snapshot: AuthRecoverySnapshot) => void): () => void;
  on<K extends AuthRecoveryEvent['type']>(
    type: K | '*',
    handler: (event: Extract<AuthRecoveryEvent, { type: K }>) => void,
  ): () => void;
  /** Resolves when background writes (usage stats, cooldown deadlines) have reached the store. */
  whenIdle(): Promise<void>;
  /** Stops the machine and watchers, fails waiting calls with StoppedError, waits for writes. */
  stop(): Promise<void>;
}

interface Waiter {
  promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function createWaiter(): Waiter {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Nobody may be waiting when a recovery ends in cooldown; that is not an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

export function createAuthRecovery(options: AuthRecoveryOptions = {}): AuthRecovery {
  const env = options.env ?? process.env;
  const profileId = options.profileId ?? DEFAULT_PROFILE_ID;
  const now = options.now ?? Date.now;
  const policy = resolvePolicy(options.policy);
  const logger = (options.logger ? wrapCallerLogger(options.logger) : createSilentLogger()).child({
    profileId,
  });
  const store: ProfileStore =
    typeof options.store === 'object'
      ? options.store
      : createFileProfileStore({
          path: options.store ?? resolveDefaultStorePath({ env }).path,
          now,
          marginMs: policy.freshnessMarginMs,
        });
  const cli =
    options.cliSource === false
      ? null
      : (options.cliSource ??
        createClaudeCliSource({
          configDir: options.claudeConfigDir,
          env,
          now,
          marginMs: policy.freshnessMarginMs,
        }));
  const oauth =
    options.oauthClient ??
    createOAuthClient({
      tokenUrl: options.tokenUrl ?? env.OAUTH_RECOVERY_TOKEN_URL,
      clientId: options.clientId,
      fetch: options.fetch,
      timeoutMs: options.requestTimeoutMs,
      now,
    });
  const isRejection = (error: unknown): boolean =>
    isAuthRejection(error) || (options.isAuthRejection?.(error) ?? false);

  const vault = new CredentialVault();
  const pending = new PendingCalls();
  let tokenRequests = 0;
  const effects = createRecoveryActors({
    profileId,
    store,
    cli,
    oauth,
    vault,
    pending,
    policy,
    mode: options.mode ?? 'writeBack',
    nudgeCommand: options.nudgeCommand,
    nudgeTimeoutMs: options.nudgeTimeoutMs ?? 30_000,
    now,
    logger,
    onTokenRequest: () => {
      tokenRequests += 1;
    },
    track: (work) => {
      trackInflight(work);
      return work;
    },
  });
  const machine = sharedRecoveryMachine(now, options.random ?? Math.random);

  let actor: Actor<typeof machine> | undefined;
  let stopped = false;
  const stopWatchers: Array<() => void> = [];
  // Hot-path state, kept in plain fields so getAccessToken() while valid is a field read.
  let state: RecoveryStateName = 'initializing';
  let validToken: string | undefined;
  /** The same token as one settled promise, handed to every hot-path caller (no allocation). */
  let validPromise: Promise<string> | undefined;
  let validUntil = 0;
  let recovery: Waiter | undefined;
  let stateEnteredAt = now();
  /** The event the machine is processing (read from its microsteps), logged as a transition's cause. */
  let processingEvent: string | undefined;
  const listeners = new Set<(snapshot: AuthRecoverySnapshot) => void>();
  /** Store work in flight (usage stats, a refresh or sync) that stop() and whenIdle() wait for. */
  const inflight = new Set<Promise<unknown>>();
  /** Waits on `work` from stop()/whenIdle(); its outcome belongs to whoever started it. */
  function trackInflight(work: Promise<unknown>): void {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    inflight.add(settled);
    void settled.finally(() => inflight.delete(settled));
  }
  /** The cooldown deadline the store already holds, so a resumed cooldown is not counted twice. */
  let persistedCooldownUntil: number | null = null;

  function summary(): AuthRecoverySnapshot {
    const context = actor?.getSnapshot().context;
    return {
      profileId,
      state,
      credential: context?.credential ?? null,
      cooldownUntil: context?.cooldownUntil ?? null,
      consecutiveCooldowns: context?.consecutiveCooldowns ?? 0,
      attempts: context?.attempts ?? 0,
      lastError: context?.lastError ?? null,
      lastErrorMessage: context?.lastErrorMessage ?? null,
      pendingCalls: context?.pendingCalls ?? 0,
      tokenRequests,
    };
  }

  function currentCredential() {
    return vault.get(actor?.getSnapshot().context.credential?.fingerprint);
  }

  function onStateChange(next: RecoveryStateName, eventType: string | undefined): void {
    const previous = state;
    const at = now();
    logger.debug(
      { event: 'transition', from: previous, to: next, cause: eventType, durationMs: at - stateEnteredAt },
      `${previous} → ${next}`,
    );
    state = next;
    stateEnteredAt = at;
    const context = actor?.getSnapshot().context;
    if (next === 'valid') {
      const credential = currentCredential();
      validToken = credential?.accessToken;
      validPromise = validToken === undefined ? undefined : Promise.resolve(validToken);
      validUntil = credential ? credential.expiresAt - policy.freshnessMarginMs : 0;
      if (credential) pending.releaseAll(credential.accessToken);
      recovery?.resolve();
      recovery = undefined;
    } else {
      validToken = undefined;
      validPromise = undefined;
      validUntil = 0;
      if (next === 'cooldown') {
        const error = new CooldownError(profileId, context?.cooldownUntil ?? at);
        pending.failAll(error);
        recovery?.reject(error);
        recovery = undefined;
      } else {
        recovery ??= createWaiter();
      }
    }
    for (const listener of listeners) listener(summary());
  }

  function persistUsage(event: RecoveryEmitted): void {
    // A restored or resumed cooldown (same deadline) is not a new failure: nothing to record.
    if (event.type === 'cooldownStarted' && event.until === persistedCooldownUntil) return;
    if (event.type === 'cooldownStarted') persistedCooldownUntil = event.until;
    // Every success ends in `ok`, which emits `recovered` (after `refreshed` or `synced`): one write.
    if (event.type === 'recovered') persistedCooldownUntil = null;
    const write =
      event.type === 'cooldownStarted'
        ? store.recordUsage(profileId, (usage) => ({
            cooldownUntil: event.until,
            errorCount: (usage.errorCount ?? 0) + 1,
            lastFailureAt: now(),
          }))
        : event.type === 'recovered'
          ? store.recordUsage(profileId, { cooldownUntil: null, errorCount: 0, lastUsed: now() })
          : undefined;
    if (!write) return;
    trackInflight(
      write.catch((error: unknown) =>
        logger.warn({ event: 'usageWriteFailed', err: error }, 'could not record usage stats'),
      ),
    );
  }

  function logEmitted(event: RecoveryEmitted): void {
    switch (event.type) {
      case 'refreshed':
        logger.info(
          {
            event: 'refreshed',
            fingerprint: event.fingerprint,
            expiresAt: event.expiresAt,
            source: event.source,
          },
          'token refreshed',
        );
        break;
      case 'synced':
        logger.info(
          { event: 'synced', fingerprint: event.fingerprint, expiresAt: event.expiresAt },
          'adopted fresher credentials from the Claude CLI',
        );
        break;
      case 'recovered':
        logger.info({ event: 'recovered', durationMs: event.durationMs }, 'recovered');
        break;
      case 'cooldownStarted':
        logger.warn(
          {
            event: 'cooldownStarted',
            until: event.until,
            consecutive: event.consecutive,
            reason: event.reason,
          },
          'recovery failed; cooling down',
        );
        break;
      case 'cooldownEnded':
        logger.info({ event: 'cooldownEnded', reason: event.reason }, 'cooldown ended');
        break;
    }
  }

  function requireActor(): Actor<typeof machine> {
    if (stopped) throw new StoppedError();
    if (!actor)
      throw new OAuthRecoveryError('STOPPED', 'call start() before using the auth recovery instance');
    return actor;
  }

  async function waitForRecovery(): Promise<string> {
    for (;;) {
      if (state === 'valid' && validToken !== undefined) return validToken;
      if (state === 'cooldown') {
        const until = actor?.getSnapshot().context.cooldownUntil ?? now();
        // A deadline that has passed is about to fire: wait for it rather than fail the call.
        if (until > now()) throw new CooldownError(profileId, until);
      }
      if (stopped) throw new StoppedError();
      recovery ??= createWaiter();
      await recovery.promise;
    }
  }

  async function whenIdle(): Promise<void> {
    while (inflight.size > 0) await Promise.all([...inflight]);
  }

  /** Hot path: while valid, one clock read and the cached promise; no I/O, no lock, no allocation. */
  function getAccessToken(): Promise<string> {
    if (validPromise !== undefined && now() < validUntil) return validPromise;
    return recoverAccessToken();
  }

  async function recoverAccessToken(): Promise<string> {
    const running = requireActor();
    // Valid by the machine but expired by the clock (e.g. the host slept past the timer).
    if (state === 'valid') running.send({ type: 'TOKEN_EXPIRED' });
    return waitForRecovery();
  }

  function reportAuthFailure(error: unknown): boolean {
    if (!isRejection(error)) return false;
    const { status, message } = describeAuthRejection(error);
    requireActor().send({ type: 'AUTH_REJECTED', status, message });
    return true;
  }

  async function withAuth<T>(fn: (accessToken: string) => Promise<T> | T): Promise<T> {
    const token = await getAccessToken();
    try {
      return await fn(token);
    } catch (error) {
      if (!isRejection(error)) throw error;
      // Someone already recovered while this call was in flight: just use the new token.
      if (state === 'valid' && validToken !== undefined && validToken !== token) {
        return fn(validToken);
      }
      if (state === 'cooldown') throw error;
      const call = pending.register();
      const { status, message } = describeAuthRejection(error);
      logger.debug(
        { event: 'authRejected', status, message, fingerprint: fingerprintToken(token) },
        'call rejected',
      );
      requireActor().send({ type: 'AUTH_REJECTED', status, message });
      const retryToken = await call.token;
      try {
        const result = await fn(retryToken);
        call.report('succeeded');
        return result;
      } catch (retryError) {
        call.report(isRejection(retryError) ? 'rejected' : 'failed');
        throw retryError;
      }
    }
  }

  return {
    profileId,

    async start() {
      if (actor) return;
      if (stopped) throw new StoppedError();
      const [credential, usage] = await Promise.all([
        store.readCredential(profileId),
        store.readUsage(profileId),
      ]);
      persistedCooldownUntil = usage.cooldownUntil ?? null;
      let view: CredentialView | null = null;
      if (credential) {
        view = { fingerprint: vault.put(credential), expiresAt: credential.expiresAt, source: 'store' };
      }
      actor = createActor(machine, {
        input: {
          profileId,
          credential: view,
          cooldownUntil: usage.cooldownUntil ?? null,
          consecutiveCooldowns: usage.cooldownUntil ? (usage.errorCount ?? 1) : 0,
          policy,
        },
        ...(options.clock ? { clock: options.clock } : {}),
        inspect: (inspectionEvent) => {
          // The machine is the only actor with microsteps: remember what it is processing, for the log.
          if (inspectionEvent.type === '@xstate.microstep') processingEvent = inspectionEvent.event.type;
          if (!options.inspect) return;
          const safe = sanitizeInspectionEvent(inspectionEvent, vault.secrets());
          const target = options.inspect;
          if (typeof target === 'function') target(safe);
          else target?.next?.(safe);
        },
      });
      let lastValue: string | undefined;
      actor.subscribe({
        next: (snapshot) => {
          const value = snapshot.value as RecoveryStateName;
          if (value !== lastValue) {
            lastValue = value;
            onStateChange(value, processingEvent);
          }
        },
        error: (error) => logger.error({ event: 'machineError', err: error }, 'recovery machine failed'),
      });
      actor.on('*', (event) => {
        logEmitted(event);
        persistUsage(event);
      });
      bindEffects(actor.system, effects);
      actor.start();
      logger.info(
        {
          event: 'started',
          state,
          store: store.location,
          cli: cli?.location ?? null,
          expiresAt: view?.expiresAt,
        },
        'auth recovery started',
      );
      // The CLI may have refreshed while we were down, killing the stored pair: look once now.
      if (cli && credential) {
        try {
          const read = await cli.read();
          if (
            read.status === 'ok' &&
            read.meta.fingerprint !== view?.fingerprint &&
            read.credential.expiresAt > credential.expiresAt
          ) {
            actor.send({ type: 'CREDENTIALS_CHANGED' });
          }
        } catch (error) {
          logger.warn({ event: 'cliUnreadable', err: error }, 'Claude CLI credentials are unreadable');
        }
      }
      if (cli && options.watchCli !== false) {
        stopWatchers.push(
          watchCliCredentials({
            cli,
            logger,
            currentFingerprint: () => actor?.getSnapshot().context.credential?.fingerprint,
            onChange: () => actor?.send({ type: 'CREDENTIALS_CHANGED' }),
          }),
        );
      }
    },

    getAccessToken,
    withAuth,
    reportAuthFailure,

    async refresh() {
      const running = requireActor();
      if (state === 'valid') running.send({ type: 'TOKEN_EXPIRED' });
      const token = await waitForRecovery();
      // Back in `valid` after a failed recovery (the old token still works and is kept): a
      // forced refresh did not happen, so say why instead of returning the old token.
      const { lastError, lastErrorMessage, credential } = summary();
      if (lastError !== null) {
        const kept = credential ? new Date(credential.expiresAt).toISOString() : 'its expiry';
        throw new RefreshError(
          lastError === 'transient' ? 'transient' : 'permanent',
          `the refresh failed (${lastErrorMessage ?? lastError}); the current token still works and is kept until ${kept}`,
        );
      }
      return token;
    },

    async sync() {
      const running = requireActor();
      running.send({ type: 'SYNC_REQUESTED' });
      try {
        await waitForRecovery();
      } catch (error) {
        if (!(error instanceof CooldownError)) throw error;
      }
      return summary();
    },

    getSnapshot: summary,
    whenIdle,

    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    on(type, handler) {
      const running = requireActor();
      const subscription = running.on(type as never, handler as never);
      return () => subscription.unsubscribe();
    },

    async stop() {
      if (stopped) return;
      stopped = true;
      for (const stopWatcher of stopWatchers.splice(0)) stopWatcher();
      const error = new StoppedError();
      pending.failAll(error);
      recovery?.reject(error);
      recovery = undefined;
      actor?.stop();
      await whenIdle();
      logger.info({ event: 'stopped' }, 'auth recovery stopped');
    },
  };
}
