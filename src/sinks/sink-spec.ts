/**
 * Sinks named on the command line: `openclaw`, `pi`, `exec:<command line>` (repeatable).
 */
import { SinkError } from '../errors.js';
import { createExecSink } from './exec-sink.js';
import { createOpenclawSink } from './openclaw-sqlite-sink.js';
import { createPiSink } from './pi-auth-sink.js';
import type { Sink } from './types.js';

/** How `parseSinkSpec` builds the sinks a `--sink` names. */
export interface SinkSpecOptions {
  env?: NodeJS.ProcessEnv;
  /** openclaw: write into this agent's database instead of the shared store. */
  openclawAgent?: string;
  /** openclaw: our profile id there (default `anthropic:oauth-recovery`). */
  openclawProfileId?: string;
  /** openclaw: put our profile first in `order.anthropic`. */
  openclawPreferInOrder?: boolean;
  /** exec: the longest run, ms. */
  execTimeoutMs?: number;
}

/**
 * Builds the sink a `--sink` value names.
 * @throws {SinkError} for an unknown kind or an empty `exec:` command.
 */
export function parseSinkSpec(spec: string, options: SinkSpecOptions = {}): Sink {
  const env = options.env ?? process.env;
  if (spec === 'openclaw') {
    return createOpenclawSink({
      env,
      agentId: options.openclawAgent,
      profileId: options.openclawProfileId,
      preferInOrder: options.openclawPreferInOrder,
    });
  }
  if (spec === 'pi') return createPiSink({ env });
  if (spec.startsWith('exec:')) {
    const command = spec.slice('exec:'.length).trim();
    if (!command)
      throw new SinkError('exec', 'needs a command, e.g. `--sink exec:/usr/local/bin/take-token`');
    return createExecSink({ command, env, timeoutMs: options.execTimeoutMs });
  }
  throw new SinkError(spec, 'unknown sink', {
    hint: 'Use `--sink openclaw`, `--sink pi` or `--sink exec:<command>`.',
  });
}
