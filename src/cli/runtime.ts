/** The runtime as the CLI configures it: the resolved store, profile, CLI dir, token URL and logger. */
import type { Logger } from '../logging/logger.js';
import { createOAuthClient, DEFAULT_TIMEOUT_MS } from '../oauth/refresh-client.js';
import { type AuthRecovery, type AuthRecoveryOptions, createAuthRecovery } from '../runtime/index.js';
import { type CliConfig, validatedTokenUrl } from './config.js';
import { type LoggedOAuthClient, logTokenRequests } from './token-request-log.js';

/** The token endpoint client of a CLI run: every request logged, the last failure kept. */
export function createCliOAuthClient(
  config: CliConfig,
  logger: Logger,
  timeoutMs: number = DEFAULT_TIMEOUT_MS,
): LoggedOAuthClient {
  return logTokenRequests(
    createOAuthClient({ tokenUrl: validatedTokenUrl(config), timeoutMs }),
    logger,
    timeoutMs,
  );
}

export function createCliAuthRecovery(
  config: CliConfig,
  logger: Logger,
  extra: Partial<AuthRecoveryOptions> = {},
): AuthRecovery {
  return createAuthRecovery({
    store: config.storePath,
    profileId: config.profileId,
    claudeConfigDir: config.claudeConfigDir,
    oauthClient: createCliOAuthClient(config, logger),
    env: config.env,
    logger,
    ...extra,
  });
}
