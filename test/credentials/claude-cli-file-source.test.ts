/**
 * The CLI's `.credentials.json` on real files: ok / blank / missing, cached reads invalidated
 * by the file's identity, and write-back that keeps every other field, mode 0600, the link of
 * a symlinked file, and never wipes or downgrades.
 */
import { chmod, lstat, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClaudeCliFileSource } from '../../src/credentials/claude-cli-file-source.js';
import { requireClaudeCliCredential } from '../../src/credentials/claude-cli-source.js';
import { MAX_DATE_MS, MAX_TOKEN_LIFETIME_MS } from '../../src/credentials/expiry-bounds.js';
import { fingerprintToken } from '../../src/credentials/fingerprint.js';
import { CredentialParseError, DowngradeRefusedError, LoggedOutError } from '../../src/errors.js';
import { listTempFiles, writeFileAtomic } from '../../src/fs/atomic-write.js';
import {
  BLANK_CREDENTIAL,
  caught,
  claudeCliDocument,
  expectNoSecrets,
  fileFingerprint,
  HOUR,
  makeCredential,
  NOW,
  useTempDirs,
} from '../support/store-workers/fixtures.js';

const tempDir = useTempDirs();

async function setup(content?: unknown, options: { mode?: number; raw?: string } = {}) {
  const dir = await tempDir();
  const file = path.join(dir, '.claude', '.credentials.json');
  if (content !== undefined || options.raw !== undefined) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, options.raw ?? JSON.stringify(content), { mode: options.mode ?? 0o600 });
    if (options.mode !== undefined) await chmod(file, options.mode);
  }
  const source = createClaudeCliFileSource({ path: file, now: () => NOW });
  return { dir, file, source };
}

describe('ClaudeCliFileSource.read', () => {
  it('reads a login as credential + metadata (fingerprint, never the token)', async () => {
    const credential = makeCredential();
    const { source, file } = await setup(claudeCliDocument(credential));
    const result = await source.read();
    expect(result.status).toBe('ok');
    if (result.status !== 'ok') return;
    expect(result.credential).toEqual({
      ...credential,
      scopes: ['user:inference', 'user:profile'],
      subscriptionType: 'max',
      rateLimitTier: 'default_claude_max_20x',
    });
    expect(result.meta).toEqual({
      fingerprint: fingerprintToken(credential.accessToken),
      expiresAt: credential.expiresAt,
      source: 'cli',
    });
    expect(source.location).toBe(file);
    expect(source.watchTarget).toBe(file);
    expect(source.kind).toBe('file');
  });

  it('reads a blanked login (the CLI after its own failed refresh) as blank, never as credentials', async () => {
    const { source } = await setup(claudeCliDocument(BLANK_CREDENTIAL));
    const result = await source.read();
    expect(result).toEqual({ status: 'blank' });
    const error = await caught(
      Promise.resolve().then(() => requireClaudeCliCredential(result, source.location)),
    );
    expect(error).toBeInstanceOf(LoggedOutError);
  });

  it('reads a missing file, or one without claudeAiOauth, as missing', async () => {
    expect(await (await setup()).source.read()).toEqual({ status: 'missing' });
    expect(await (await setup({ mcpOAuth: {} })).source.read()).toEqual({ status: 'missing' });
  });

  it('accepts null subscriptionType / rateLimitTier as the CLI writes them', async () => {
    const credential = makeCredential();
    const doc = claudeCliDocument(credential);
    doc.claudeAiOauth.subscriptionType = null as unknown as string;
    doc.claudeAiOauth.rateLimitTier = null as unknown as string;
    const result = await (await setup(doc)).source.read();
    expect(result.status === 'ok' && result.credential.subscriptionType).toBeUndefined();
  });

  it('caches by file identity: unchanged → same result object; replaced or rewritten → re-read', async () => {
    const first = makeCredential();
    const { source, file } = await setup(claudeCliDocument(first));
    const a = await source.read();
    expect(await source.read()).toBe(a);

    const second = makeCredential();
    await writeFileAtomic(file, JSON.stringify(claudeCliDocument(second))); // new inode
    const b = await source.read();
    expect(b.status === 'ok' && b.credential.accessToken).toBe(second.accessToken);

    // In-place rewrite with a token of the same length: same inode, same size, new mtime.
    const third = { ...second, accessToken: second.accessToken.replace('SECRET', 'SECRUT') };
    await writeFile(file, JSON.stringify(claudeCliDocument(third)));
    const c = await source.read();
    expect(c.status === 'ok' && c.credential.accessToken).toBe(third.accessToken);

    await writeFile(file, JSON.stringify(claudeCliDocument(BLANK_CREDENTIAL)));
    expect(await source.read()).toEqual({ status: 'blank' });
  });

  it('does not cache a parse failure: a repaired file reads fine', async () => {
    const { source, file } = await setup(undefined, { raw: '{"claudeAiOauth":' });
    expect(await caught(source.read())).toBeInstanceOf(CredentialParseError);
    await writeFile(file, JSON.stringify(claudeCliDocument(makeCredential())));
    expect((await source.read()).status).toBe('ok');
  });
});

describe('ClaudeCliFileSource.read clamps absurd numbers (issue 11 item 5)', () => {
  const credential = makeCredential();
  const withExpiry = (expiresAt: string, extra = '') =>
    `{"claudeAiOauth":{"accessToken":"${credential.accessToken}","refreshToken":"${credential.refreshToken}","expiresAt":${expiresAt}${extra}}}`;

  it.each([
    ['1e300', NOW + MAX_TOKEN_LIFETIME_MS],
    ['1e400 (Infinity once parsed)', NOW + MAX_TOKEN_LIFETIME_MS],
    ['-1', 0],
    ['-1e400', 0],
    ['0.5', 1],
  ])('expiresAt %s reads as %d', async (label, expected) => {
    const { source } = await setup(undefined, { raw: withExpiry(label.split(' ')[0] as string) });
    const result = await source.read();
    expect(result.status === 'ok' && result.credential.expiresAt).toBe(expected);
    expect(result.status === 'ok' && result.meta.expiresAt).toBe(expected);
  });

  it('a refreshTokenExpiresAt beyond any date is cut to the last one; a negative one is dropped', async () => {
    const far = await setup(undefined, {
      raw: withExpiry(String(NOW + HOUR), ',"refreshTokenExpiresAt":1e300'),
    });
    const read = await far.source.read();
    expect(read.status === 'ok' && read.credential.refreshTokenExpiresAt).toBe(MAX_DATE_MS);
    const negative = await setup(undefined, {
      raw: withExpiry(String(NOW + HOUR), ',"refreshTokenExpiresAt":-5'),
    });
    const none = await negative.source.read();
    expect(none.status === 'ok' && 'refreshTokenExpiresAt' in none.credential).toBe(false);
  });

  it.each(['"NaN"', '"1e300"', 'null', '{}'])(
    'expiresAt %s is a CredentialParseError naming the field, never a crash',
    async (raw) => {
      const { source } = await setup(undefined, { raw: withExpiry(raw) });
      const error = await caught(source.read());
      expect(error).toBeInstanceOf(CredentialParseError);
      expect((error as CredentialParseError).message).toContain('claudeAiOauth.expiresAt');
      expect((error as CredentialParseError).message).toContain('expected number');
      expectNoSecrets(error, [credential.accessToken, credential.refreshToken]);
    },
  );
});

describe('ClaudeCliFileSource.writeBack', () => {
  it('writes the rotated pair, keeps every other field and key order, and sets mode 0600', async () => {
    const stored = makeCredential();
    const original = claudeCliDocument(stored, { organization: { uuid: 'org-1' } });
    const { source, file } = await setup(original, { mode: 0o644 });
    const rotated = makeCredential({ expiresAt: stored.expiresAt + HOUR });
    await source.writeBack(rotated);

    const text = await readFile(file, 'utf8');
    const written = JSON.parse(text);
    expect(written).toEqual({
      ...original,
      claudeAiOauth: {
        ...original.claudeAiOauth,
        accessToken: rotated.accessToken,
        refreshToken: rotated.refreshToken,
        expiresAt: rotated.expiresAt,
      },
    });
    expect(Object.keys(written)).toEqual(Object.keys(original));
    expect(Object.keys(written.claudeAiOauth)).toEqual(Object.keys(original.claudeAiOauth));
    expect(text).toBe(JSON.stringify(written)); // compact, like the original
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await listTempFiles(file)).toEqual([]);
    const read = await source.read();
    expect(read.status === 'ok' && read.credential.accessToken).toBe(rotated.accessToken);
  });

  it('keeps an indented file indented', async () => {
    const stored = makeCredential();
    const { source, file } = await setup(undefined, {
      raw: `${JSON.stringify(claudeCliDocument(stored), null, 2)}\n`,
    });
    await source.writeBack(makeCredential({ expiresAt: stored.expiresAt + HOUR }));
    const text = await readFile(file, 'utf8');
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
  });

  it('restores a blanked file (the CLI logged itself out after we rotated)', async () => {
    const { source } = await setup(claudeCliDocument(BLANK_CREDENTIAL));
    const rotated = makeCredential();
    await source.writeBack(rotated);
    const read = await source.read();
    expect(read.status === 'ok' && read.credential.refreshToken).toBe(rotated.refreshToken);
  });

  it('creates a missing file 0600 in a new 0700 directory', async () => {
    const { source, file } = await setup();
    await source.writeBack(makeCredential());
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
  });

  it('writes a symlinked credentials file at its target, keeping the link', async () => {
    const dir = await tempDir();
    const target = path.join(dir, 'dotfiles', 'claude-credentials.json');
    const link = path.join(dir, '.claude', '.credentials.json');
    await mkdir(path.dirname(target), { recursive: true });
    await mkdir(path.dirname(link), { recursive: true });
    const stored = makeCredential();
    await writeFile(target, JSON.stringify(claudeCliDocument(stored)));
    await symlink(target, link);
    const source = createClaudeCliFileSource({ path: link, now: () => NOW });
    const rotated = makeCredential({ expiresAt: stored.expiresAt + HOUR });
    await source.writeBack(rotated);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(JSON.parse(await readFile(target, 'utf8')).claudeAiOauth.accessToken).toBe(rotated.accessToken);
  });

  describe('never wipes, never downgrades', () => {
    const stored = makeCredential({ expiresAt: NOW + 4 * HOUR });
    it.each([
      { name: 'blank', candidate: BLANK_CREDENTIAL },
      { name: 'empty refresh token', candidate: makeCredential({ refreshToken: '' }) },
      { name: 'expired', candidate: makeCredential({ expiresAt: NOW - HOUR }) },
      { name: 'expiring inside the margin', candidate: makeCredential({ expiresAt: NOW + 1000 }) },
      { name: 'older', candidate: makeCredential({ expiresAt: NOW + 2 * HOUR }) },
      { name: 'equal expiry', candidate: makeCredential({ expiresAt: NOW + 4 * HOUR }) },
      { name: 'same token, earlier expiry', candidate: { ...stored, expiresAt: NOW + 3 * HOUR } },
    ])('refuses a $name credential and leaves the file byte-identical', async ({ candidate }) => {
      const { source, file } = await setup(claudeCliDocument(stored));
      const before = await fileFingerprint(file);
      const error = await caught(source.writeBack(candidate));
      expect(error).toBeInstanceOf(DowngradeRefusedError);
      expect(error.message).toContain(file);
      expectNoSecrets(error, [
        stored.accessToken,
        stored.refreshToken,
        candidate.accessToken,
        candidate.refreshToken,
      ]);
      expect(await fileFingerprint(file)).toBe(before);
      expect(await listTempFiles(file)).toEqual([]);
    });

    it('writing the stored credential again is a no-op (no rewrite at all)', async () => {
      const { source, file } = await setup(claudeCliDocument(stored));
      const before = await fileFingerprint(file);
      await source.writeBack({ ...stored });
      expect(await fileFingerprint(file)).toBe(before);
    });

    it('refuses to write over a malformed file (it is left for a person to repair)', async () => {
      const { source, file } = await setup(undefined, { raw: '{"claudeAiOauth":{"accessToken":' });
      const before = await fileFingerprint(file);
      expect(await caught(source.writeBack(makeCredential()))).toBeInstanceOf(CredentialParseError);
      expect(await fileFingerprint(file)).toBe(before);
    });
  });
});
