/**
 * The token endpoint: a refused or failed refresh (permanent or transient, with what is known
 * about the answer), and token URLs or TLS settings that would leak the refresh token.
 */
import { OAuthRecoveryError } from './oauth-recovery-error.js';

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
