/** Usage errors: exit 2, one line plus the fix, no stack trace (unless --log-level debug). */
import { describe, expect, it } from 'vitest';
import { baseEnv, ensureCliBuilt, expectOneLineError, runCliBinary } from './cli-harness.js';

ensureCliBuilt();

describe('usage', () => {
  it.each([
    [['--bogus'], /unknown option '--bogus'/],
    [['status', '--frobnicate'], /unknown option '--frobnicate'/],
    [['stauts'], /unknown command 'stauts'/],
    [['status', 'extra'], /too many arguments/],
    [['--log-level', 'loud', 'status'], /argument 'loud' is invalid/],
    [['--store'], /argument missing/],
    [['inspect', '--port', 'abc'], /expected a port number/],
  ])('%j exits 2 with one line', async (args, message) => {
    const run = await runCliBinary(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expectOneLineError(run.stderr, message);
    expect(run.stderr).toContain('fix: Run `oauth-recovery --help`');
  });

  it('exits 2 for a bad OAUTH_RECOVERY_LOG_LEVEL and a non-loopback http OAUTH_RECOVERY_TOKEN_URL', async () => {
    const level = await runCliBinary(['status'], {
      env: baseEnv('/nonexistent', { OAUTH_RECOVERY_LOG_LEVEL: 'chatty' }),
    });
    expect(level.code).toBe(2);
    expectOneLineError(level.stderr, /OAUTH_RECOVERY_LOG_LEVEL must be one of/);

    const url = await runCliBinary(['refresh', '--store', '/nonexistent/store.json'], {
      env: baseEnv('/nonexistent', { OAUTH_RECOVERY_TOKEN_URL: 'http://10.0.0.1/token' }),
    });
    expect(url.code).toBe(2);
    expectOneLineError(url.stderr, /plain http is allowed only to loopback/);
  });

  it('prints help (exit 0) and the version', async () => {
    const help = await runCliBinary(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['status', 'sync', 'refresh', 'watch', 'doctor', 'demo', 'graph', 'inspect']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    expect(help.stdout).toContain(
      'Exit codes: 0 ok, 1 failure, 2 usage error, 3 nothing fresher / login needed, 4 in cooldown.',
    );
    const version = await runCliBinary(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('`help <command>` and `<command> --help` list the global flags too', async () => {
    for (const args of [
      ['help', 'sync'],
      ['sync', '--help'],
    ]) {
      const run = await runCliBinary(args);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Usage: oauth-recovery sync');
      expect(run.stdout).toMatch(/Global Options:/);
      for (const flag of [
        '--store <path|url>',
        '--profile <id>',
        '--claude-config-dir <dir>',
        '--token-url <url>',
        '--json',
        '--log-level <level>',
      ]) {
        expect(run.stdout).toContain(flag);
      }
      // The Claude config dir is resolved as Claude Code does: the secure-storage variable first.
      expect(run.stdout.replace(/\s+/g, ' ')).toContain(
        'env CLAUDE_SECURESTORAGE_CONFIG_DIR, then CLAUDE_CONFIG_DIR',
      );
    }
  });

  it('`help bogus` says the command is unknown (exit 2); `--timeout 0` says it must be above 0', async () => {
    const help = await runCliBinary(['help', 'bogus']);
    expect(help.code).toBe(2);
    expect(help.stderr).toMatch(/^error: unknown command 'bogus'$/m);
    const timeout = await runCliBinary(['refresh', '--timeout', '0']);
    expect(timeout.code).toBe(2);
    expect(timeout.stderr).toMatch(/--timeout must be a number of seconds greater than 0 and at most 600/);
  });

  it('exits 2 with help on stderr when no command is given', async () => {
    const run = await runCliBinary([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Usage: oauth-recovery');
  });

  it('shows the stack only with --log-level debug', async () => {
    const quiet = await runCliBinary(['status', '--store', '/']);
    expect(quiet.code).toBe(1);
    expectOneLineError(quiet.stderr);
    const debug = await runCliBinary(['status', '--store', '/', '--log-level', 'debug']);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });
});
