/** A runtime we publish access tokens into (a sink) could not take the token. */
import { OAuthRecoveryError } from './oauth-recovery-error.js';

/**
 * A sink (a runtime we publish access tokens into: openclaw's SQLite store, pi's `auth.json`,
 * a command) could not take the token. `sink` names it (e.g. `openclaw:/path/openclaw.sqlite`);
 * the message names the cause and never holds the token. A failing sink never affects the
 * refresh or the stored credential: it is retried at the next publish.
 */
export class SinkError extends OAuthRecoveryError {
  /** Which sink, e.g. `openclaw:/path/openclaw.sqlite` or `pi:/path/auth.json`. */
  readonly sink: string;
  constructor(sink: string, message: string, options?: { cause?: unknown; hint?: string }) {
    super('SINK', `${sink}: ${message}`, options);
    this.sink = sink;
  }
  /** The base fields plus `sink`. */
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), sink: this.sink };
  }
}
