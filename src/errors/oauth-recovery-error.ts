/**
 * The base of the family: one `code` per error class, a message a person can act on, a `hint`.
 * Messages never contain a token: constructors take field names and file paths, never values.
 */

/** Every `code` an oauth-recovery error carries, one per error class. */
export type OAuthRecoveryErrorCode =
  | 'CREDENTIAL_PARSE'
  | 'CREDENTIAL_FILE'
  | 'LOGGED_OUT'
  | 'DOWNGRADE_REFUSED'
  | 'LOCK_TIMEOUT'
  | 'LOCK_COMPROMISED'
  | 'LOCK_FOREIGN_OWNER'
  | 'REFRESH_FAILED'
  | 'INSECURE_TOKEN_URL'
  | 'FOREIGN_TOKEN_HOST'
  | 'COOLDOWN'
  | 'LOGIN_REQUIRED'
  | 'STOPPED'
  | 'NOT_STARTED'
  | 'STORE_WRITE'
  | 'KEYCHAIN'
  | 'MISSING_DEPENDENCY'
  | 'SINK'
  | 'REDIS_STORE';

/**
 * The base of every error oauth-recovery throws: `instanceof OAuthRecoveryError` catches them
 * all, `code` tells them apart (one code per subclass), `hint` says what a person can do.
 * `toJSON()` never includes `cause` (it may hold raw input).
 */
export class OAuthRecoveryError extends Error {
  /** Stable, machine-readable: one per subclass (e.g. `COOLDOWN` for `CooldownError`). */
  readonly code: OAuthRecoveryErrorCode;
  /** What a person can do about it. */
  readonly hint: string | undefined;

  constructor(code: OAuthRecoveryErrorCode, message: string, options?: { cause?: unknown; hint?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options?.hint;
  }

  /** JSON form for `--json` output and logs: never includes `cause`, which may hold raw input. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, hint: this.hint };
  }
}
