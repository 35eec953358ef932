/**
 * The CLI's view of its token requests: each request is logged before it is sent (so a slow
 * or silent endpoint is never a silent minute) and each failure is logged at warn with its
 * class, HTTP status, OAuth error code, content type and cause code (never a token, never a
 * body). The last failure is kept so a command can name it in its one-line error.
 */
import { RefreshError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { OAuthClient } from '../oauth/refresh-client.js';

/** An OAuth client that logs its requests and remembers the last failure. */
export interface LoggedOAuthClient extends OAuthClient {
  /** The last RefreshError this client threw, if any. */
  lastFailure(): RefreshError | undefined;
  /** Token requests sent so far. */
  requests(): number;
}

/** A secret-free summary of a RefreshError for logs and CLI output: `HTTP 403 text/html`. */
export function describeRefreshFailure(error: RefreshError): string {
  const parts: string[] = [];
  if (error.httpStatus !== undefined) parts.push(`HTTP ${error.httpStatus}`);
  if (error.oauthError !== undefined) parts.push(error.oauthError);
  if (error.contentType !== undefined && error.oauthError === undefined) parts.push(error.contentType);
  if (error.causeCode !== undefined) parts.push(error.causeCode);
  return parts.join(' ') || error.code;
}

export function logTokenRequests(client: OAuthClient, logger: Logger, timeoutMs: number): LoggedOAuthClient {
  let host = client.tokenUrl;
  try {
    host = new URL(client.tokenUrl).host;
  } catch {
    // Already validated by the client; keep the raw value otherwise.
  }
  let count = 0;
  let last: RefreshError | undefined;
  return {
    tokenUrl: client.tokenUrl,
    lastFailure: () => last,
    requests: () => count,
    async refresh(refreshToken, signal) {
      count += 1;
      const request = count;
      logger.info(
        { event: 'tokenRequest', request, host, timeoutMs },
        `requesting a new token from ${host} (request ${request}, gives up after ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`})`,
      );
      try {
        return await client.refresh(refreshToken, signal);
      } catch (error) {
        if (error instanceof RefreshError) {
          last = error;
          logger.warn(
            {
              event: 'tokenRequestFailed',
              request,
              host,
              kind: error.kind,
              httpStatus: error.httpStatus,
              oauthError: error.oauthError,
              contentType: error.contentType,
              causeCode: error.causeCode,
              retryAfterMs: error.retryAfterMs,
            },
            `token request ${request} failed (${error.kind}): ${error.message}`,
          );
        }
        throw error;
      }
    },
  };
}
