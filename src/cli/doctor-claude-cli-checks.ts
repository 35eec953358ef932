/**
 * `doctor`'s checks of the Claude Code CLI's login: present and not blank, fresher than the
 * store or not, writable when it shares the store's refresh token (else delegate mode), and
 * its file's mode. Reads only.
 */
import { createClaudeCliSource } from '../credentials/claude-cli-source.js';
import { isCredentialFresher } from '../credentials/freshness.js';
import type { OAuthCredential } from '../credentials/types.js';
import type { CliConfig } from './config.js';
import type { AddFinding } from './doctor-finding.js';
import { formatMode, isOpenToOthers, statOrNull } from './file-mode.js';
import { formatTime } from './format.js';
import { describeError } from './output.js';
import { writeBackBlockedReason } from './profile-report.js';

/** The CLI's credential source, as `doctor` reads it. */
export type ClaudeCliSource = ReturnType<typeof createClaudeCliSource>;

/** Adds the CLI's findings, comparing with `stored` (the store's credential, if any); returns the source read. */
export async function checkClaudeCli(
  config: CliConfig,
  stored: OAuthCredential | null,
  now: () => number,
  add: AddFinding,
): Promise<ClaudeCliSource> {
  const cli = createClaudeCliSource({ configDir: config.claudeConfigDir, env: config.env, now });
  try {
    const read = await cli.read();
    if (read.status === 'missing') {
      add(
        'cli',
        'warn',
        `no Claude CLI credentials at ${cli.location}: nothing to sync from when the refresh token dies`,
        'Log in with `claude` on this host, or pass --claude-config-dir / CLAUDE_CONFIG_DIR.',
      );
    } else if (read.status === 'blank') {
      add(
        'cli',
        'warn',
        `the Claude CLI at ${cli.location} is logged out (blank credentials)`,
        'Run `claude` and log in again.',
      );
    } else {
      add(
        'cli',
        'ok',
        `Claude CLI credentials at ${cli.location}, fingerprint ${read.meta.fingerprint}, expires ${formatTime(read.credential.expiresAt)}`,
      );
      if (isCredentialFresher(read.credential, stored, now())) {
        add(
          'freshness',
          'warn',
          'the Claude CLI holds fresher credentials than the store',
          'Run `oauth-recovery sync`.',
        );
      } else if (stored && read.credential.accessToken === stored.accessToken) {
        add('freshness', 'ok', 'the Claude CLI and the store share the same login');
      } else if (stored) {
        add('freshness', 'ok', "the store's credentials are at least as fresh as the Claude CLI's");
      }
      const blocked = await writeBackBlockedReason(cli, read, stored);
      if (blocked) {
        add(
          'cli.writeBack',
          'warn',
          `the Claude CLI shares the store's refresh token but its credentials cannot be written (${blocked}): oauth-recovery will not spend that token and waits for the CLI to refresh it (delegate mode)`,
          `Make ${cli.storageDir} and its .credentials.json writable for this user (or stop mounting it read-only).`,
        );
      }
    }
    if (cli.kind === 'file') {
      const cliStat = await statOrNull(cli.location).catch(() => null);
      if (cliStat && isOpenToOthers(cliStat.mode)) {
        add(
          'cli.mode',
          'warn',
          `Claude CLI credentials mode is ${formatMode(cliStat.mode & 0o777)}`,
          `chmod 600 '${cli.location}'`,
        );
      }
    }
  } catch (error) {
    const report = describeError(error);
    add(
      'cli',
      'error',
      `Claude CLI credentials unreadable: ${report.message}`,
      report.hint ?? 'Log in with `claude` again.',
    );
  }
  return cli;
}
