/**
 * Writes the two documents a login lives in, as their owners write them, for the demo and the
 * test suites: openclaw's `auth-profiles.json` (the profile store, version 1) and the Claude
 * Code CLI's `.credentials.json` (Claude Code 2.1.x: `claudeAiOauth` plus the CLI's other keys).
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { OAuthCredential } from '../../credentials/types.js';

/** Options for `writeAuthProfilesFile`. */
export interface AuthProfilesFileOptions {
  /** The profile that holds the login. Default `anthropic:claude-cli`. */
  profileId?: string;
  /** Other profiles written beside ours (e.g. another provider's key), kept as given. */
  otherProfiles?: Record<string, unknown>;
  /** Top-level keys written over the defaults (`order`, `lastGood`, `usageStats`, ...). */
  extra?: Record<string, unknown>;
}

/**
 * Writes an openclaw-style store holding `login` as an `oauth` profile (none when `login` is
 * null), mode 0600, its directory created 0700.
 */
export async function writeAuthProfilesFile(
  file: string,
  login: OAuthCredential | null,
  options: AuthProfilesFileOptions = {},
): Promise<void> {
  const profileId = options.profileId ?? 'anthropic:claude-cli';
  const profiles: Record<string, unknown> = { ...options.otherProfiles };
  if (login !== null) {
    profiles[profileId] = {
      type: 'oauth',
      provider: 'anthropic',
      access: login.accessToken,
      refresh: login.refreshToken,
      expires: login.expiresAt,
    };
  }
  const document = {
    version: 1,
    profiles,
    order: { anthropic: [profileId] },
    lastGood: {},
    usageStats: {},
    ...options.extra,
  };
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o600 });
}

/**
 * Writes the Claude Code CLI's credentials file as the CLI does (a temp file renamed into
 * place; its directory created 0700). `'blank'` writes what the CLI leaves after its own refresh failed: empty tokens,
 * `expiresAt: 0`. `extra` adds top-level keys the CLI keeps there (e.g. `mcpOAuth`).
 */
export async function writeClaudeCliFile(
  file: string,
  login: OAuthCredential | 'blank',
  extra: Record<string, unknown> = {},
): Promise<void> {
  const claudeAiOauth =
    login === 'blank'
      ? { accessToken: '', refreshToken: '', expiresAt: 0, scopes: [], subscriptionType: 'max' }
      : {
          accessToken: login.accessToken,
          refreshToken: login.refreshToken,
          expiresAt: login.expiresAt,
          scopes: ['user:inference', 'user:profile'],
          subscriptionType: 'max',
          rateLimitTier: 'default_claude_max_20x',
        };
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.tmp-${process.pid}`;
  await writeFile(temp, JSON.stringify({ claudeAiOauth, ...extra }), { mode: 0o600 });
  await rename(temp, file);
}
