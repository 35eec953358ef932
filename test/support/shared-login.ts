/**
 * One login shared by our store and the Claude Code CLI's file, as the suites that race the CLI
 * (the real binary, the lock-order check) start every round.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FakeAnthropic, IssuedLogin } from './fake-anthropic.js';

/**
 * One fresh login from `fake`, expired an hour ago, shared: in our store (`storePath`, profile
 * `anthropic:claude-cli`) and in the CLI's file (`cliPath`, with `extraOauth` fields merged into
 * `claudeAiOauth`), both 0600. Returns the login.
 */
export async function writeSharedExpiredLogin(
  fake: FakeAnthropic,
  storePath: string,
  cliPath: string,
  extraOauth: Record<string, unknown> = {},
): Promise<IssuedLogin> {
  const login = { ...fake.issueLogin(), expiresAt: Date.now() - 3_600_000 };
  await mkdir(path.dirname(storePath), { recursive: true, mode: 0o700 });
  const profile = {
    type: 'oauth',
    provider: 'anthropic',
    access: login.accessToken,
    refresh: login.refreshToken,
    expires: login.expiresAt,
  };
  const profiles = { 'anthropic:claude-cli': profile };
  await writeFile(storePath, JSON.stringify({ version: 1, profiles }), { mode: 0o600 });
  const oauth = {
    accessToken: login.accessToken,
    refreshToken: login.refreshToken,
    expiresAt: login.expiresAt,
    scopes: ['user:inference', 'user:profile', 'user:sessions:claude_code'],
    subscriptionType: 'max',
    rateLimitTier: 'default_claude_max_20x',
    ...extraOauth,
  };
  await writeFile(cliPath, JSON.stringify({ claudeAiOauth: oauth }), { mode: 0o600 });
  return login;
}
