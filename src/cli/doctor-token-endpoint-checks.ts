/**
 * `doctor`'s checks of the token endpoint: TLS verification left on, where the URL comes from
 * and whose host it names (the refresh token is sent there), and with `--online` a probe that
 * sends a deliberately bogus refresh token and expects the endpoint to refuse it (HTTP 400):
 * that proves the endpoint answers without spending a real login.
 */
import { RefreshError } from '../errors.js';
import { createOAuthClient } from '../oauth/refresh-client.js';
import {
  ANTHROPIC_TOKEN_HOSTS,
  DEFAULT_TOKEN_URL,
  isLoopbackHost,
  isTlsVerificationDisabled,
  LEGACY_TOKEN_URL,
} from '../oauth/token-url.js';
import { type CliConfig, validatedTokenUrl } from './config.js';
import type { AddFinding } from './doctor-finding.js';
import { describeError } from './output.js';

const BOGUS_REFRESH_TOKEN = 'oauth-recovery-doctor-probe-not-a-token';

/** The token URL the policy allows, or undefined after adding the refusal as an error finding. */
function allowedTokenUrl(config: CliConfig, add: AddFinding): string | undefined {
  try {
    return validatedTokenUrl(config);
  } catch (error) {
    const report = describeError(error);
    add('tokenUrl', 'error', report.message, report.hint ?? null);
    return undefined;
  }
}

/** Adds the TLS and token URL findings; returns the URL when it passes the policy. */
export function checkTokenUrl(config: CliConfig, add: AddFinding): string | undefined {
  if (isTlsVerificationDisabled(config.env)) {
    add(
      'tls',
      'error',
      'TLS certificate verification is disabled (NODE_TLS_REJECT_UNAUTHORIZED=0): refreshes are refused, the refresh token would go to any certificate',
      'Unset NODE_TLS_REJECT_UNAUTHORIZED (give Node a proxy CA with NODE_EXTRA_CA_CERTS instead).',
    );
  }
  const tokenUrl = allowedTokenUrl(config, add);
  if (tokenUrl === undefined) return undefined;
  const host = new URL(tokenUrl).hostname;
  const from = config.tokenUrlOrigin === 'env' ? 'OAUTH_RECOVERY_TOKEN_URL' : '--token-url';
  if (config.tokenUrlOrigin === 'env' && tokenUrl !== DEFAULT_TOKEN_URL) {
    add(
      'tokenUrl.env',
      'warn',
      `the token endpoint comes from the environment (OAUTH_RECOVERY_TOKEN_URL=${tokenUrl})`,
      'Make sure whoever sets this environment may receive the login; unset it in production.',
    );
  }
  if (!ANTHROPIC_TOKEN_HOSTS.includes(host) && !isLoopbackHost(host)) {
    add(
      'tokenUrl.host',
      'warn',
      `the token endpoint host ${host} is not Anthropic's (${ANTHROPIC_TOKEN_HOSTS.join(', ')}): the refresh token is sent there`,
      'Only keep it if you run that host (a proxy you trust); otherwise drop --token-url.',
    );
  }
  if (tokenUrl === DEFAULT_TOKEN_URL) add('tokenUrl', 'ok', `token endpoint ${tokenUrl} (default)`);
  else if (tokenUrl === LEGACY_TOKEN_URL) {
    add(
      'tokenUrl',
      'warn',
      `token endpoint ${tokenUrl} is the older endpoint`,
      `Unset ${from} to use ${DEFAULT_TOKEN_URL}.`,
    );
  } else {
    const loopback = isLoopbackHost(host);
    add(
      'tokenUrl',
      loopback ? 'warn' : 'ok',
      `token endpoint ${tokenUrl} (from ${from})${loopback ? ': a local test server' : ''}`,
      loopback ? 'Fine for tests; unset it in production.' : null,
    );
  }
  return tokenUrl;
}

/** `--online`: the endpoint must refuse a bogus refresh token with HTTP 400. */
export async function probeTokenEndpoint(
  tokenUrl: string,
  timeoutMs: number,
  add: AddFinding,
): Promise<void> {
  try {
    await createOAuthClient({ tokenUrl, timeoutMs }).refresh(BOGUS_REFRESH_TOKEN);
    add(
      'online',
      'error',
      `${tokenUrl} accepted a bogus refresh token`,
      'Check --token-url: this is not Anthropic.',
    );
  } catch (error) {
    if (error instanceof RefreshError && error.status === 400) {
      add(
        'online',
        'ok',
        `${tokenUrl} answers (400 ${error.oauthError ?? 'error'} for a bogus token, as expected)`,
      );
    } else if (error instanceof RefreshError && error.status !== undefined) {
      add(
        'online',
        'error',
        `${tokenUrl} answered HTTP ${error.status} instead of 400`,
        'Check --token-url / OAUTH_RECOVERY_TOKEN_URL and any proxy in between.',
      );
    } else {
      add(
        'online',
        'error',
        `cannot reach ${tokenUrl}: ${describeError(error).message}`,
        'Check the network, DNS, proxy settings and --token-url.',
      );
    }
  }
}
