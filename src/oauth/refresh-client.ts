/**
 * One refresh_token grant against Anthropic's token endpoint, hardened for unattended use:
 * a timeout, a byte cap on the answer, schema validation, and a failure classification
 * (`permanent` / `transient`) that the recovery machine acts on. Single-flight and locking
 * live in the runtime; this module does exactly one HTTP exchange per call.
 *
 * Why the built-in fetch and not undici (or got/axios): Node 20+ ships fetch (undici inside),
 * it supports AbortSignal for the timeout and a WHATWG stream body for the byte cap, so an
 * extra dependency would only add a second undici copy and supply-chain surface to a package
 * that handles login secrets. `fetch` is injectable for tests and for proxies.
 *
 * Secrets: the refresh token appears only in the request body. Errors carry status, OAuth
 * error code, content type and a masked server description; causes are rebuilt from names,
 * codes and masked messages so no original error object (which could hold the request)
 * travels up.
 */
import type { OAuthCredential } from '../credentials/types.js';
import { RefreshError, TlsVerificationDisabledError } from '../errors.js';
import { anySignal, ResponseTooLargeError, readCappedText } from './capped-response.js';
import { classifyTokenStatus, describeContentType, parseRetryAfter } from './classify-token-failure.js';
import { toSafeSnippet } from './mask-secrets.js';
import { toRotatedCredential } from './rotated-credential.js';
import { parseTokenErrorResponse, parseTokenResponse } from './token-response-schema.js';
import { isTlsVerificationDisabled, resolveTokenUrl } from './token-url.js';
import { defaultUserAgent } from './user-agent.js';

/** The public client id of the Claude Code CLI, which owns the logins we keep alive. */
export const DEFAULT_CLIENT_ID = '9d1c250a-e61b-44d9-88ed-5944d1962f5e';
export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface OAuthClientOptions {
  /** Validated by {@link resolveTokenUrl}; default `https://platform.claude.com/v1/oauth/token`. */
  tokenUrl?: string;
  clientId?: string;
  /** Whole exchange, headers and body. Default 15 s. */
  timeoutMs?: number;
  /** Larger answers are cut off and reported as transient. Default 64 KiB. */
  maxResponseBytes?: number;
  /** Default `oauth-recovery/<version> node/<process.version>`. */
  userAgent?: string;
  /** Default `globalThis.fetch`. */
  fetch?: FetchLike;
  /** Clock for `expiresAt` and HTTP-date `Retry-After`. Default `Date.now`. */
  now?: () => number;
}

/** A client for Anthropic's OAuth token endpoint that does one thing: the refresh_token grant. */
export interface OAuthClient {
  /** The validated, normalised token endpoint URL. */
  readonly tokenUrl: string;
  /**
   * Exchanges a refresh token for a new pair. Resolves with the new credential; rejects
   * only with {@link RefreshError}. When the answer rotated the refresh token, the old one is
   * dead once this resolves; when it did not (no `refresh_token` in the answer, RFC 6749 §6),
   * the credential carries the old refresh token, which stays valid. `expiresAt` (epoch ms)
   * is clamped to at most `MAX_TOKEN_LIFETIME_MS` ahead, and defaults to
   * `DEFAULT_TOKEN_LIFETIME_MS` when the answer had no usable `expires_in`; `refreshTokenExpiresAt`
   * (epoch ms) comes from `refresh_token_expires_in`, clamped to 3650 days, absent when it had none.
   * @throws {RefreshError} `permanent` only for a 4xx JSON `invalid_grant`; `transient` otherwise.
   */
  refresh(refreshToken: string, signal?: AbortSignal): Promise<OAuthCredential>;
}

/**
 * A secret-free stand-in for a thrown error: names, codes and masked messages of the chain,
 * e.g. `TypeError: fetch failed <- SocketError UND_ERR_SOCKET: other side closed`.
 */
function safeCause(error: unknown, secrets: readonly string[]): Error {
  const parts: string[] = [];
  let code: string | undefined;
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth += 1) {
    if (current instanceof Error) {
      const errorCode = (current as { code?: unknown }).code;
      if (code === undefined && typeof errorCode === 'string') code = errorCode;
      const label = typeof errorCode === 'string' ? `${current.name} ${errorCode}` : current.name;
      parts.push(`${label}: ${toSafeSnippet(current.message, 160, secrets)}`);
      current = current.cause;
    } else {
      parts.push(typeof current);
      break;
    }
  }
  const cause = new Error(parts.join(' <- '));
  cause.name = 'TokenRequestFailure';
  if (code !== undefined) Object.assign(cause, { code });
  return cause;
}

function tryParseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    // Never keep the SyntaxError: V8 quotes the offending input in its message.
    return { ok: false };
  }
}

/** An OAuth `error` code is printable only when it looks like one. */
function safeOAuthErrorCode(value: string | undefined): string | undefined {
  return value !== undefined && /^[A-Za-z0-9_.-]{1,64}$/.test(value) ? value : undefined;
}

function requirePositive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number`);
  return value;
}

/**
 * The hardened refresh_token grant Claude Code 2.1.x sends: POST JSON `{ grant_type,
 * refresh_token, client_id }` to `tokenUrl` (default `DEFAULT_TOKEN_URL`), with a timeout
 * and a cap on the answer's size; answers are validated field by field.
 * @throws InsecureTokenUrlError for plain http to a non-loopback host.
 * @throws RangeError for a non-positive timeout or size cap.
 */
export function createOAuthClient(options: OAuthClientOptions = {}): OAuthClient {
  const tokenUrl = resolveTokenUrl(options.tokenUrl);
  const clientId = options.clientId ?? DEFAULT_CLIENT_ID;
  const timeoutMs = requirePositive('timeoutMs', options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const maxResponseBytes = requirePositive(
    'maxResponseBytes',
    options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
  );
  const userAgent = options.userAgent ?? defaultUserAgent();
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const now = options.now ?? Date.now;

  async function refresh(refreshToken: string, callerSignal?: AbortSignal): Promise<OAuthCredential> {
    if (typeof refreshToken !== 'string' || refreshToken.trim() === '') {
      // A blank token can never be exchanged: the login is gone, not the server.
      throw new RefreshError('permanent', 'no refresh token to exchange (the credential is blank)');
    }
    // Node reads this variable for every TLS connection: with it at 0 any certificate would do.
    if (tokenUrl.startsWith('https:') && isTlsVerificationDisabled())
      throw new TlsVerificationDisabledError();
    const secrets = [refreshToken];
    const timeoutSignal = AbortSignal.timeout(timeoutMs);
    const signal = callerSignal === undefined ? timeoutSignal : anySignal([callerSignal, timeoutSignal]);

    /** Failures with no usable HTTP answer: network, timeout, caller abort, cut-off body. */
    const exchangeFailure = (
      error: unknown,
      phase: 'request' | 'body',
      answer?: { httpStatus: number; contentType: string },
    ): RefreshError => {
      const httpStatus = answer?.httpStatus;
      const contentType = answer?.contentType;
      const at = httpStatus === undefined ? '' : ` (HTTP ${httpStatus})`;
      if (error instanceof ResponseTooLargeError) {
        return new RefreshError(
          'transient',
          `token endpoint answer${at} exceeded ${maxResponseBytes} bytes: response too large`,
          { httpStatus, contentType, causeCode: 'too_large' },
        );
      }
      const cause = safeCause(error, secrets);
      if (timeoutSignal.aborted) {
        const what = phase === 'request' ? 'did not answer' : 'did not finish its answer';
        return new RefreshError('transient', `token endpoint ${what}${at} within ${timeoutMs} ms (timeout)`, {
          httpStatus,
          contentType,
          causeCode: 'timeout',
          cause,
        });
      }
      if (callerSignal?.aborted) {
        return new RefreshError('transient', `token refresh aborted by the caller${at}`, {
          httpStatus,
          contentType,
          causeCode: 'aborted',
          cause,
        });
      }
      const causeCode = (cause as { code?: string }).code;
      const codeText = causeCode === undefined ? '' : ` ${causeCode}`;
      const what =
        phase === 'request'
          ? `could not reach the token endpoint (network error${codeText})`
          : `the connection broke while reading the token endpoint answer${at}`;
      return new RefreshError('transient', what, { httpStatus, contentType, causeCode, cause });
    };

    // Sampled before sending: the token was issued no earlier than this, so expiry is conservative.
    const requestedAt = now();
    let response: Response;
    try {
      response = await fetchImpl(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': userAgent },
        body: JSON.stringify({
          grant_type: 'refresh_token',
          refresh_token: refreshToken,
          client_id: clientId,
        }),
        signal,
        // A redirect would resend the refresh token to wherever it points: never follow one.
        redirect: 'manual',
      });
    } catch (error) {
      throw exchangeFailure(error, 'request');
    }

    const { status } = response;
    const contentType = describeContentType(response.headers.get('content-type'));
    const ok = status >= 200 && status < 300;
    let text: string;
    try {
      text = await readCappedText(response, maxResponseBytes);
    } catch (error) {
      // Whatever the status, an unread body said nothing about the grant: transient.
      throw exchangeFailure(error, 'body', { httpStatus: status, contentType });
    }
    const parsed = tryParseJson(text);

    if (ok) {
      if (!parsed.ok) {
        throw new RefreshError(
          'transient',
          `token endpoint answered HTTP ${status} with a body that is not JSON (content-type ${contentType})`,
          { httpStatus: status, contentType },
        );
      }
      const body = parseTokenResponse(parsed.value, status, contentType);
      return toRotatedCredential(body, refreshToken, requestedAt);
    }

    const errorBody = parsed.ok ? parseTokenErrorResponse(parsed.value) : undefined;
    const oauthError = safeOAuthErrorCode(errorBody?.error);
    const description =
      errorBody?.error_description === undefined
        ? ''
        : toSafeSnippet(errorBody.error_description, 200, secrets);
    let detail = '';
    if (oauthError !== undefined)
      detail = description === '' ? ` ${oauthError}` : ` ${oauthError}: ${description}`;
    else if (!parsed.ok && text.trim() !== '')
      detail = ` with a body that is not JSON (content-type ${contentType})`;
    const kind = classifyTokenStatus(status, oauthError);
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now());
    throw new RefreshError(kind, `token endpoint answered HTTP ${status}${detail}`, {
      httpStatus: status,
      oauthError,
      contentType,
      retryAfterMs,
    });
  }

  return { tokenUrl, refresh };
}
