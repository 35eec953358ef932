/**
 * Issue 9 input 4 on a REAL full and a REAL read-only filesystem, not an injected errno: the
 * store sits on a small tmpfs (and on a read-only bind of it), the disk fills up (or is
 * remounted read-only) while the token request is on the wire, so the pre-spend check passes
 * and the durable save of the rotated pair meets the kernel's ENOSPC / EROFS. The runtime is
 * real, the token server is the loopback fake, the clock is the fixture's. And the one-shot
 * `oauth-recovery refresh`, which cannot keep a pair in memory past its exit, says so (exit 1).
 *
 * Needs root and `mount` (CI runs as root on a fresh machine): without them the suite is
 * skipped with the reason. Mounts are undone in afterAll, whatever happened.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAuthProfilesFile } from '../../src/cli/demo/login-files.js';
import { listTempFiles } from '../../src/fs/atomic-write.js';
import type { AuthRecovery } from '../../src/runtime/index.js';
import { createCliFixture, expectNoSecrets, expectOneLineError, expiresIn } from '../cli/cli-harness.js';
import { fixturePerTest } from '../support/fixture-per-test.js';
import { createRuntimeFixture, NOT_OURS, PROFILE_ID } from '../support/runtime-fixture.js';

const mount = (...args: string[]) => execFileSync('mount', args, { stdio: 'pipe' });
const unmount = (target: string) => execFileSync('umount', ['-l', target], { stdio: 'pipe' });

/** Why this machine cannot run the suite, or null: a trial tmpfs mount decides. */
function whyNotMountable(): string | null {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return 'not root: mounting a tmpfs needs root';
  const trial = mkdtempSync(path.join(os.tmpdir(), 'oauth-recovery-mount-trial-'));
  try {
    mount('-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', trial);
    unmount(trial);
    return null;
  } catch (error) {
    return `mount is not permitted here (${(error as Error).message.split('\n')[0]})`;
  } finally {
    rmSync(trial, { recursive: true, force: true });
  }
}

const skipReason = whyNotMountable();
if (skipReason) console.warn(`real-full-disk: skipped: ${skipReason}`);

/** 256 KiB: room for the store and the pre-spend check's 64 KiB, little more. */
const DISK = '256k';
let base: string;
let disk: string;
let readOnly: string;
const mounted: string[] = [];

beforeAll(() => {
  if (skipReason) return;
  base = mkdtempSync(path.join(os.tmpdir(), 'oauth-recovery-disk-'));
  disk = path.join(base, 'disk');
  readOnly = path.join(base, 'bind');
  mkdirSync(disk);
  mkdirSync(readOnly);
  mount('-t', 'tmpfs', '-o', `size=${DISK},mode=0700`, 'tmpfs', disk);
  mounted.push(disk);
  mkdirSync(path.join(disk, 'ro'));
  mount('--bind', path.join(disk, 'ro'), readOnly);
  mounted.push(readOnly);
});

afterAll(() => {
  if (skipReason) return;
  for (const target of mounted.reverse()) {
    try {
      unmount(target);
    } catch {
      // Already gone: nothing to undo.
    }
  }
  rmSync(base, { recursive: true, force: true });
});

const fx = fixturePerTest(createRuntimeFixture);

/** How many token requests sent exactly this refresh token. */
function sends(refreshToken: string): number {
  return fx.fake.tokenRequestLog.filter(
    (request) => (request.body as { refresh_token?: unknown } | undefined)?.refresh_token === refreshToken,
  ).length;
}

/** Fills the filesystem of `dir` to the last byte; returns the filler to delete later. */
async function fillDisk(dir: string): Promise<string> {
  const filler = path.join(dir, 'filler');
  try {
    await writeFile(filler, Buffer.alloc(4 * 1024 * 1024));
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
  }
  return filler;
}

/** Advances the test clock past the save retry's backoff and waits for the runtime's work. */
async function retrySave(auth: AuthRecovery): Promise<void> {
  fx.clock.advance(60_000);
  await auth.whenIdle();
}

async function storedPair(storePath: string): Promise<{ access: string; refresh: string }> {
  return JSON.parse(await readFile(storePath, 'utf8')).profiles[PROFILE_ID];
}

describe.skipIf(skipReason !== null)(
  'a real full or read-only filesystem under the store (issue 9 input 4)',
  () => {
    it.each([
      ['ENOSPC', 'the disk fills up'],
      ['EROFS', 'the filesystem is remounted read-only'],
    ])(
      '%s (%s while the token request is on the wire): the rotated pair is served, the store error names path and errno, the spent token is never resent, the pair lands once the fault clears',
      async (errno) => {
        const dir = errno === 'ENOSPC' ? path.join(disk, 'store') : path.join(readOnly, 'store');
        const storePath = path.join(dir, 'auth-profiles.json');
        const login = fx.fake.issueLogin();
        await writeAuthProfilesFile(storePath, login, { otherProfiles: NOT_OURS });
        const auth = fx.create({ store: storePath, cliSource: false, watchCli: false });
        await auth.start();

        // The pre-spend check passes; the fault arrives with the request, before the answer.
        let filler: string | undefined;
        fx.fake.onNextTokenRequest(async () => {
          if (errno === 'ENOSPC') filler = await fillDisk(disk);
          else mount('-o', 'remount,ro,bind', readOnly);
        });
        try {
          const token = await auth.refresh();

          // Served at once, from memory: the pair the server rotated to.
          expect(token).not.toBe(login.accessToken);
          expect(fx.fake.tokenState(token)).toBe('valid');
          expect(await auth.getAccessToken()).toBe(token);
          // The error is our store's, naming the file and the kernel's errno.
          const failure = auth.getSnapshot().lastFailure;
          expect(failure).toMatchObject({ kind: 'store', causeCode: errno });
          expect(failure?.message).toContain(storePath);
          expect(failure?.message).toContain(errno);
          // The store still holds the old pair, whole; no temp file is left behind.
          expect((await storedPair(storePath)).refresh).toBe(login.refreshToken);
          expect(await listTempFiles(storePath)).toEqual([]);

          // Save retries while the fault lasts: still failing, and no token is spent meanwhile.
          await retrySave(auth);
          await retrySave(auth);
          expect(auth.getSnapshot().lastFailure).toMatchObject({ kind: 'store', causeCode: errno });
          expect(await auth.refresh()).toBe(token);
          expect(fx.fake.tokenRequests).toBe(1);
        } finally {
          // The fault clears: space freed, or the filesystem writable again.
          if (filler) await unlink(filler);
          if (errno === 'EROFS') mount('-o', 'remount,rw,bind', readOnly);
        }

        await retrySave(auth);
        const stored = await storedPair(storePath);
        expect(stored.access).toBe(await auth.getAccessToken());
        expect(fx.fake.tokenState(stored.refresh)).toBe('valid');
        expect(auth.getSnapshot().lastFailure).toBeNull();
        expect(sends(login.refreshToken)).toBe(1);
        expect(fx.fake.tokenRequests).toBe(1);
        await auth.stop();
        await rm(dir, { recursive: true, force: true });
      },
    );
  },
);

describe.skipIf(skipReason !== null)('`oauth-recovery refresh` on a real full disk', () => {
  const cli = fixturePerTest(createCliFixture);

  it('does not say "refreshed" when the rotated pair could not be saved: exit 1, the store error named', async () => {
    const storePath = path.join(disk, 'cli-store', 'auth-profiles.json');
    const login = cli.login({ expiresAt: expiresIn.minutes(3) });
    await writeAuthProfilesFile(storePath, login, { otherProfiles: NOT_OURS });
    let filler: string | undefined;
    cli.fake.onNextTokenRequest(async () => {
      filler = await fillDisk(disk);
    });
    try {
      const result = await cli.run([
        'refresh',
        '--log-level',
        'silent',
        '--store',
        storePath,
        '--claude-config-dir',
        cli.claudeDir,
        '--token-url',
        cli.fake.tokenUrl,
      ]);
      expect(result.code).toBe(1);
      expect(result.stdout).not.toContain('refreshed');
      expectOneLineError(result.stderr, /could not write the store \(ENOSPC: no space left on the device\)/);
      expect(result.stderr).toContain(storePath);
      expect(result.stderr).toContain('exists only in this exiting process');
      expectNoSecrets(result, cli.secrets);
      expect(cli.fake.tokenRequests).toBe(1);
    } finally {
      if (filler) await unlink(filler);
      await rm(path.dirname(storePath), { recursive: true, force: true });
    }
  });
});
