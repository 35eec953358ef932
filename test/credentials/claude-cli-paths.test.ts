/** Where the Claude Code CLI keeps its login, computed the way the CLI computes it. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  claudeCredentialsPath,
  claudeKeychainAccount,
  claudeKeychainService,
  resolveClaudeConfigDir,
} from '../../src/credentials/claude-cli-paths.js';

describe('Claude CLI paths', () => {
  it('defaults to ~/.claude/.credentials.json and the plain Keychain service', () => {
    const options = { env: {}, homeDir: '/home/ada' };
    expect(resolveClaudeConfigDir(options)).toEqual({ dir: '/home/ada/.claude', overridden: false });
    expect(claudeCredentialsPath(options)).toBe('/home/ada/.claude/.credentials.json');
    expect(claudeKeychainService(options)).toBe('Claude Code-credentials');
  });

  it('follows CLAUDE_CONFIG_DIR and suffixes the service with 8 hex chars of sha256(dir)', () => {
    const dir = '/Users/ada/.claude-work';
    const options = { env: { CLAUDE_CONFIG_DIR: dir }, homeDir: '/Users/ada' };
    const hash = createHash('sha256').update(dir).digest('hex').slice(0, 8);
    expect(claudeCredentialsPath(options)).toBe(`${dir}/.credentials.json`);
    expect(claudeKeychainService(options)).toBe(`Claude Code-credentials-${hash}`);
    expect(claudeKeychainService(options)).toMatch(/^Claude Code-credentials-[0-9a-f]{8}$/);
  });

  it('an explicit configDir wins over the environment; an empty variable is ignored', () => {
    expect(claudeCredentialsPath({ configDir: '/x', env: { CLAUDE_CONFIG_DIR: '/y' } })).toBe(
      '/x/.credentials.json',
    );
    expect(claudeCredentialsPath({ env: { CLAUDE_CONFIG_DIR: '' }, homeDir: '/h' })).toBe(
      '/h/.claude/.credentials.json',
    );
  });

  it('uses $USER as the Keychain account', () => {
    expect(claudeKeychainAccount({ USER: 'ada' })).toBe('ada');
    expect(claudeKeychainAccount({})).toBeTruthy();
  });
});
