/**
 * The malformed-input corpus against the Claude CLI credentials file: every case gives its
 * typed error naming the file (and the field), never echoes a token, and leaves the file
 * exactly as it was, on the read path and on the write-back path alike. Blank tokens are not
 * an error but "logged out"; a BOM is accepted.
 */
import { chmod, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClaudeCliFileSource } from '../../src/credentials/claude-cli-file-source.js';
import { requireClaudeCliCredential } from '../../src/credentials/claude-cli-source.js';
import { CredentialFileError, LoggedOutError } from '../../src/errors.js';
import {
  caught,
  claudeCliDocument,
  fileFingerprint,
  HOUR,
  makeCredential,
  NOW,
  runTsWorker,
  useTempDirs,
} from '../support/store-workers/fixtures.js';
import {
  CORPUS_REFRESH_SECRET,
  CORPUS_SECRET,
  type CorpusCase,
  expectEachFailsUntouched,
  genericCorpus,
  schemaCase,
} from '../support/store-workers/malformed-corpus.js';

const tempDir = useTempDirs();
const stored = { accessToken: CORPUS_SECRET, refreshToken: CORPUS_REFRESH_SECRET, expiresAt: NOW + HOUR };
const valid = () =>
  claudeCliDocument(stored) as { claudeAiOauth: Record<string, unknown>; [k: string]: unknown };
const withOauth = (patch: Record<string, unknown>) => () => {
  const doc = valid();
  doc.claudeAiOauth = { ...doc.claudeAiOauth, ...patch };
  return doc;
};

const corpus: CorpusCase[] = [
  ...genericCorpus(JSON.stringify(valid())),
  schemaCase(
    'expiresAt is a string holding a token',
    withOauth({ expiresAt: CORPUS_SECRET }),
    'claudeAiOauth.expiresAt',
    'wrong type (expected number, got string)',
  ),
  schemaCase(
    'accessToken is a number',
    withOauth({ accessToken: 42 }),
    'claudeAiOauth.accessToken',
    'wrong type',
  ),
  schemaCase(
    'refreshToken missing',
    () => {
      const doc = valid();
      delete doc.claudeAiOauth.refreshToken;
      return doc;
    },
    'claudeAiOauth.refreshToken',
    'is missing',
  ),
  schemaCase(
    'scopes holds a non-string',
    withOauth({ scopes: ['user:inference', 7] }),
    'claudeAiOauth.scopes[1]',
    'wrong type',
  ),
  schemaCase(
    'claudeAiOauth is a bare token string',
    () => ({ claudeAiOauth: CORPUS_SECRET }),
    'claudeAiOauth',
    'wrong type',
  ),
];

describe('Claude CLI credentials file: malformed-input corpus', () => {
  it.each(corpus)('$name → typed error, no secret, file untouched (read and write-back)', async (entry) => {
    const dir = await tempDir();
    const file = path.join(dir, '.claude', '.credentials.json');
    await entry.create(file);
    const source = createClaudeCliFileSource({ path: file, now: () => NOW });

    await expectEachFailsUntouched(entry, file, [
      () => source.read(),
      () => source.writeBack(makeCredential({ expiresAt: NOW + 9 * HOUR })),
    ]);
  });

  it('blank tokens read as logged out (LoggedOutError on demand), never as a credential', async () => {
    const dir = await tempDir();
    const file = path.join(dir, '.credentials.json');
    await writeFile(file, JSON.stringify(withOauth({ accessToken: '', refreshToken: '', expiresAt: 0 })()));
    const before = await fileFingerprint(file);
    const source = createClaudeCliFileSource({ path: file, now: () => NOW });
    const result = await source.read();
    expect(result).toEqual({ status: 'blank' });
    expect(() => requireClaudeCliCredential(result, file)).toThrow(LoggedOutError);
    expect(await fileFingerprint(file)).toBe(before);
  });

  it('a UTF-8 BOM before valid JSON is accepted (deliberately), and reading leaves the file as is', async () => {
    const dir = await tempDir();
    const file = path.join(dir, '.credentials.json');
    await writeFile(file, `\uFEFF${JSON.stringify(valid())}`);
    const before = await fileFingerprint(file);
    const result = await createClaudeCliFileSource({ path: file, now: () => NOW }).read();
    expect(result.status === 'ok' && result.credential.expiresAt).toBe(stored.expiresAt);
    expect(await fileFingerprint(file)).toBe(before);
  });

  it('an unreadable file (EACCES, read by an unprivileged process) → CredentialFileError, untouched', async () => {
    const dir = await tempDir();
    const file = path.join(dir, '.credentials.json');
    await writeFile(file, JSON.stringify(valid()), { mode: 0o600 });
    const before = await fileFingerprint(file);
    if (process.getuid?.() === 0) {
      await chmod(dir, 0o755);
      const run = await runTsWorker('read-as-user.ts', ['cli', file], { uid: 65534, gid: 65534 });
      const outcome = JSON.parse(run.stdout);
      expect(outcome).toMatchObject({ ok: false, name: 'CredentialFileError', typed: true });
      expect(outcome.message).toContain('permission denied');
      expect(outcome.message).toContain(file);
      expect(run.stdout).not.toContain(CORPUS_SECRET);
    } else {
      await chmod(file, 0o000);
      const error = await caught(createClaudeCliFileSource({ path: file }).read());
      expect(error).toBeInstanceOf(CredentialFileError);
      await chmod(file, 0o600);
    }
    expect(await fileFingerprint(file)).toBe(before);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});
