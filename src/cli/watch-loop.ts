/**
 * The long-running part of `watch` and `inspect`: one runtime kept fresh until SIGINT,
 * SIGTERM or SIGHUP, every state change logged, then a clean stop. A stop waits for a refresh or sync in
 * flight to finish first, so the store lock is released and no rotated pair is lost; a second
 * signal skips that wait.
 */

import { checkStoreDirectory } from '../fs/shared-directory.js';
import type { InspectOption } from '../inspect/types.js';
import type { AuthRecovery, AuthRecoverySnapshot } from '../runtime/index.js';
import { ExitCode } from './exit-codes.js';
import type { CommandContext } from './program.js';
import { createCliAuthRecovery } from './runtime.js';
import { WATCH_POLICY, type WatchSinkFlags, watchRuntimeOptions } from './watch-sinks.js';

const SETTLED_STATES = new Set(['valid', 'cooldown']);
/** Longest wait for a recovery in flight at shutdown (the token request times out at 15 s). */
const SETTLE_TIMEOUT_MS = 20_000;
/** How often to check the clock against the expiry (a host that slept past the refresh timer). */
const WAKE_CHECK_MS = 60_000;

export interface WatchOptions {
  inspect?: InspectOption;
  /** `--sink` and the openclaw sink's flags. */
  sinks?: WatchSinkFlags;
  /** Called once the runtime has started (e.g. to print an inspector URL). */
  onStarted?: (auth: AuthRecovery) => void;
}

function nextSignal(): { promise: Promise<NodeJS.Signals>; dispose(): void } {
  // SIGHUP (an SSH session hanging up mid-refresh) stops as cleanly as SIGTERM: the save is awaited.
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  let handler: (signal: NodeJS.Signals) => void = () => undefined;
  const promise = new Promise<NodeJS.Signals>((resolve) => {
    handler = resolve;
  });
  for (const signal of signals) process.on(signal, handler);
  return {
    promise,
    dispose: () => {
      for (const signal of signals) process.off(signal, handler);
    },
  };
}

function settled(auth: AuthRecovery, interrupt: Promise<unknown>): Promise<void> {
  if (SETTLED_STATES.has(auth.getSnapshot().state)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, SETTLE_TIMEOUT_MS);
    const unsubscribe = auth.subscribe((snapshot) => {
      if (SETTLED_STATES.has(snapshot.state)) done();
    });
    void interrupt.then(done);
    function done(): void {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    }
  });
}

export async function runWatch(context: CommandContext, options: WatchOptions = {}): Promise<number> {
  const { config } = context;
  const logger = context.logger().child({ profileId: config.profileId });
  const sinkSetup = watchRuntimeOptions(config, options.sinks ?? {}, logger);
  const auth = createCliAuthRecovery(config, context.logger(), {
    ...sinkSetup.options,
    ...(options.inspect ? { inspect: options.inspect } : {}),
  });
  let previous: string | undefined;
  auth.subscribe((snapshot: AuthRecoverySnapshot) => {
    if (snapshot.state === previous) return;
    logger.info(
      {
        event: 'state',
        from: previous ?? null,
        to: snapshot.state,
        fingerprint: snapshot.credential?.fingerprint ?? null,
        expiresAt: snapshot.credential?.expiresAt ?? null,
        cooldownUntil: snapshot.cooldownUntil,
        lastError: snapshot.lastError,
      },
      `state: ${snapshot.state}`,
    );
    previous = snapshot.state;
  });

  const first = nextSignal();
  try {
    await auth.start();
  } catch (error) {
    first.dispose();
    await auth.stop();
    throw error;
  }
  options.onStarted?.(auth);
  logger.info(
    { event: 'watching', store: config.storePath },
    'watching; stop with Ctrl-C, SIGTERM or SIGHUP',
  );
  // A store in a sticky shared directory (/tmp) works, but other users can squat its lock name.
  if ((await checkStoreDirectory(config.storePath).catch(() => 'private')) === 'sticky') {
    logger.warn(
      { event: 'sharedStoreDirectory', store: config.storePath },
      'the store directory is world-writable (sticky, like /tmp): another user can block its writes; move it to a 0700 directory',
    );
  }

  // Timers do not run while a host sleeps: check the clock now and then and refresh if due.
  const wake = setInterval(() => {
    const { state, credential } = auth.getSnapshot();
    if (
      state === 'valid' &&
      credential &&
      credential.expiresAt - WATCH_POLICY.refreshWindowMs <= Date.now()
    ) {
      auth.refresh().catch(() => undefined);
    }
  }, WAKE_CHECK_MS);

  const signal = await first.promise;
  first.dispose();
  clearInterval(wake);
  logger.info({ event: 'signal', signal }, `received ${signal}; stopping`);
  const second = nextSignal();
  await settled(auth, second.promise);
  second.dispose();
  await auth.stop();
  await sinkSetup.flush();
  return ExitCode.ok;
}
