/**
 * The macOS Keychain source, exercised on Linux through a fake `security` first on PATH: the
 * exact commands and arguments, missing/blank/ok items, hex output, failures as KeychainError
 * without secrets, and a write-back that keeps other fields and never wipes or downgrades.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClaudeCliSource } from '../../src/credentials/claude-cli-source.js';
import { CredentialParseError, DowngradeRefusedError, KeychainError } from '../../src/errors.js';
import { installFakeSecurity, keychainItemKey } from '../support/store-workers/fake-security.js';
import {
  BLANK_CREDENTIAL,
  caught,
  claudeCliDocument,
  expectNoSecrets,
  HOUR,
  makeCredential,
  NOW,
  useTempDirs,
} from '../support/store-workers/fixtures.js';

const tempDir = useTempDirs();
const SERVICE = 'Claude Code-credentials';
const ACCOUNT = 'ada';

async function setup(item?: unknown, mode?: 'hex' | 'fail') {
  const dir = await tempDir();
  const bin = await installFakeSecurity(dir);
  const items: Record<string, string> = {};
  if (item !== undefined)
    items[keychainItemKey(SERVICE, ACCOUNT)] = typeof item === 'string' ? item : JSON.stringify(item);
  await writeFile(path.join(dir, 'items.json'), JSON.stringify(items));
  const env = {
    PATH: `${bin}:${process.env.PATH}`,
    USER: ACCOUNT,
    FAKE_KEYCHAIN_DIR: dir,
    ...(mode ? { FAKE_SECURITY_MODE: mode } : {}),
  };
  const source = createClaudeCliSource({
    platform: 'darwin',
    env,
    homeDir: path.join(dir, 'home'),
    now: () => NOW,
  });
  const calls = async (): Promise<string[][]> =>
    (await readFile(path.join(dir, 'calls.jsonl'), 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  const stored = async (): Promise<string | undefined> =>
    JSON.parse(await readFile(path.join(dir, 'items.json'), 'utf8'))[keychainItemKey(SERVICE, ACCOUNT)];
  return { dir, source, calls, stored };
}

describe('ClaudeCliKeychainSource', () => {
  it('is chosen on darwin and reads with find-generic-password -s SERVICE -a $USER -w', async () => {
    const credential = makeCredential();
    const { source, calls, dir } = await setup(claudeCliDocument(credential));
    expect(source.kind).toBe('keychain');
    expect(source.location).toBe(`keychain:${SERVICE}`);
    expect(source.watchTarget).toBe(path.join(dir, 'home', 'Library', 'Keychains', 'login.keychain-db'));
    const result = await source.read();
    expect(result.status === 'ok' && result.credential.accessToken).toBe(credential.accessToken);
    expect(await calls()).toEqual([['find-generic-password', '-s', SERVICE, '-a', ACCOUNT, '-w']]);
  });

  it('uses the hashed service name with an overridden config dir', async () => {
    const dir = await tempDir();
    const bin = await installFakeSecurity(dir);
    const env = {
      PATH: `${bin}:${process.env.PATH}`,
      USER: ACCOUNT,
      FAKE_KEYCHAIN_DIR: dir,
      CLAUDE_CONFIG_DIR: '/cfg',
    };
    const source = createClaudeCliSource({ platform: 'darwin', env });
    expect(source.location).toMatch(/^keychain:Claude Code-credentials-[0-9a-f]{8}$/);
  });

  it('reads a missing item (exit 44) as missing and a blanked one as blank', async () => {
    expect(await (await setup()).source.read()).toEqual({ status: 'missing' });
    expect(await (await setup(claudeCliDocument(BLANK_CREDENTIAL))).source.read()).toEqual({
      status: 'blank',
    });
  });

  it('decodes the hex form `security -w` prints for unprintable data', async () => {
    const credential = makeCredential();
    const { source } = await setup(claudeCliDocument(credential), 'hex');
    const result = await source.read();
    expect(result.status === 'ok' && result.credential.refreshToken).toBe(credential.refreshToken);
  });

  it('reports a malformed item as CredentialParseError naming the item and field, without secrets', async () => {
    const credential = makeCredential();
    const doc = claudeCliDocument(credential) as { claudeAiOauth: Record<string, unknown> };
    doc.claudeAiOauth.expiresAt = credential.accessToken; // a token in the wrong field
    const error = (await caught((await setup(doc)).source.read())) as CredentialParseError;
    expect(error).toBeInstanceOf(CredentialParseError);
    expect(error.file).toBe(`keychain:${SERVICE}`);
    expect(error.field).toBe('claudeAiOauth.expiresAt');
    expectNoSecrets(error, [credential.accessToken, credential.refreshToken]);
  });

  it('turns a failing `security` into KeychainError with its exit status, no output', async () => {
    const { source } = await setup(claudeCliDocument(makeCredential()), 'fail');
    const error = await caught(source.read());
    expect(error).toBeInstanceOf(KeychainError);
    expect(error.message).toContain('exit status 51');
    expect(error.message).toContain('unlock-keychain');
  });

  it('reports a missing `security` tool', async () => {
    const source = createClaudeCliSource({ platform: 'darwin', env: { PATH: '/nonexistent', USER: 'x' } });
    const error = await caught(source.read());
    expect(error).toBeInstanceOf(KeychainError);
    expect(error.message).toContain('not found');
  });

  it('writes back with add-generic-password -U, keeping every other field', async () => {
    const stored = makeCredential();
    const original = claudeCliDocument(stored);
    const { source, calls, stored: item } = await setup(original);
    const rotated = makeCredential({ expiresAt: stored.expiresAt + HOUR });
    await source.writeBack(rotated);
    const written = JSON.parse((await item()) ?? '');
    expect(written).toEqual({
      ...original,
      claudeAiOauth: {
        ...original.claudeAiOauth,
        ...{
          accessToken: rotated.accessToken,
          refreshToken: rotated.refreshToken,
          expiresAt: rotated.expiresAt,
        },
      },
    });
    const add = (await calls()).find((call) => call[0] === 'add-generic-password');
    expect(add?.slice(0, 7)).toEqual(['add-generic-password', '-U', '-s', SERVICE, '-a', ACCOUNT, '-w']);
  });

  describe('keeps the credential out of argv (issue 11)', () => {
    const argvs = async (dir: string): Promise<string[][]> =>
      (await readFile(path.join(dir, 'argv.jsonl'), 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line));

    it('sends add-generic-password on the stdin of `security -i`; the JSON round-trips exactly', async () => {
      const stored = makeCredential();
      // Quotes, backslashes, spaces, a single quote and non-ASCII: everything the quoting must carry.
      const awkward = String.raw`say "hi" \ C:\path\ 'x'  two  spaces " \ é ✓`;
      const original = { ...claudeCliDocument(stored), note: awkward };
      const { source, calls, stored: item, dir } = await setup(original);
      const rotated = makeCredential({ expiresAt: stored.expiresAt + HOUR });
      await source.writeBack(rotated);
      const text = (await item()) ?? '';
      expect(JSON.parse(text).note).toBe(awkward);
      expect(JSON.parse(text).claudeAiOauth.refreshToken).toBe(rotated.refreshToken);
      const add = (await calls()).find((call) => call[0] === 'add-generic-password');
      expect(add).toEqual(['add-generic-password', '-U', '-s', SERVICE, '-a', ACCOUNT, '-w', text]);
      const processes = await argvs(dir);
      expect(processes).toContainEqual(['-i']);
      for (const argv of processes) {
        for (const secret of [rotated.accessToken, rotated.refreshToken, stored.refreshToken])
          expect(argv.join(' ')).not.toContain(secret);
      }
    });

    it('falls back to argv for a line `security -i` would cut at 4095 bytes, never splitting it', async () => {
      const stored = makeCredential();
      const original = { ...claudeCliDocument(stored), padding: 'x'.repeat(5000) };
      const { source, stored: item, dir } = await setup(original);
      const rotated = makeCredential({ expiresAt: stored.expiresAt + HOUR });
      await source.writeBack(rotated);
      const written = JSON.parse((await item()) ?? '');
      expect(written.padding).toBe(original.padding);
      expect(written.claudeAiOauth.refreshToken).toBe(rotated.refreshToken);
      const last = (await argvs(dir)).at(-1);
      expect(last?.slice(0, 7)).toEqual(['add-generic-password', '-U', '-s', SERVICE, '-a', ACCOUNT, '-w']);
    });
  });

  it('restores a blanked item', async () => {
    const { source } = await setup(claudeCliDocument(BLANK_CREDENTIAL));
    const rotated = makeCredential();
    await source.writeBack(rotated);
    const read = await source.read();
    expect(read.status === 'ok' && read.credential.accessToken).toBe(rotated.accessToken);
  });

  it('a failed add is a KeychainError that does not carry the JSON it tried to store', async () => {
    const stored = makeCredential();
    const { source, dir } = await setup(claudeCliDocument(stored));
    const rotated = makeCredential({ expiresAt: stored.expiresAt + HOUR });
    // Reads succeed, the add fails: swap in failure mode after the first call.
    const original = await readFile(path.join(dir, 'bin', 'security'), 'utf8');
    await writeFile(
      path.join(dir, 'bin', 'security'),
      original.replace(
        "if (process.env.FAKE_SECURITY_MODE === 'fail')",
        "if (args[0] === 'add-generic-password')",
      ),
    );
    const error = await caught(source.writeBack(rotated));
    expect(error).toBeInstanceOf(KeychainError);
    expectNoSecrets(error, [rotated.accessToken, rotated.refreshToken, stored.accessToken]);
  });

  describe('never wipes, never downgrades', () => {
    const stored = makeCredential({ expiresAt: NOW + 4 * HOUR });
    it.each([
      { name: 'blank', candidate: BLANK_CREDENTIAL },
      { name: 'expired', candidate: makeCredential({ expiresAt: NOW - 1 }) },
      { name: 'older', candidate: makeCredential({ expiresAt: NOW + HOUR }) },
      { name: 'equal expiry', candidate: makeCredential({ expiresAt: NOW + 4 * HOUR }) },
    ])('refuses a $name credential and never calls add-generic-password', async ({ candidate }) => {
      const { source, calls, stored: item } = await setup(claudeCliDocument(stored));
      const before = await item();
      const error = await caught(source.writeBack(candidate));
      expect(error).toBeInstanceOf(DowngradeRefusedError);
      expectNoSecrets(error, [stored.accessToken, candidate.accessToken]);
      expect(await item()).toBe(before);
      expect((await calls()).map((call) => call[0])).toEqual(['find-generic-password']);
    });

    it('the same credential again is a no-op', async () => {
      const { source, calls } = await setup(claudeCliDocument(stored));
      await source.writeBack({ ...stored });
      expect((await calls()).map((call) => call[0])).toEqual(['find-generic-password']);
    });

    it('refuses to write over a malformed item', async () => {
      const { source, calls } = await setup('<html>502 Bad Gateway</html>');
      expect(await caught(source.writeBack(makeCredential()))).toBeInstanceOf(CredentialParseError);
      expect((await calls()).map((call) => call[0])).toEqual(['find-generic-password']);
    });
  });
});
