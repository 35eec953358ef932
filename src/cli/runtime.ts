/** The runtime as the CLI configures it: the resolved store, profile, CLI dir, token URL and logger. */
import type { Logger } from '../logging/logger.js';
import { createOAuthClient, DEFAULT_TIMEOUT_MS } from '../oauth/refresh-client.js';
import { type AuthRecovery, type AuthRecoveryOptions, createAuthRecovery } from '../runtime/index.js';
import { openCliStore } from './cli-store.js';
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
  // A Redis store's connections end with the runtime (stop), so the process can exit.
  const opened = config.storeUrl === null ? null : openCliStore(config);
  const auth = createAuthRecovery({
    store: opened?.store ?? config.storePath,
    profileId: config.profileId,
    claudeConfigDir: config.claudeConfigDir,
    oauthClient: createCliOAuthClient(config, logger),
    env: config.env,
    logger,
    ...extra,
  });
  if (!opened) return auth;
  const stop = auth.stop.bind(auth);
  return Object.assign(auth, {
    stop: async () => {
      try {
        await stop();
      } finally {
        await opened.close();
      }
    },
  });
}
