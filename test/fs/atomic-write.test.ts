/**
 * The atomic writer on real files: modes, created directories, symlinks written at their
 * target, loops and directories refused, an aborted rename leaving the target untouched, and
 * temp files left by a killed writer cleaned up on the next write.
 */
import { spawnSync } from 'node:child_process';
import {
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CredentialFileError, LockCompromisedError } from '../../src/errors.js';
import { listTempFiles, removeStaleTempFiles, tempFileName, writeFileAtomic } from '../../src/fs/index.js';
import { caught, fileFingerprint, useTempDirs } from '../support/store-workers/fixtures.js';

const tempDir = useTempDirs();
const modeOf = async (p: string) => (await stat(p)).mode & 0o777;

describe('writeFileAtomic', () => {
  it('creates missing directories 0700 and the file 0600', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'a', 'b', 'store.json');
    const written = await writeFileAtomic(file, '{"x":1}\n');
    expect(written).toBe(file);
    expect(await readFile(file, 'utf8')).toBe('{"x":1}\n');
    expect(await modeOf(file)).toBe(0o600);
    expect(await modeOf(path.join(dir, 'a'))).toBe(0o700);
    expect(await modeOf(path.join(dir, 'a', 'b'))).toBe(0o700);
    expect(await listTempFiles(file)).toEqual([]);
  });

  it('replaces an existing world-readable file with a 0600 one', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'store.json');
    await writeFile(file, 'old', { mode: 0o644 });
    await writeFileAtomic(file, 'new');
    expect(await readFile(file, 'utf8')).toBe('new');
    expect(await modeOf(file)).toBe(0o600);
  });

  it('writes a symlinked file at its real target and keeps the link', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'real'));
    const target = path.join(dir, 'real', 'store.json');
    await writeFile(target, 'old');
    const link = path.join(dir, 'link.json');
    await symlink('real/store.json', link);
    const written = await writeFileAtomic(link, 'new');
    expect(written).toBe(target);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe('real/store.json');
    expect(await readFile(target, 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['link.json', 'real']);
  });

  it('follows a chain of links, and a dangling link creates its target', async () => {
    const dir = await tempDir();
    await symlink(path.join(dir, 'second'), path.join(dir, 'first'));
    await symlink(path.join(dir, 'sub', 'final.json'), path.join(dir, 'second'));
    await writeFileAtomic(path.join(dir, 'first'), 'data');
    expect(await readFile(path.join(dir, 'sub', 'final.json'), 'utf8')).toBe('data');
    expect((await lstat(path.join(dir, 'first'))).isSymbolicLink()).toBe(true);
    expect((await lstat(path.join(dir, 'second'))).isSymbolicLink()).toBe(true);
  });

  it('refuses a symlink loop with a typed error and touches nothing', async () => {
    const dir = await tempDir();
    await symlink(path.join(dir, 'b'), path.join(dir, 'a'));
    await symlink(path.join(dir, 'a'), path.join(dir, 'b'));
    const error = await caught(writeFileAtomic(path.join(dir, 'a'), 'data'));
    expect(error).toBeInstanceOf(CredentialFileError);
    expect(error.message).toContain('symlink loop');
    expect(error.message).toContain(path.join(dir, 'a'));
    expect((await readdir(dir)).sort()).toEqual(['a', 'b']);
  });

  it('refuses to replace a directory', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'store.json');
    await mkdir(file);
    await writeFile(path.join(file, 'keep'), 'k');
    const error = await caught(writeFileAtomic(file, 'data'));
    expect(error).toBeInstanceOf(CredentialFileError);
    expect(await readFile(path.join(file, 'keep'), 'utf8')).toBe('k');
    expect(await listTempFiles(file)).toEqual([]);
  });

  it('aborts in beforeRename with the target untouched and no temp file left', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'store.json');
    await writeFile(file, 'old', { mode: 0o600 });
    const before = await fileFingerprint(file);
    const error = await caught(
      writeFileAtomic(file, 'new', {
        beforeRename: () => {
          throw new LockCompromisedError(`${file}.lock`);
        },
      }),
    );
    expect(error).toBeInstanceOf(LockCompromisedError);
    expect(await fileFingerprint(file)).toBe(before);
    expect(await listTempFiles(file)).toEqual([]);
  });

  it('serialises concurrent writers in one process: the file is one whole version', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'store.json');
    const versions = Array.from({ length: 20 }, (_, i) => JSON.stringify({ i, pad: 'p'.repeat(5000) }));
    await Promise.all(versions.map((v) => writeFileAtomic(file, v)));
    expect(versions).toContain(await readFile(file, 'utf8'));
    expect(await listTempFiles(file)).toEqual([]);
  });
});

describe('stale temp files', () => {
  /** A pid that certainly belonged to a process that has exited. */
  const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid as number;

  it('removes the temp file of a dead writer on the next write, keeps a live one', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'store.json');
    const ours = tempFileName('store.json');
    const dead = ours.replace(`.${process.pid}.`, `.${deadPid()}.`);
    await writeFile(path.join(dir, ours), 'in flight');
    await writeFile(path.join(dir, dead), 'left by SIGKILL');
    await writeFile(path.join(dir, '.other.json.oauth-recovery.abcdef.1.000000000000.tmp'), 'not this file');
    await writeFile(path.join(dir, 'store.json.12345'), 'not our pattern');

    await writeFileAtomic(file, 'data');
    const left = await readdir(dir);
    expect(left).toContain(ours);
    expect(left).not.toContain(dead);
    expect(left).toContain('store.json.12345');
    expect(left).toContain('.other.json.oauth-recovery.abcdef.1.000000000000.tmp');
  });

  it('removes any of our temp files once older than the stale age (e.g. from another host)', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'store.json');
    const foreign = '.store.json.oauth-recovery.0a0b0c.42.0123456789ab.tmp';
    const fresh = '.store.json.oauth-recovery.0a0b0c.43.0123456789ab.tmp';
    await writeFile(path.join(dir, foreign), 'x');
    await writeFile(path.join(dir, fresh), 'x');
    const old = new Date(Date.now() - 11 * 60_000);
    await utimes(path.join(dir, foreign), old, old);
    expect(await removeStaleTempFiles(file)).toBe(1);
    expect(await listTempFiles(file)).toEqual([fresh]);
  });
});
