/** The running XState actor of one runtime instance, once `start()` created it. */
import type { Actor } from 'xstate';
import type { RecoveryContext } from '../../machines/index.js';
import { NotStartedError, StoppedError } from '../errors.js';
import type { RuntimeMachine } from './shared-machine.js';

/** The recovery machine's actor as the runtime runs it. */
export type RuntimeActor = Actor<RuntimeMachine>;

/** Holds the actor (absent before `start()`) and whether `stop()` was called. */
export class MachineHandle {
  actor: RuntimeActor | undefined;
  stopped = false;

  /** The machine's context (metadata only), or undefined before `start()`. */
  get context(): RecoveryContext | undefined {
    return this.actor?.getSnapshot().context;
  }

  /**
   * The running actor.
   *
   * @throws {StoppedError} after `stop()`.
   * @throws {NotStartedError} before `start()`.
   */
  require(): RuntimeActor {
    if (this.stopped) throw new StoppedError();
    if (!this.actor) throw new NotStartedError();
    return this.actor;
  }
}
