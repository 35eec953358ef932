/** The factory picks the CLI's store for the platform; requireClaudeCliCredential turns logged-out into an error. */
import { describe, expect, it } from 'vitest';
import {
  createClaudeCliSource,
  requireClaudeCliCredential,
} from '../../src/credentials/claude-cli-source.js';
import { LoggedOutError } from '../../src/errors.js';
import { makeCredential } from '../support/store-workers/fixtures.js';

describe('createClaudeCliSource', () => {
  it('uses the credentials file off macOS, from CLAUDE_CONFIG_DIR or ~/.claude', () => {
    const linux = createClaudeCliSource({ platform: 'linux', env: { CLAUDE_CONFIG_DIR: '/cfg/claude' } });
    expect(linux.kind).toBe('file');
    expect(linux.location).toBe('/cfg/claude/.credentials.json');
    expect(linux.watchTarget).toBe('/cfg/claude/.credentials.json');
    const win = createClaudeCliSource({ platform: 'win32', env: {}, homeDir: '/home/ada' });
    expect(win.location).toBe('/home/ada/.claude/.credentials.json');
    expect(createClaudeCliSource({ platform: 'linux', configDir: '/x', env: {} }).location).toBe(
      '/x/.credentials.json',
    );
  });

  it('uses the login Keychain on macOS', () => {
    const mac = createClaudeCliSource({ platform: 'darwin', env: { USER: 'ada' }, homeDir: '/Users/ada' });
    expect(mac.kind).toBe('keychain');
    expect(mac.location).toBe('keychain:Claude Code-credentials');
  });
});

describe('requireClaudeCliCredential', () => {
  it('returns the credential of an ok read and throws LoggedOutError otherwise', () => {
    const credential = makeCredential();
    const meta = { fingerprint: 'f', expiresAt: credential.expiresAt, source: 'cli' as const };
    expect(requireClaudeCliCredential({ status: 'ok', credential, meta }, 'x')).toEqual({ credential, meta });
    expect(() => requireClaudeCliCredential({ status: 'blank' }, 'x')).toThrow(LoggedOutError);
    expect(() => requireClaudeCliCredential({ status: 'missing' }, 'x')).toThrow(LoggedOutError);
  });
});
