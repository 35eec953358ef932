/**
 * Claude Code's lock protocol as we speak it (credentials/claude-code-protocol.ts and
 * claude-code-locks.ts): where `D` is, the two refresh locks and the owner record the CLI reads,
 * contention on the legacy lock, the storage-write lock, and the CLI's compare-and-swap save.
 */
import { mkdir, mkdtemp, readFile, realpath, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  nextRefreshTokenExpiry,
  planClaudeCliCasWriteBack,
} from '../../src/credentials/claude-cli-document.js';
import {
  acquireClaudeRefreshLocks,
  claudeLegacyRefreshLockPath,
  withClaudeStorageWriteLock,
} from '../../src/credentials/claude-code-locks.js';
import { procStartOf } from '../../src/credentials/claude-code-owner.js';
import { resolveClaudeStorageDir } from '../../src/credentials/claude-code-protocol.js';
import { LockTimeoutError } from '../../src/errors.js';

let root: string;
let dir: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'oauth-recovery-cc-locks-'));
  dir = path.join(root, '.claude');
  await mkdir(dir, { mode: 0o700 });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

describe('resolveClaudeStorageDir (as Claude Code 2.1.328 computes D)', () => {
  it('prefers CLAUDE_SECURESTORAGE_CONFIG_DIR, then CLAUDE_CONFIG_DIR, then ~/.claude', () => {
    const homeDir = '/home/ada';
    expect(resolveClaudeStorageDir({ env: {}, homeDir })).toBe('/home/ada/.claude');
    expect(resolveClaudeStorageDir({ env: { CLAUDE_CONFIG_DIR: '/cfg' }, homeDir })).toBe('/cfg');
    expect(
      resolveClaudeStorageDir({
        env: { CLAUDE_SECURESTORAGE_CONFIG_DIR: '/sec', CLAUDE_CONFIG_DIR: '/cfg' },
        homeDir,
      }),
    ).toBe('/sec');
    // Set but empty: ~/.claude, even with CLAUDE_CONFIG_DIR set.
    expect(
      resolveClaudeStorageDir({
        env: { CLAUDE_SECURESTORAGE_CONFIG_DIR: '', CLAUDE_CONFIG_DIR: '/cfg' },
        homeDir,
      }),
    ).toBe('/home/ada/.claude');
  });

  it('NFC-normalises the dir', () => {
    const decomposed = '/home/cafe\u0301';
    expect(resolveClaudeStorageDir({ env: { CLAUDE_CONFIG_DIR: decomposed } })).toBe('/home/caf\u00e9');
  });
});

describe('acquireClaudeRefreshLocks', () => {
  it('takes D/.oauth_refresh.lock and <realpath(D)>.lock and writes the owner record the CLI reads', async () => {
    const locks = await acquireClaudeRefreshLocks(dir);
    const legacy = `${await realpath(dir)}.lock`;
    expect(await claudeLegacyRefreshLockPath(dir)).toBe(legacy);
    expect(await exists(path.join(dir, '.oauth_refresh.lock'))).toBe(true);
    expect(await exists(legacy)).toBe(true);
    const record = JSON.parse(await readFile(path.join(dir, '.oauth_refresh.lock.owner'), 'utf8'));
    const lockStats = await stat(path.join(dir, '.oauth_refresh.lock'));
    expect(record.pid).toBe(process.pid);
    expect(record.lockBirthtimeMs).toBe(lockStats.birthtimeMs);
    expect(record.legacyLockBirthtimeMs).toBe((await stat(legacy)).birthtimeMs);
    if (process.platform === 'linux') {
      const pidNamespace = await import('node:fs/promises').then((fs) => fs.readlink('/proc/self/ns/pid'));
      expect(record.pidDomain).toMatch(
        new RegExp(`^linux:[0-9a-f]*:${pidNamespace.replace(/[[\]]/g, '\\$&')}$`),
      );
      expect(record.pidSpace).toBe(`${os.hostname()}#${pidNamespace}`);
      expect(record.procStart).toBe(procStartOf(await readFile('/proc/self/stat', 'utf8')));
    }
    // The CLI's schema: at most 4096 bytes, strings of bounded length.
    expect(JSON.stringify(record).length).toBeLessThan(4096);
    await locks.release();
    expect(await exists(path.join(dir, '.oauth_refresh.lock'))).toBe(false);
    expect(await exists(legacy)).toBe(false);
    expect(await exists(path.join(dir, '.oauth_refresh.lock.owner'))).toBe(false);
  });

  it('waits while the CLI holds the current lock, bounded by LockTimeoutError', async () => {
    const release = await lockfile.lock(dir, {
      realpath: false,
      stale: 60_000,
      lockfilePath: path.join(dir, '.oauth_refresh.lock'),
    });
    const error = await acquireClaudeRefreshLocks(dir, { waitMs: 300 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LockTimeoutError);
    await release();
    const locks = await acquireClaudeRefreshLocks(dir, { waitMs: 300 });
    await locks.release();
  });

  it('treats a held legacy lock as contention: lets go of the current lock and waits', async () => {
    const legacy = `${await realpath(dir)}.lock`;
    const release = await lockfile.lock(legacy, { realpath: false, stale: 60_000, lockfilePath: legacy });
    const error = await acquireClaudeRefreshLocks(dir, { waitMs: 300 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LockTimeoutError);
    // The current lock was not left behind for the CLI to trip over.
    expect(await exists(path.join(dir, '.oauth_refresh.lock'))).toBe(false);
    await release();
  });
});

describe('withClaudeStorageWriteLock', () => {
  it('holds D/.storage-write.lock only while the write runs', async () => {
    const seen = await withClaudeStorageWriteLock(dir, async () =>
      exists(path.join(dir, '.storage-write.lock')),
    );
    expect(seen).toBe(true);
    expect(await exists(path.join(dir, '.storage-write.lock'))).toBe(false);
  });
});

describe("the CLI's compare-and-swap save", () => {
  const rotated = { accessToken: 'new-a', refreshToken: 'new-r', expiresAt: 2_000 };
  const doc = (refreshToken: string, extra: Record<string, unknown> = {}) => ({
    claudeAiOauth: {
      accessToken: 'old-a',
      refreshToken,
      expiresAt: 1_000,
      scopes: ['user:inference'],
      ...extra,
    },
    other: { kept: true },
  });

  it('writes only over the token it spent or a blanked one', () => {
    expect(
      planClaudeCliCasWriteBack({ document: doc('spent'), previousText: undefined, rotated, spent: 'spent' })
        .outcome,
    ).toBe('written');
    expect(
      planClaudeCliCasWriteBack({ document: doc(''), previousText: undefined, rotated, spent: 'spent' })
        .outcome,
    ).toBe('written');
    expect(
      planClaudeCliCasWriteBack({
        document: doc('someone-elses'),
        previousText: undefined,
        rotated,
        spent: 'spent',
      }),
    ).toEqual({ text: null, outcome: 'keptNewer' });
    expect(
      planClaudeCliCasWriteBack({ document: {}, previousText: undefined, rotated, spent: 'spent' }).outcome,
    ).toBe('keptNewer');
    const same = { claudeAiOauth: { ...rotated } };
    expect(
      planClaudeCliCasWriteBack({ document: same, previousText: undefined, rotated, spent: 'spent' }).outcome,
    ).toBe('unchanged');
  });

  it("changes only the token fields; keeps the CLI's scopes unless the answer carried some", () => {
    const kept = planClaudeCliCasWriteBack({
      document: doc('spent', { subscriptionType: 'max' }),
      previousText: undefined,
      rotated,
      spent: 'spent',
    });
    expect(JSON.parse(kept.text ?? '{}')).toEqual({
      claudeAiOauth: {
        accessToken: 'new-a',
        refreshToken: 'new-r',
        expiresAt: 2_000,
        scopes: ['user:inference'],
        subscriptionType: 'max',
      },
      other: { kept: true },
    });
    const replaced = planClaudeCliCasWriteBack({
      document: doc('spent'),
      previousText: undefined,
      rotated: { ...rotated, scopes: ['user:inference', 'user:profile'] },
      spent: 'spent',
    });
    expect(JSON.parse(replaced.text ?? '{}').claudeAiOauth.scopes).toEqual([
      'user:inference',
      'user:profile',
    ]);
  });

  it("refreshTokenExpiresAt as Claude Code 2.1.328's refresh save computes it", () => {
    const now = Date.UTC(2026, 10, 30);
    const day = 86_400_000;
    const answered = (at: number) => ({ ...rotated, refreshTokenExpiresAt: at });
    // The earlier of the stored and the answered one: a login's end never moves later.
    expect(nextRefreshTokenExpiry(now + 5 * day, answered(now + 9 * day), now)).toBe(now + 5 * day);
    expect(nextRefreshTokenExpiry(now + 9 * day, answered(now + 5 * day), now)).toBe(now + 5 * day);
    // The answer said nothing, or something unbelievable (before 2025, > 10 years ahead): stored.
    expect(nextRefreshTokenExpiry(now + 7 * day, rotated, now)).toBe(now + 7 * day);
    expect(nextRefreshTokenExpiry(now + 7 * day, answered(5_000), now)).toBe(now + 7 * day);
    expect(nextRefreshTokenExpiry(now + 7 * day, answered(now + 3651 * day), now)).toBe(now + 7 * day);
    // None stored, or an unbelievable one: dropped (only a sign-in sets it from nothing).
    expect(nextRefreshTokenExpiry(undefined, answered(now + 5 * day), now)).toBeUndefined();
    expect(nextRefreshTokenExpiry(5_000, answered(now + 5 * day), now)).toBeUndefined();
    expect(nextRefreshTokenExpiry('soon', answered(now + 5 * day), now)).toBeUndefined();
  });

  it('writes refreshTokenExpiresAt in its place, and drops one the CLI would not believe', () => {
    const soon = Date.now() + 30 * 86_400_000;
    const plan = (stored: unknown, answered?: number) =>
      JSON.parse(
        planClaudeCliCasWriteBack({
          document: doc('spent', { refreshTokenExpiresAt: stored, subscriptionType: 'max' }),
          previousText: undefined,
          rotated: answered === undefined ? rotated : { ...rotated, refreshTokenExpiresAt: answered },
          spent: 'spent',
        }).text ?? '{}',
      ).claudeAiOauth;
    const written = plan(soon + 1_000, soon);
    expect(written.refreshTokenExpiresAt).toBe(soon);
    expect(Object.keys(written)).toEqual([
      'accessToken',
      'refreshToken',
      'expiresAt',
      'scopes',
      'refreshTokenExpiresAt',
      'subscriptionType',
    ]);
    expect(plan(soon).refreshTokenExpiresAt).toBe(soon);
    expect(plan(1_000, soon)).not.toHaveProperty('refreshTokenExpiresAt');
  });
});

describe('procStartOf', () => {
  it('reads field 22 of /proc/<pid>/stat, after the command in parentheses', () => {
    const fields = Array.from({ length: 50 }, (_, index) => String(index + 3));
    expect(procStartOf(`42 (a (weird) name) ${fields.join(' ')}`)).toBe('22');
    expect(procStartOf('garbage')).toBeUndefined();
  });
});
