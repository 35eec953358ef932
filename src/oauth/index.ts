/**
 * `src/oauth`: talking to Anthropic's OAuth token endpoint (one hardened refresh_token grant,
 * URL policy, response schema) and recognising the API's "your token is dead" answers.
 */
export { describeAuthRejection, isAuthRejection } from './auth-rejection.js';
export { classifyTokenStatus, parseRetryAfter } from './classify-token-failure.js';
export { maskSecrets } from './mask-secrets.js';
export {
  createOAuthClient,
  DEFAULT_CLIENT_ID,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_TIMEOUT_MS,
  type FetchLike,
  type OAuthClient,
  type OAuthClientOptions,
} from './refresh-client.js';
export {
  parseTokenErrorResponse,
  parseTokenResponse,
  type TokenErrorResponse,
  type TokenResponse,
  tokenErrorResponseSchema,
  tokenResponseSchema,
} from './token-response-schema.js';
export { DEFAULT_TOKEN_URL, isLoopbackHost, LEGACY_TOKEN_URL, resolveTokenUrl } from './token-url.js';
export { defaultUserAgent } from './user-agent.js';
