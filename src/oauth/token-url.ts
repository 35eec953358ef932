/**
 * Which token endpoint we may send a refresh token to. The refresh token is the whole login,
 * so it only travels over https, or over plain http to this machine (a local test server).
 * Reading `OAUTH_RECOVERY_TOKEN_URL` is the caller's job; this module only validates.
 */
import { ForeignTokenHostError, InsecureTokenUrlError } from '../errors.js';

/** Anthropic's OAuth token endpoint, as Claude Code 2.1.x uses it. */
export const DEFAULT_TOKEN_URL = 'https://platform.claude.com/v1/oauth/token';
/** The endpoint older Claude Code releases used; still answers, kept for configuration. */
export const LEGACY_TOKEN_URL = 'https://console.anthropic.com/v1/oauth/token';

/** Anthropic's token endpoint hosts: the refresh token may go here without being named. */
export const ANTHROPIC_TOKEN_HOSTS: readonly string[] = ['platform.claude.com', 'console.anthropic.com'];

/** True for 127.0.0.0/8, `localhost` and `::1`. `URL` has already normalised the host (`127.1` → `127.0.0.1`). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]' || host === '::1') return true;
  // WHATWG URL parsing has already rejected octets above 255 and canonicalised the address.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The URL without user info, query or fragment: safe to put in an error message. */
function describeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/**
 * Validates and normalises a token endpoint URL (default: {@link DEFAULT_TOKEN_URL}).
 * Throws {@link InsecureTokenUrlError} for plain http to a non-loopback host, for any other
 * protocol, for URLs with embedded credentials, and for strings that are not absolute URLs.
 */
export function resolveTokenUrl(url?: string): string {
  const raw = url === undefined || url.trim() === '' ? DEFAULT_TOKEN_URL : url.trim();
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new InsecureTokenUrlError('(not an absolute URL)');
  }
  // fetch() refuses user:password@ URLs anyway, and they would leak into logs: refuse early.
  if (parsed.username !== '' || parsed.password !== '') throw new InsecureTokenUrlError(describeUrl(parsed));
  if (parsed.protocol === 'https:') return parsed.href;
  if (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname)) return parsed.href;
  throw new InsecureTokenUrlError(describeUrl(parsed));
}

/** Where a token URL came from. */
export type TokenUrlOrigin = 'option' | 'env' | 'default';

export interface TokenUrlSelection {
  /** The validated URL. */
  url: string;
  origin: TokenUrlOrigin;
}

/**
 * The token endpoint policy. An explicit `tokenUrl` (named in code or on the command line) is
 * used as given (after {@link resolveTokenUrl}). The environment is read only when `env` is
 * passed (the library does not read `process.env` by itself; the CLI opts in), and a URL from
 * `OAUTH_RECOVERY_TOKEN_URL` must name an Anthropic host ({@link ANTHROPIC_TOKEN_HOSTS}),
 * loopback, or a host listed in `allowedTokenHosts`.
 * @throws {InsecureTokenUrlError} plain http off loopback, other protocols, user:password.
 * @throws {ForeignTokenHostError} an environment URL naming a host nobody allowed.
 */
export function selectTokenUrl(options: {
  tokenUrl?: string;
  env?: NodeJS.ProcessEnv;
  allowedTokenHosts?: readonly string[];
}): TokenUrlSelection {
  if (options.tokenUrl !== undefined && options.tokenUrl.trim() !== '') {
    return { url: resolveTokenUrl(options.tokenUrl), origin: 'option' };
  }
  const fromEnv = options.env?.OAUTH_RECOVERY_TOKEN_URL;
  if (fromEnv === undefined || fromEnv.trim() === '') return { url: resolveTokenUrl(), origin: 'default' };
  const url = resolveTokenUrl(fromEnv);
  const host = new URL(url).hostname.toLowerCase();
  const allowed = [
    ...ANTHROPIC_TOKEN_HOSTS,
    ...(options.allowedTokenHosts ?? []).map((h) => h.toLowerCase()),
  ];
  if (!allowed.includes(host) && !isLoopbackHost(host)) {
    throw new ForeignTokenHostError(host, 'OAUTH_RECOVERY_TOKEN_URL');
  }
  return { url, origin: 'env' };
}

/** True when this process sends https requests without verifying certificates. */
export function isTlsVerificationDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.NODE_TLS_REJECT_UNAUTHORIZED === '0';
}
