/**
 * The CLI's exit codes, one meaning each, so scripts and supervisors can act on them:
 *
 * | code | meaning |
 * | ---- | ------- |
 * | 0 | ok |
 * | 1 | failure (unreadable file, endpoint down, doctor found an error, …) |
 * | 2 | usage error (unknown flag or command, bad option value, insecure token URL) |
 * | 3 | nothing fresher / login needed: run `claude`, log in, then `oauth-recovery sync` |
 * | 4 | in cooldown: it ends by itself; a fresh `claude` login or `sync` ends it at once |
 */
import { CommanderError } from 'commander';
import {
  CooldownError,
  ForeignTokenHostError,
  InsecureTokenUrlError,
  LoggedOutError,
  LoginRequiredError,
} from '../errors.js';

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  loginNeeded: 3,
  cooldown: 4,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A bad flag value or combination found after commander parsed the command line. */
export class UsageError extends Error {
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'UsageError';
    this.hint = hint;
  }
}

export function exitCodeForError(error: unknown): ExitCode {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (
    error instanceof UsageError ||
    error instanceof InsecureTokenUrlError ||
    error instanceof ForeignTokenHostError
  )
    return ExitCode.usage;
  if (error instanceof CooldownError) return ExitCode.cooldown;
  if (error instanceof LoginRequiredError || error instanceof LoggedOutError) return ExitCode.loginNeeded;
  return ExitCode.failure;
}
