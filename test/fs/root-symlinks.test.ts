/**
 * Running as root on a store another user owns (issue 11 item 1): that user plants a symlink
 * at the store path, or on the way to it, pointing at a file root owns. Before, root followed
 * it and replaced the victim file (e.g. one that blocks all logins); now the write, the lock
 * and the read refuse with a CredentialFileError naming the link and its owner.
 * Root only: skipped, with the reason printed, when not running as root.
 */
import { chown, lchown, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialFileError } from '../../src/errors.js';
import { writeFileAtomic } from '../../src/fs/atomic-write.js';
import { withLock } from '../../src/fs/lock.js';
import { readLimitedText } from '../../src/fs/read-limited.js';

const isRoot = typeof process.geteuid === 'function' && process.geteuid() === 0;
if (!isRoot) console.warn('root-symlinks.test.ts skipped: these tests need root (they chown to uid 65534)');

const NOBODY = 65534;
let root: string;
let userDir: string;
let victim: string;
beforeEach(async () => {
  if (!isRoot) return;
  root = await mkdtemp(path.join(tmpdir(), 'oauth-recovery-root-'));
  userDir = path.join(root, 'home', 'agent', '.openclaw');
  await mkdir(userDir, { recursive: true });
  for (const dir of [path.join(root, 'home', 'agent'), userDir]) await chown(dir, NOBODY, NOBODY);
  victim = path.join(root, 'victim');
  await writeFile(victim, 'root-owned contents\n', { mode: 0o600 });
});
afterEach(async () => {
  if (isRoot) await rm(root, { recursive: true, force: true });
});

/** A symlink at `at` to `target`, owned by the user (as the user would have made it). */
async function plant(at: string, target: string): Promise<void> {
  await symlink(target, at);
  await lchown(at, NOBODY, NOBODY);
}

describe.skipIf(!isRoot)('root and symlinks another user owns', () => {
  it('refuses to write, lock or read through a user-owned symlink at the store path', async () => {
    const store = path.join(userDir, 'auth-profiles.json');
    await plant(store, victim);
    await expect(writeFileAtomic(store, '{"version":1}')).rejects.toThrow(CredentialFileError);
    await expect(writeFileAtomic(store, '{}')).rejects.toThrow(
      /symlink .* owned by uid 65534, while running as root/,
    );
    await expect(withLock(store, () => 'locked')).rejects.toThrow(CredentialFileError);
    await expect(readLimitedText(store)).rejects.toThrow(CredentialFileError);
    expect(await readFile(victim, 'utf8')).toBe('root-owned contents\n');
  });

  it('refuses a user-owned symlinked directory on the way', async () => {
    const elsewhere = path.join(root, 'etc-like');
    await mkdir(elsewhere);
    await plant(path.join(userDir, 'agent'), elsewhere);
    const store = path.join(userDir, 'agent', 'victim');
    await writeFile(path.join(elsewhere, 'victim'), 'keep\n');
    await expect(writeFileAtomic(store, 'x')).rejects.toThrow(CredentialFileError);
    expect(await readFile(path.join(elsewhere, 'victim'), 'utf8')).toBe('keep\n');
  });

  it("still writes a user's store (keeping the user as owner) and follows root's own links", async () => {
    const store = path.join(userDir, 'auth-profiles.json');
    await writeFile(store, '{}');
    await chown(store, NOBODY, NOBODY);
    await writeFileAtomic(store, '{"version":1}');
    expect(await readFile(store, 'utf8')).toBe('{"version":1}');
    const rootLink = path.join(root, 'link.json');
    await symlink(store, rootLink); // owned by root: followed
    await writeFileAtomic(rootLink, '{"version":2}');
    expect(await readFile(store, 'utf8')).toBe('{"version":2}');
  });
});
