/**
 * A sink receives the access token we hold, so a runtime (openclaw, pi, any program) can use
 * the login without ever holding the refresh token: one refresher per login, many readers.
 */

/** What a sink receives after every refresh, sync and start. Never the refresh token. */
export interface PublishedToken {
  /** The current access token (`sk-ant-oat01-…`). */
  readonly accessToken: string;
  /** When it expires, epoch ms. */
  readonly expiresAt: number;
  /** Our profile id in our own store (e.g. `anthropic:claude-cli`), for sinks that label by it. */
  readonly profileId: string;
}

/**
 * One runtime we publish into. `publish` must be idempotent (the same token may be published
 * again after a restart) and must change nothing but what belongs to us in the target.
 */
export interface Sink {
  /** Short stable name shown in logs, `status` and `doctor`, e.g. `openclaw`, `pi`, `exec`. */
  readonly kind: string;
  /** Where it writes (a path, or the command's name); never a secret. */
  readonly target: string;
  /**
   * Hands the token to the runtime.
   * @throws {SinkError} when the runtime cannot take it (missing database, busy, bad file,
   * command failed); the publisher logs it and retries at the next publish.
   */
  publish(token: PublishedToken): Promise<void>;
}

/** The outcome of the last publish into one sink: metadata only, safe to print and persist. */
export interface SinkStatus {
  /** The sink's kind: `openclaw`, `pi` or `exec`. */
  kind: string;
  /** Where it publishes: a database or file path, or the command. */
  target: string;
  /** Last successful publish, epoch ms; null before the first one. */
  lastPublishAt: number | null;
  /** Expiry of the token last published successfully, epoch ms. */
  lastPublishedExpiresAt: number | null;
  /** Fingerprint (sha256 prefix) of the token last published successfully. */
  lastPublishedFingerprint: string | null;
  /** The last failure, cleared by the next success. */
  lastError: { at: number; message: string } | null;
}
