/**
 * Reading and writing a credential document (the Claude Code CLI's file or Keychain item, a
 * profile store file): malformed, unreadable, logged out, or a write refused as a downgrade.
 */
import { OAuthRecoveryError } from './oauth-recovery-error.js';

/** A document did not match its schema. `field` is a JSON path such as `claudeAiOauth.expiresAt`. */
export class CredentialParseError extends OAuthRecoveryError {
  /** The document's path (or a source label such as the Keychain item). */
  readonly file: string;
  /** JSON path of the offending field, e.g. `claudeAiOauth.expiresAt`; empty for the whole document. */
  readonly field: string;
  constructor(file: string, field: string, problem: string, options?: { cause?: unknown; hint?: string }) {
    super('CREDENTIAL_PARSE', `${file}: ${field ? `field "${field}" ` : ''}${problem}`, {
      ...options,
      hint: options?.hint ?? `Fix or restore ${file}; it was left untouched.`,
    });
    this.file = file;
    this.field = field;
  }
}

/** The file could not be read or written (permissions, symlink loop, too large, not a file). */
export class CredentialFileError extends OAuthRecoveryError {
  /** The path that could not be read, written or resolved. */
  readonly file: string;
  /** Why, in words, e.g. `permission denied (write)` or `symlink loop (…)`. */
  readonly reason: string;
  constructor(file: string, reason: string, options?: { cause?: unknown; hint?: string }) {
    super('CREDENTIAL_FILE', `${file}: ${reason}`, options);
    this.file = file;
    this.reason = reason;
  }
}

/** The Claude Code CLI's credentials are blank (its own refresh failed) or absent. */
export class LoggedOutError extends OAuthRecoveryError {
  /** Where the credentials were looked for: the CLI's file path or its Keychain item. */
  readonly source: string;
  constructor(source: string) {
    super('LOGGED_OUT', `${source}: the Claude Code CLI is logged out (blank or missing credentials)`, {
      hint: 'Run `claude` and log in again, then `oauth-recovery sync`.',
    });
    this.source = source;
  }
}

/** A write would have replaced a better credential with a blank, expired, older or invalid one. */
export class DowngradeRefusedError extends OAuthRecoveryError {
  /** What would have been overwritten: a file path or a profile. */
  readonly target: string;
  constructor(target: string, reason: string) {
    super('DOWNGRADE_REFUSED', `${target}: refused to overwrite a better credential (${reason})`);
    this.target = target;
  }
}

/**
 * The macOS login Keychain could not be read or written (`security` failed, timed out, or the
 * item is locked); the message names the item, never its secret.
 */
export class KeychainError extends OAuthRecoveryError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KEYCHAIN', message, options);
  }
}
