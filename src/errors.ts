/**
 * Every failure oauth-recovery raises is one of these named errors. Each carries a stable
 * `code` for programs and a message a person can act on. Messages never contain a token:
 * constructors take field names and file paths, never values.
 */

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

/** Another process held the store's cross-process lock for longer than the wait allows. */
export class LockTimeoutError extends OAuthRecoveryError {
  /** The file the lock guards (the lock itself is `<lockPath>.lock`). */
  readonly lockPath: string;
  /** How long we waited before giving up, ms. */
  readonly waitedMs: number;
  constructor(lockPath: string, waitedMs: number, options?: { cause?: unknown }) {
    super('LOCK_TIMEOUT', `timed out after ${waitedMs} ms waiting for the lock on ${lockPath}`, {
      ...options,
      hint: 'Another process holds the store lock. If none is running, `oauth-recovery doctor` finds stale locks.',
    });
    this.lockPath = lockPath;
    this.waitedMs = waitedMs;
  }
}

/**
 * The lock was lost while we held it (taken over as stale, or its directory removed); the write
 * in progress was aborted, so nothing was written.
 */
export class LockCompromisedError extends OAuthRecoveryError {
  /** The file the lock guards. */
  readonly lockPath: string;
  constructor(lockPath: string, options?: { cause?: unknown }) {
    super('LOCK_COMPROMISED', `the lock on ${lockPath} was lost mid-write; the write was aborted`, {
      ...options,
      hint: 'Nothing was written. The operation can be retried.',
    });
    this.lockPath = lockPath;
  }
}

/**
 * The store's lock directory belongs to another (non-root) user, who may keep it forever, so
 * waiting would end in a timeout on every attempt. Raised at once instead (issue 11 item 6).
 */
export class LockOwnedByOtherUserError extends OAuthRecoveryError {
  /** The lock directory (`<store>.lock`). */
  readonly lockPath: string;
  /** Its owner's numeric uid. */
  readonly ownerUid: number;
  constructor(lockPath: string, ownerUid: number) {
    super(
      'LOCK_FOREIGN_OWNER',
      `the lock ${lockPath} is owned by another user (uid ${ownerUid}) and cannot be taken over`,
      {
        hint: `Keep the store in a directory only you can write (mode 0700); ask that user or root to remove '${lockPath}'.`,
      },
    );
    this.lockPath = lockPath;
    this.ownerUid = ownerUid;
  }
}

/**
 * `permanent`: the server said the grant is dead (a JSON 400 `invalid_grant` and kin), so only
 * a fresher login can help; `transient`: anything else (5xx, 403/429, HTML, network, timeout),
 * retried with backoff.
 */
export type RefreshFailureKind = 'permanent' | 'transient';

/**
 * What is known about one failed token request, for operators and programs. Only codes,
 * numbers and media types: never a token, never an excerpt of the body.
 */
export interface RefreshFailureDetails {
  /** The HTTP status the token endpoint answered with; absent when no answer arrived. */
  httpStatus?: number;
  /** The RFC 6749 §5.2 `error` code from a JSON error body, e.g. `invalid_grant`. */
  oauthError?: string;
  /** The answer's media type without parameters, e.g. `text/html`; `none` when the header was absent. */
  contentType?: string;
  /**
   * Why no usable answer arrived: a Node/undici error code (`ECONNREFUSED`, `ENOTFOUND`,
   * `ETIMEDOUT`, `UND_ERR_SOCKET`…), or `timeout` (our own deadline), `aborted` (the caller),
   * `too_large` (the body cap).
   */
  causeCode?: string;
  /** From `Retry-After`, in ms. */
  retryAfterMs?: number;
  /** @deprecated Use `httpStatus`; accepted for callers written before 0.x. */
  status?: number;
  /** The underlying error (a fetch failure, a parse error); never serialised by `toJSON()`. */
  cause?: unknown;
}

/**
 * The token endpoint refused or failed. `permanent` means the server said the grant is dead
 * (a JSON 400 `invalid_grant`); every other failure is `transient` (retry with backoff).
 * Thrown by `OAuthClient.refresh()` (src/oauth/refresh-client.ts) and by the runtime.
 */
export class RefreshError extends OAuthRecoveryError {
  /** Whether retrying can help (`transient`) or only a fresher login (`permanent`). */
  readonly kind: RefreshFailureKind;
  /** The HTTP status of the answer, when one arrived. */
  readonly httpStatus: number | undefined;
  /** Same as `httpStatus`; kept for callers written against the first releases. */
  readonly status: number | undefined;
  /** RFC 6749 error code from a JSON error body (`invalid_grant`, `invalid_client`…). */
  readonly oauthError: string | undefined;
  /** The answer's media type (`application/json`, `text/html`, `none`). */
  readonly contentType: string | undefined;
  /** Network/timeout cause code (`ECONNREFUSED`, `ENOTFOUND`, `timeout`, `aborted`, `too_large`…). */
  readonly causeCode: string | undefined;
  /** `Retry-After` in ms, when the server sent one. */
  readonly retryAfterMs: number | undefined;
  constructor(kind: RefreshFailureKind, message: string, details?: RefreshFailureDetails) {
    super('REFRESH_FAILED', message, {
      cause: details?.cause,
      hint:
        kind === 'permanent'
          ? 'The refresh token was revoked or already used; oauth-recovery will sync from the Claude Code CLI.'
          : 'A temporary failure; oauth-recovery retries with backoff.',
    });
    this.kind = kind;
    this.httpStatus = details?.httpStatus ?? details?.status;
    this.status = this.httpStatus;
    this.oauthError = details?.oauthError;
    this.contentType = details?.contentType;
    this.causeCode = details?.causeCode;
    this.retryAfterMs = details?.retryAfterMs;
  }
  /** The base fields plus `kind` and the failure details above; never `cause`, never a token. */
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      kind: this.kind,
      status: this.httpStatus,
      httpStatus: this.httpStatus,
      oauthError: this.oauthError,
      contentType: this.contentType,
      causeCode: this.causeCode,
      retryAfterMs: this.retryAfterMs,
    };
  }
}

/**
 * A token URL that would send a refresh token in the clear: plain `http://` to a host that is not
 * loopback. Thrown by `createOAuthClient`/`createAuthRecovery` when the URL is resolved.
 */
export class InsecureTokenUrlError extends OAuthRecoveryError {
  constructor(url: string) {
    super('INSECURE_TOKEN_URL', `refusing token URL ${url}: plain http is allowed only to loopback hosts`, {
      hint: 'Use an https:// URL, or http://127.0.0.1 / http://localhost / http://[::1] for a local test server.',
    });
  }
}

/**
 * A token URL taken from the environment names a host that is neither Anthropic's
 * (`platform.claude.com`, `console.anthropic.com`) nor loopback, and no option allowed it.
 * The refresh token is the whole login: it goes to another host only when code or the
 * operator names that host explicitly (`transport.tokenUrl`, `transport.allowedTokenHosts`,
 * or the CLI's `--token-url`). Thrown by `selectTokenUrl` (src/oauth/token-url.ts).
 */
export class ForeignTokenHostError extends OAuthRecoveryError {
  /** The refused host (no path, no credentials). */
  readonly host: string;
  constructor(host: string, from: string) {
    super('FOREIGN_TOKEN_HOST', `refusing token endpoint host ${host} from ${from}: not an Anthropic host`, {
      hint: 'Unset it, or name the host explicitly: `--token-url` on the command line, or `transport.tokenUrl` / `transport.allowedTokenHosts` in code.',
    });
    this.host = host;
  }
}

/**
 * TLS certificate verification is disabled for this process (`NODE_TLS_REJECT_UNAUTHORIZED=0`):
 * the refresh token would go to any certificate, so no https token request is sent. `transient`
 * (the grant is fine); `causeCode` `tls_verification_disabled`. Thrown by `OAuthClient.refresh()`.
 */
export class TlsVerificationDisabledError extends RefreshError {
  constructor() {
    super(
      'transient',
      'refusing to send the refresh token: TLS certificate verification is disabled (NODE_TLS_REJECT_UNAUTHORIZED=0)',
      { causeCode: 'tls_verification_disabled' },
    );
    Object.defineProperty(this, 'hint', {
      value: "Unset NODE_TLS_REJECT_UNAUTHORIZED (or give Node the proxy's CA with NODE_EXTRA_CA_CERTS).",
    });
  }
}

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

/** What an errno means, for a person. */
const ERRNO_MEANING: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
};

/**
 * Our own profile store could not be written (a full or read-only disk, permissions, a lock
 * directory that cannot be created). `path` is the file or directory, `errno` the system code
 * (`ENOSPC`, `EROFS`, `EACCES`…). Thrown by the file store's writes and `checkWritable()`;
 * the runtime keeps serving a rotated pair from memory meanwhile and retries the save.
 */
export class StoreError extends OAuthRecoveryError {
  readonly path: string;
  readonly errno: string;
  constructor(path: string, errno: string, options?: { cause?: unknown }) {
    const meaning = ERRNO_MEANING[errno];
    super('STORE_WRITE', `${path}: could not write the store (${errno}${meaning ? `: ${meaning}` : ''})`, {
      cause: options?.cause,
      hint: `Free space or fix the permissions of ${path} and its directory; a rotated login is kept in memory and saved as soon as a write succeeds.`,
    });
    this.path = path;
    this.errno = errno;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), path: this.path, errno: this.errno };
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

/**
 * The macOS login Keychain could not be read or written (`security` failed, timed out, or the
 * item is locked); the message names the item, never its secret.
 */
export class KeychainError extends OAuthRecoveryError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KEYCHAIN', message, options);
  }
}

/**
 * An optional peer dependency a feature needs is not installed: `@statelyai/inspect` for the
 * Stately inspector, `pino-pretty` for `createLogger({ pretty: true })`. The hint names the
 * `npm install` that fixes it.
 */
export class MissingDependencyError extends OAuthRecoveryError {
  /** The npm package to install, e.g. `@statelyai/inspect`. */
  readonly packageName: string;
  /** What needs it, e.g. `the Stately inspector`. */
  readonly feature: string;
  constructor(packageName: string, feature: string, options?: { cause?: unknown }) {
    super(
      'MISSING_DEPENDENCY',
      `${feature} needs the optional package ${packageName}, which is not installed`,
      {
        ...options,
        hint: `npm install ${packageName}`,
      },
    );
    this.packageName = packageName;
    this.feature = feature;
  }
}

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

/**
 * The Redis profile store failed: unreachable server, a configuration it cannot work with (no
 * encryption key, a malformed key), a record it cannot decrypt, or a commit that kept losing its
 * race. The message never holds a token.
 */
export class RedisStoreError extends OAuthRecoveryError {
  /** The server without credentials, and the key prefix: `redis://host:port/db (prefix oauthrec)`. */
  readonly location: string;
  /** What went wrong, e.g. `read: no answer within 10000 ms`. */
  readonly reason: string;
  constructor(location: string, reason: string, options?: { cause?: unknown; hint?: string }) {
    super('REDIS_STORE', `${location}: ${reason}`, options);
    this.location = location;
    this.reason = reason;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), location: this.location };
  }
}
