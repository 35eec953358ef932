/**
 * What a caller of the runtime gets instead of a token: the profile is cooling down, a person
 * has to log in, or the instance is not running (not started yet, or stopped).
 */
import { OAuthRecoveryError } from './oauth-recovery-error.js';

/** The profile is cooling down after a failed recovery; it ends by itself at `until`. */
export class CooldownError extends OAuthRecoveryError {
  /** When the cooldown ends by itself, epoch ms. */
  readonly until: number;
  /** The profile cooling down, e.g. `anthropic:claude-cli`. */
  readonly profileId: string;
  constructor(profileId: string, until: number) {
    const at = new Date(until);
    const when = Number.isNaN(at.getTime()) ? `${until} (epoch ms)` : at.toISOString();
    super('COOLDOWN', `profile ${profileId} is in cooldown until ${when}`, {
      hint: 'It ends by itself; a fresh `claude` login or `oauth-recovery sync` ends it at once.',
    });
    this.until = until;
    this.profileId = profileId;
  }
  /** The base fields plus `until` (epoch ms) and `profileId`. */
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), until: this.until, profileId: this.profileId };
  }
}

/**
 * A person has to log in: nothing fresher than a dead or missing login exists anywhere we
 * look (the store, the Claude Code CLI). Thrown by the CLI's `sync` and `refresh` (exit 3).
 */
export class LoginRequiredError extends OAuthRecoveryError {
  constructor(message: string, hint = 'Log in with `claude`, then run `oauth-recovery sync`.') {
    super('LOGIN_REQUIRED', message, { hint });
  }
}

/** The instance was stopped (`stop()`); calls waiting on it, and calls made after, fail with this. */
export class StoppedError extends OAuthRecoveryError {
  constructor() {
    super('STOPPED', 'the auth recovery instance was stopped');
  }
}

/** A method that needs the machine (`getAccessToken`, `withAuth`, `refresh`, …) was called before `start()`. */
export class NotStartedError extends OAuthRecoveryError {
  constructor() {
    super('NOT_STARTED', 'call start() before using the auth recovery instance', {
      hint: 'Await `auth.start()` once, before the first call.',
    });
  }
}
