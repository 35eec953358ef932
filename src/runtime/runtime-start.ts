/**
 * Start-up: load what the store holds, create and start the machine's actor, wire its
 * transitions and events to the runtime, then look at the Claude CLI once (it may have
 * refreshed while we were down) and watch it.
 */
import { createActor } from 'xstate';
import {
  type CredentialView,
  clampStoredCooldown,
  type RecoveryEmitted,
  type RecoveryStateName,
} from '../../machines/index.js';
import { sanitizeInspectionEvent } from '../inspect/sanitize.js';
import { watchCliCredentials } from './cli-watcher.js';
import type { CredentialVault } from './credential-vault.js';
import type { FailureRecord } from './failure-record.js';
import type { MachineHandle } from './machine-handle.js';
import type { RecoveryActors } from './recovery-actors.js';
import type { ResolvedRuntimeOptions } from './resolve-options.js';
import { bindRecoveryActors, type RuntimeMachine } from './shared-machine.js';
import type { UsagePersistence } from './usage-persistence.js';

/** What start-up wires together. */
export interface RuntimeStartDeps {
  options: ResolvedRuntimeOptions;
  handle: MachineHandle;
  vault: CredentialVault;
  machine: RuntimeMachine;
  actors: RecoveryActors;
  usage: UsagePersistence;
  failures: FailureRecord;
  /** Called on every change of state, with the event the machine was processing. */
  onStateChange(next: RecoveryStateName, cause: string | undefined): void;
  /** Called with every event the machine emits. */
  onEmitted(event: RecoveryEmitted): void;
}

/**
 * Starts the actor (stored in `deps.handle` before it runs, so the first transition can read it)
 * and returns the functions that stop the watchers.
 *
 * @throws {CredentialParseError | CredentialFileError} when the store cannot be read.
 */
export async function startRuntime(deps: RuntimeStartDeps): Promise<Array<() => void>> {
  const { options, handle, vault } = deps;
  const { store, cli, profileId, logger, policy } = options;
  const [credential, usage] = await Promise.all([
    store.readCredential(profileId),
    store.readUsage(profileId),
  ]);
  // A deadline another tool wrote beyond our policy (a gateway's 6 h ladder) is cut to cooldownMaxMs.
  const cooldownUntil = clampStoredCooldown(usage.cooldownUntil, options.now(), policy);
  deps.usage.resume(usage.cooldownUntil ?? null, cooldownUntil);
  deps.failures.resume(usage);
  const view: CredentialView | null = credential
    ? { fingerprint: vault.put(credential), expiresAt: credential.expiresAt, source: 'store' }
    : null;
  /** The event the machine is processing (read from its microsteps), logged as a transition's cause. */
  let processingEvent: string | undefined;
  const actor = createActor(deps.machine, {
    input: {
      profileId,
      credential: view,
      cooldownUntil,
      consecutiveCooldowns: cooldownUntil ? (usage.errorCount ?? 1) : 0,
      policy,
    },
    ...(options.clock ? { clock: options.clock } : {}),
    inspect: (inspectionEvent) => {
      // The machine is the only actor with microsteps: remember what it is processing, for the log.
      if (inspectionEvent.type === '@xstate.microstep') processingEvent = inspectionEvent.event.type;
      const target = options.inspect;
      if (!target) return;
      const safe = sanitizeInspectionEvent(inspectionEvent, vault.secrets());
      if (typeof target === 'function') target(safe);
      else target.next?.(safe);
    },
  });
  handle.actor = actor;
  let lastValue: string | undefined;
  actor.subscribe({
    next: (snapshot) => {
      if (snapshot.value !== lastValue) {
        lastValue = snapshot.value;
        deps.onStateChange(snapshot.value, processingEvent);
      }
    },
    error: (error) => logger.error({ event: 'machineError', err: error }, 'recovery machine failed'),
  });
  actor.on('*', deps.onEmitted);
  bindRecoveryActors(actor.system, deps.actors);
  actor.start();
  logger.info(
    {
      event: 'started',
      state: snapshotState(handle),
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
  if (!cli || !options.watchCli) return [];
  return [
    watchCliCredentials({
      cli,
      logger,
      currentFingerprint: () => handle.context?.credential?.fingerprint,
      onChange: () => handle.actor?.send({ type: 'CREDENTIALS_CHANGED' }),
    }),
  ];
}

function snapshotState(handle: MachineHandle): RecoveryStateName | undefined {
  return handle.actor?.getSnapshot().value;
}
