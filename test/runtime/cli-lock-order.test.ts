/**
 * The lock order docs/architecture.md states, observed on real files: one refresh of a login
 * the Claude Code CLI shares (write-back mode) takes `D/.oauth_refresh.lock`, then the legacy
 * `<realpath(D)>.lock`, writes the owner record, then takes our store lock; it releases the store
 * lock before it takes `D/.storage-write.lock` for the write-back (the CLI's file changes only
 * while that is held); and it never takes a lock ranked before one it holds (refresh → legacy →
 * store → storage-write), which is what makes a deadlock with the CLI (refresh → storage-write)
 * or another oauth-recovery impossible.
 *
 * Every lock is proper-lockfile's; the test wraps its `lock()` to log each take (once the lock
 * directory exists) and release (once it is gone), in the order they happen.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { createSilentLogger } from '../../src/logging/logger.js';
import { createAuthRecovery } from '../../src/runtime/index.js';
import { type FakeAnthropic, startFakeAnthropic } from '../support/fake-anthropic.js';
import { writeSharedExpiredLogin } from '../support/shared-login.js';

/** Each take and release, by lock directory path, in order; `onEvent` looks at the files then. */
const lockLog = vi.hoisted(() => ({
  events: [] as Array<{ verb: 'taken' | 'released'; lockPath: string }>,
  onEvent: (_verb: 'taken' | 'released', _lockPath: string): void => undefined,
}));

vi.mock('proper-lockfile', async (importOriginal) => {
  const original = ((await importOriginal()) as { default: typeof import('proper-lockfile') }).default;
  const lock: typeof original.lock = async (file, options) => {
    const release = await original.lock(file, options);
    const lockPath = options?.lockfilePath ?? `${file}.lock`;
    lockLog.events.push({ verb: 'taken', lockPath });
    lockLog.onEvent('taken', lockPath);
    return async () => {
      await release();
      lockLog.events.push({ verb: 'released', lockPath });
      lockLog.onEvent('released', lockPath);
    };
  };
  return { default: { ...original, lock } };
});

/** The locks by rank: a process may take a lock only while holding none ranked after it. */
const RANK = ['refresh', 'legacy', 'store', 'storageWrite'] as const;
type Lock = (typeof RANK)[number];

let dir: string;
let fake: FakeAnthropic;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'oauth-recovery-lock-order-'));
  fake = await startFakeAnthropic();
  lockLog.events.length = 0;
});
afterEach(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

it('one write-back refresh: CLI refresh lock → legacy → owner record → store lock → (released) → storage-write lock', async () => {
  const claudeDir = path.join(dir, 'home', '.claude');
  const storeDir = path.join(dir, 'store');
  await mkdir(claudeDir, { recursive: true, mode: 0o700 });
  await mkdir(storeDir, { recursive: true, mode: 0o700 });
  const storePath = path.join(storeDir, 'auth-profiles.json');
  const cliPath = path.join(claudeDir, '.credentials.json');
  const login = await writeSharedExpiredLogin(fake, storePath, cliPath);

  const names = new Map<string, Lock>([
    [path.join(claudeDir, '.oauth_refresh.lock'), 'refresh'],
    [`${claudeDir}.lock`, 'legacy'],
    [`${storePath}.lock`, 'store'],
    [path.join(claudeDir, '.storage-write.lock'), 'storageWrite'],
  ]);
  // What the CLI's file and the owner record held at each take and release.
  const ownerPath = path.join(claudeDir, '.oauth_refresh.lock.owner');
  const cliRefreshToken = () => JSON.parse(readFileSync(cliPath, 'utf8')).claudeAiOauth.refreshToken;
  const seen: string[] = [];
  lockLog.onEvent = (verb, lockPath) => {
    const lock = names.get(lockPath);
    const cli = cliRefreshToken() === login.refreshToken ? 'old pair' : 'new pair';
    if (lock === 'store' || lock === 'storageWrite')
      seen.push(
        `${lock} ${verb}: CLI file ${cli}, owner record ${existsSync(ownerPath) ? 'present' : 'absent'}`,
      );
  };
  const auth = createAuthRecovery({
    store: storePath,
    claudeConfigDir: claudeDir,
    tokenUrl: fake.tokenUrl,
    watchCli: false,
    logger: createSilentLogger(),
  });
  await auth.start();
  await auth.getAccessToken();
  await auth.stop();

  expect(fake.tokenRequests).toBe(1);
  const events = lockLog.events.map(({ verb, lockPath }) => `${names.get(lockPath) ?? lockPath} ${verb}`);
  const trail = events.join(', ');
  expect(events.slice(0, 3), trail).toEqual(['refresh taken', 'legacy taken', 'store taken']);
  const at = (event: string) => events.indexOf(event);
  expect(at('store released'), trail).toBeLessThan(at('storageWrite taken'));
  expect(at('storageWrite released'), trail).toBeLessThan(at('refresh released'));
  expect(at('storageWrite released'), trail).toBeLessThan(at('legacy released'));
  // The owner record is there while we refresh; the CLI's file changes only under storage-write.
  expect(seen.slice(0, 4)).toEqual([
    'store taken: CLI file old pair, owner record present',
    'store released: CLI file old pair, owner record present',
    'storageWrite taken: CLI file old pair, owner record present',
    'storageWrite released: CLI file new pair, owner record present',
  ]);
  expect(existsSync(ownerPath)).toBe(false);

  // The rank rule over the whole run (the usage write takes the store lock again, too).
  const held = new Set<Lock>();
  for (const event of events) {
    const [what, verb] = event.split(' ') as [Lock, string];
    expect(RANK, trail).toContain(what);
    if (verb === 'released') {
      held.delete(what);
      continue;
    }
    const later = [...held].filter((other) => RANK.indexOf(other) > RANK.indexOf(what));
    expect(later, `${what} taken while holding ${later.join(', ')}: ${trail}`).toEqual([]);
    held.add(what);
  }
  expect(held.size, trail).toBe(0);
});
