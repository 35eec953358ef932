/**
 * Bounded reads: missing files, the BOM (accepted and stripped), size cap, non-files, bad
 * UTF-8, and a real EACCES (the suite runs as root, which ignores modes, so the read is done by
 * a child process running as `nobody`).
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CredentialFileError, CredentialParseError } from '../../src/errors.js';
import { readLimitedText } from '../../src/fs/index.js';
import { caught, fileFingerprint, runTsWorker, useTempDirs } from '../support/store-workers/fixtures.js';

const tempDir = useTempDirs();
const isRoot = process.getuid?.() === 0;

describe('readLimitedText', () => {
  it('returns null for a missing file', async () => {
    const dir = await tempDir();
    expect(await readLimitedText(path.join(dir, 'none.json'))).toBeNull();
  });

  it('reads UTF-8 text and the stats of the file it read', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'f.json');
    await writeFile(file, '{"name":"Zoë"}');
    const read = await readLimitedText(file);
    expect(read?.text).toBe('{"name":"Zoë"}');
    expect(read?.stats.isFile()).toBe(true);
  });

  it('accepts a UTF-8 BOM by stripping it, and keeps the file as is', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'bom.json');
    await writeFile(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]));
    const before = await fileFingerprint(file);
    const read = await readLimitedText(file);
    expect(read?.text).toBe('{"a":1}');
    expect(JSON.parse(read?.text ?? '')).toEqual({ a: 1 });
    expect(await fileFingerprint(file)).toBe(before);
  });

  it('refuses a file over the cap without reading it', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'big.json');
    await writeFile(file, '');
    await truncate(file, 50 * 1024 * 1024);
    const error = await caught(readLimitedText(file));
    expect(error).toBeInstanceOf(CredentialFileError);
    expect(error.message).toContain('too large');
    expect(error.message).toContain(file);
    await truncate(file, 2048);
    expect(await caught(readLimitedText(file, { maxBytes: 1024 }))).toBeInstanceOf(CredentialFileError);
    expect((await readLimitedText(file, { maxBytes: 2048 }))?.text.length).toBe(2048);
  });

  it('refuses a directory in place of the file (EISDIR) with an actionable message', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'creds.json');
    await mkdir(file);
    const error = (await caught(readLimitedText(file))) as CredentialFileError;
    expect(error).toBeInstanceOf(CredentialFileError);
    expect(error.message).toContain('is a directory');
    expect(error.hint).toContain(file);
  });

  it('refuses a FIFO without blocking on it', async () => {
    const dir = await tempDir();
    const fifo = path.join(dir, 'creds.json');
    execFileSync('mkfifo', [fifo]);
    const error = await caught(readLimitedText(fifo));
    expect(error).toBeInstanceOf(CredentialFileError);
    expect(error.message).toContain('not a regular file');
  });

  it('refuses invalid UTF-8 as a parse error', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'latin1.json');
    await writeFile(file, Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d]));
    expect(await caught(readLimitedText(file))).toBeInstanceOf(CredentialParseError);
  });

  it('reports a symlink loop as a typed error', async () => {
    const dir = await tempDir();
    const a = path.join(dir, 'a');
    execFileSync('ln', ['-s', path.join(dir, 'b'), a]);
    execFileSync('ln', ['-s', a, path.join(dir, 'b')]);
    const error = await caught(readLimitedText(a));
    expect(error).toBeInstanceOf(CredentialFileError);
    expect(error.message).toContain('symlink loop');
  });

  it('turns a real EACCES into a typed, actionable error (read by an unprivileged process)', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'secret.json');
    await writeFile(file, '{"a":1}', { mode: 0o600 });
    if (isRoot) {
      // mkdtemp made the dir 0700 for root; let `nobody` reach the file, which stays 0600 root.
      await chmod(dir, 0o755);
      const run = await runTsWorker('read-as-user.ts', ['raw', file], { uid: 65534, gid: 65534 });
      const outcome = JSON.parse(run.stdout);
      expect(outcome.name).toBe('CredentialFileError');
      expect(outcome.message).toBe(`${file}: permission denied (read)`);
      expect(outcome.json.hint).toContain('mode 0600');
    } else {
      await chmod(file, 0o000);
      const error = await caught(readLimitedText(file));
      expect(error).toBeInstanceOf(CredentialFileError);
      expect(error.message).toContain('permission denied');
    }
  });
});
