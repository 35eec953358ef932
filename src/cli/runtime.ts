/** The runtime as the CLI configures it: the resolved store, profile, CLI dir, token URL and logger. */
import type { Logger } from '../logging/logger.js';
import { type AuthRecovery, type AuthRecoveryOptions, createAuthRecovery } from '../runtime/index.js';
import { type CliConfig, validatedTokenUrl } from './config.js';

export function createCliAuthRecovery(
  config: CliConfig,
  logger: Logger,
  extra: Partial<AuthRecoveryOptions> = {},
): AuthRecovery {
  return createAuthRecovery({
    store: config.storePath,
    profileId: config.profileId,
    claudeConfigDir: config.claudeConfigDir,
    tokenUrl: validatedTokenUrl(config),
    env: config.env,
    logger,
    ...extra,
  });
}
