/**
 * `createAuthRecovery(options)`: the recovery machine wired to the real parts (profile store,
 * Claude CLI reader, OAuth client, clock, logger). This file only wires; each concept lives in
 * its own module: option defaults (`resolve-options`), the token gate and its waiters
 * (`token-gate`), work in flight (`inflight-work`), usage persistence (`usage-persistence`),
 * logging (`event-log`), emitted-event listeners (`emitted-events`), start-up
 * (`runtime-start`), and the calls an agent makes (`recovery-calls`).
 */
import type { RecoveryEmitted, RecoveryStateName } from '../../machines/index.js';
import { StoppedError } from '../errors.js';
import { attachSinkPublisher } from '../sinks/sink-publisher.js';
import type { AuthRecovery } from './auth-recovery.js';
import { CredentialVault } from './credential-vault.js';
import { EmittedEvents } from './emitted-events.js';
import { logEmitted, logTransition } from './event-log.js';
import { FailureRecord } from './failure-record.js';
import { InflightWork } from './inflight-work.js';
import { MachineHandle } from './machine-handle.js';
import type { AuthRecoveryOptions } from './options.js';
import { PendingCalls } from './pending-calls.js';
import { createRecoveryActors } from './recovery-actors.js';
import { createRecoveryCalls } from './recovery-calls.js';
import { resolveRuntimeOptions } from './resolve-options.js';
import { startRuntime } from './runtime-start.js';
import { SaveRetry } from './save-retry.js';
import { sharedRecoveryMachine } from './shared-machine.js';
import { type AuthRecoverySnapshot, buildSnapshot } from './snapshot.js';
import { StoreCooldownWatch } from './store-cooldown-watch.js';
import { TokenGate } from './token-gate.js';
import { UsagePersistence } from './usage-persistence.js';

/**
 * Creates the recovery for one OAuth profile. Nothing is read until `start()`.
 *
 * - `getAccessToken()` while valid is a field read: no I/O, no lock. During a recovery every
 *   caller waits on that one recovery. During a cooldown it rejects at once with CooldownError.
 * - `withAuth(fn)` retries `fn` once with recovered credentials after an auth rejection.
 *
 * @throws {RangeError} when a `policy` value is out of range.
 * @throws {InsecureTokenUrlError} when the token URL is plain http to a non-loopback host.
 */
export function createAuthRecovery(options: AuthRecoveryOptions = {}): AuthRecovery {
  const resolved = resolveRuntimeOptions(options);
  const { profileId, now, logger, policy } = resolved;
  const vault = new CredentialVault();
  const pending = new PendingCalls();
  const inflight = new InflightWork();
  const handle = new MachineHandle();
  const gate = new TokenGate({ profileId, now, freshnessMarginMs: policy.freshnessMarginMs, pending });
  // Usage stats and the failure record write the same store entry, so they share one wiring.
  const storeEntry = {
    store: resolved.store,
    profileId,
    now,
    logger,
    inflight,
    savePending: () => saver.pending !== undefined,
  };
  const usage = new UsagePersistence(storeEntry);
  const emitted = new EmittedEvents();
  const failures: FailureRecord = new FailureRecord(storeEntry);
  const saver: SaveRetry = new SaveRetry({ ...resolved, inflight, failures });
  const listeners = new Set<(snapshot: AuthRecoverySnapshot) => void>();
  const stopWatchers: Array<() => void> = [];
  let tokenRequests = 0;
  let stateEnteredAt = now();

  const actors = createRecoveryActors({
    ...resolved,
    vault,
    pending,
    saver,
    failures,
    onTokenRequest: () => {
      tokenRequests += 1;
    },
    track: (work) => inflight.track(work),
  });
  const machine = sharedRecoveryMachine(now, resolved.random);
  // A fresher credential in the store (another host refreshed) ends a cooldown, as a CLI change does.
  const storeWatch = new StoreCooldownWatch({
    store: resolved.store,
    profileId,
    logger,
    now,
    freshnessMarginMs: policy.freshnessMarginMs,
    held: () => handle.context?.credential,
    onFresher: () => handle.actor?.send({ type: 'CREDENTIALS_CHANGED' }),
  });
  const snapshot = (): AuthRecoverySnapshot =>
    buildSnapshot(profileId, gate.state, handle.context, { tokenRequests, failures });

  function onStateChange(next: RecoveryStateName, cause: string | undefined): void {
    const at = now();
    logTransition(logger, { from: gate.state, to: next, cause, durationMs: at - stateEnteredAt });
    stateEnteredAt = at;
    if (!handle.stopped) storeWatch.enter(next);
    const context = handle.context;
    gate.enter(next, vault.get(context?.credential?.fingerprint), context?.cooldownUntil ?? at, {
      issuedAt: context?.credential?.issuedAt,
      proven: context?.tokenProven ?? true,
    });
    for (const listener of listeners) listener(snapshot());
  }

  function onEmitted(event: RecoveryEmitted): void {
    logEmitted(logger, event);
    if (event.type === 'recovered') failures.clear();
    usage.record(event);
    emitted.dispatch(event);
  }

  const api: AuthRecovery = {
    profileId,

    async start() {
      if (handle.actor) return;
      if (handle.stopped) throw new StoppedError();
      const stops = await startRuntime({
        failures,
        options: resolved,
        handle,
        vault,
        machine,
        actors,
        usage,
        onStateChange,
        onEmitted,
      });
      stopWatchers.push(...stops);
    },

    ...createRecoveryCalls({ options: resolved, handle, gate, pending, snapshot }),

    getSnapshot: snapshot,
    whenIdle: () => inflight.whenIdle(),

    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    on: (type, handler) => emitted.on(type, handler),

    async stop() {
      if (handle.stopped) return;
      handle.stopped = true;
      for (const stopWatcher of stopWatchers.splice(0)) stopWatcher();
      const storeLook = storeWatch.stop();
      gate.stop();
      handle.actor?.stop();
      saver.stop();
      await inflight.whenIdle();
      await storeLook;
      // A rotated pair still only in memory gets one last save attempt before we go.
      await saver.flush();
      await stopSinks?.();
      logger.info({ event: 'stopped' }, 'auth recovery stopped');
    },
  };
  // Sinks are fed through the public API only (subscribe + getAccessToken): src/sinks.
  const stopSinks = attachSinkPublisher(api, {
    sinks: options.sinks,
    logger,
    now,
    onStatus: options.onSinkStatus,
  });
  return api;
}
