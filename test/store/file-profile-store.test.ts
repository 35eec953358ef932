/**
 * The file profile store on real files: empty when missing, created 0700/0600 on first write,
 * round trips, only our fields change (unknown profiles, fields and key order survive),
 * never-wipe/never-downgrade on every credential write, usage stats with cooldowns that end,
 * re-read under the lock, compromised lock aborting the write, symlinked store, and watch.
 */
import { lstat, mkdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OAuthCredential } from '../../src/credentials/types.js';
import { CredentialParseError, DowngradeRefusedError, LockCompromisedError } from '../../src/errors.js';
import { listTempFiles } from '../../src/fs/atomic-write.js';
import { createFileProfileStore } from '../../src/store/file-profile-store.js';
import {
  BLANK_CREDENTIAL,
  caught,
  expectNoSecrets,
  fileFingerprint,
  HOUR,
  makeCredential,
  NOW,
  oauthProfileEntry,
  useTempDirs,
} from '../support/store-workers/fixtures.js';

const tempDir = useTempDirs();
const PROFILE = 'anthropic:claude-cli';

function openclawDocument(credential: OAuthCredential) {
  return {
    version: 1,
    profiles: {
      'openai-codex:default': {
        type: 'oauth',
        provider: 'openai-codex',
        access: 'x',
        refresh: 'y',
        expires: 5,
        accountId: 'acc',
      },
      [PROFILE]: { ...oauthProfileEntry(credential), email: 'ada@example.com' },
      'openai:key': { type: 'api_key', provider: 'openai', key: 'sk-proj-keep' },
      'future:thing': { type: 'webauthn', provider: 'future', blob: [1, 2, 3] },
    },
    order: { anthropic: [PROFILE] },
    lastGood: { anthropic: PROFILE },
    usageStats: {
      [PROFILE]: { errorCount: 2, lastUsed: NOW - HOUR, failureCounts: { auth: 2 } },
      'openai:key': { lastUsed: 1 },
    },
    gatewayNotes: { keep: 'me' },
  };
}

async function setup(content?: unknown, now: () => number = () => NOW) {
  const dir = await tempDir();
  const file = path.join(dir, 'state', 'agents', 'main', 'agent', 'auth-profiles.json');
  if (content !== undefined) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`, {
      mode: 0o600,
    });
  }
  return { dir, file, store: createFileProfileStore({ path: file, now, watchDebounceMs: 20 }) };
}

const write = (credential: OAuthCredential) => () => ({ write: credential, result: 'written' });

describe('FileProfileStore', () => {
  it('reads a missing file as empty and creates it (dir 0700, file 0600) on first write', async () => {
    const { store, file } = await setup();
    expect(await store.readCredential(PROFILE)).toBeNull();
    expect(await store.readUsage(PROFILE)).toEqual({});
    const credential = makeCredential();
    expect(await store.updateCredential(PROFILE, write(credential))).toBe('written');
    expect(await store.readCredential(PROFILE)).toEqual(credential);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      version: 1,
      profiles: {
        [PROFILE]: oauthProfileEntry(credential),
      },
    });
    expect(await readFile(file, 'utf8')).toMatch(/^\{\n {2}"version": 1,/);
  });

  it('changes only the fields it owns: unknown profiles, fields, order and key order survive', async () => {
    const stored = makeCredential();
    const original = openclawDocument(stored);
    const { store, file } = await setup(original);
    const fresher = makeCredential({ expiresAt: stored.expiresAt + HOUR });
    await store.updateCredential(PROFILE, write(fresher));

    const text = await readFile(file, 'utf8');
    const expected = structuredClone(original);
    Object.assign(expected.profiles[PROFILE] as object, {
      access: fresher.accessToken,
      refresh: fresher.refreshToken,
      expires: fresher.expiresAt,
    });
    expect(text).toBe(`${JSON.stringify(expected, null, 2)}\n`); // same bytes apart from our three fields
  });

  it('returns null for a profile that is not oauth', async () => {
    const { store } = await setup(openclawDocument(makeCredential()));
    expect(await store.readCredential('openai:key')).toBeNull();
    expect(await store.readCredential('future:thing')).toBeNull();
  });

  it('writes nothing when fn returns write: null, and nothing when fn throws', async () => {
    const { store, file } = await setup(openclawDocument(makeCredential()));
    const before = await fileFingerprint(file);
    expect(await store.updateCredential(PROFILE, () => ({ write: null, result: 1 }))).toBe(1);
    await expect(
      store.updateCredential(PROFILE, () => {
        throw new Error('refresh failed');
      }),
    ).rejects.toThrow('refresh failed');
    expect(await fileFingerprint(file)).toBe(before);
    // and the lock was released
    expect(await store.updateCredential(PROFILE, () => ({ write: null, result: 2 }))).toBe(2);
  });

  it('re-reads under the lock: fn sees what another process stored a moment ago', async () => {
    const stored = makeCredential();
    const { store, file } = await setup(openclawDocument(stored));
    const other = createFileProfileStore({ path: file, now: () => NOW });
    const refreshedElsewhere = makeCredential({ expiresAt: stored.expiresAt + HOUR });
    await other.updateCredential(PROFILE, write(refreshedElsewhere));
    const seen = await store.updateCredential(PROFILE, (current) => ({ write: null, result: current }));
    expect(seen).toEqual(refreshedElsewhere);
  });

  it('writes over an expired stored credential', async () => {
    const { store } = await setup(openclawDocument(makeCredential({ expiresAt: NOW - HOUR })));
    const fresh = makeCredential();
    await store.updateCredential(PROFILE, write(fresh));
    expect(await store.readCredential(PROFILE)).toEqual(fresh);
  });

  describe('never wipes, never downgrades', () => {
    const stored = makeCredential({ expiresAt: NOW + 4 * HOUR });
    it.each([
      { name: 'blank', candidate: BLANK_CREDENTIAL },
      { name: 'empty refresh token', candidate: makeCredential({ refreshToken: '' }) },
      { name: 'expired', candidate: makeCredential({ expiresAt: NOW - 1 }) },
      { name: 'expiring inside the margin', candidate: makeCredential({ expiresAt: NOW + 30_000 }) },
      { name: 'older', candidate: makeCredential({ expiresAt: NOW + HOUR }) },
      { name: 'equal expiry', candidate: makeCredential({ expiresAt: NOW + 4 * HOUR }) },
      { name: 'same token, earlier expiry', candidate: { ...stored, expiresAt: NOW + 2 * HOUR } },
    ])('refuses a $name credential; the file stays byte-identical', async ({ candidate }) => {
      const { store, file } = await setup(openclawDocument(stored));
      const before = await fileFingerprint(file);
      const error = await caught(store.updateCredential(PROFILE, write(candidate)));
      expect(error).toBeInstanceOf(DowngradeRefusedError);
      expect(error.message).toContain(file);
      expect(error.message).toContain(PROFILE);
      expectNoSecrets(error, [stored.accessToken, stored.refreshToken, candidate.accessToken]);
      expect(await fileFingerprint(file)).toBe(before);
      expect(await listTempFiles(file)).toEqual([]);
    });

    it('refuses a blank credential even when nothing is stored (never creates a blank login)', async () => {
      const { store, file } = await setup();
      expect(await caught(store.updateCredential(PROFILE, write(BLANK_CREDENTIAL)))).toBeInstanceOf(
        DowngradeRefusedError,
      );
      await expect(stat(file)).rejects.toThrow();
    });

    it('writing the stored credential again is a no-op, not an error', async () => {
      const { store, file } = await setup(openclawDocument(stored));
      const before = await fileFingerprint(file);
      expect(await store.updateCredential(PROFILE, write({ ...stored }))).toBe('written');
      expect(await fileFingerprint(file)).toBe(before);
    });

    it('refuses to turn a non-oauth profile into an oauth one', async () => {
      const { store, file } = await setup(openclawDocument(stored));
      const before = await fileFingerprint(file);
      const error = await caught(store.updateCredential('openai:key', write(makeCredential())));
      expect(error).toBeInstanceOf(DowngradeRefusedError);
      expect(error.message).toContain('api_key');
      expect(await fileFingerprint(file)).toBe(before);
    });

    it('refuses to write over a malformed store, which stays byte-identical', async () => {
      const { store, file } = await setup('{"version":1,"profiles":{"a":');
      const before = await fileFingerprint(file);
      expect(await caught(store.updateCredential(PROFILE, write(makeCredential())))).toBeInstanceOf(
        CredentialParseError,
      );
      expect(await caught(store.recordUsage(PROFILE, { lastUsed: NOW }))).toBeInstanceOf(
        CredentialParseError,
      );
      expect(await fileFingerprint(file)).toBe(before);
    });
  });

  it('aborts the write when the lock is taken over mid-update; the file is untouched', async () => {
    const stored = makeCredential();
    const { store, file } = await setup(openclawDocument(stored));
    const before = await fileFingerprint(file);
    const error = await caught(
      store.updateCredential(PROFILE, async () => {
        // Another process decided our lock was stale and took it over.
        await rm(`${file}.lock`, { recursive: true });
        await mkdir(`${file}.lock`);
        return { write: makeCredential({ expiresAt: stored.expiresAt + HOUR }), result: null };
      }),
    );
    expect(error).toBeInstanceOf(LockCompromisedError);
    expect(await fileFingerprint(file)).toBe(before);
    await rm(`${file}.lock`, { recursive: true });
  });

  it('writes a symlinked store at its target and keeps the link', async () => {
    const dir = await tempDir();
    const target = path.join(dir, 'shared', 'auth-profiles.json');
    const link = path.join(dir, 'agent', 'auth-profiles.json');
    await mkdir(path.dirname(target), { recursive: true });
    await mkdir(path.dirname(link), { recursive: true });
    await writeFile(target, JSON.stringify(openclawDocument(makeCredential())));
    await symlink(target, link);
    const store = createFileProfileStore({ path: link, now: () => NOW });
    const fresh = makeCredential({ expiresAt: NOW + 9 * HOUR });
    await store.updateCredential(PROFILE, write(fresh));
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(JSON.parse(await readFile(target, 'utf8')).profiles[PROFILE].access).toBe(fresh.accessToken);
  });
});

describe('FileProfileStore usage stats', () => {
  it('merges a patch, deletes fields set to null, keeps unknown usage fields', async () => {
    const { store, file } = await setup(openclawDocument(makeCredential()));
    await store.recordUsage(PROFILE, { lastFailureAt: NOW, errorCount: null, cooldownUntil: NOW + HOUR });
    expect(await store.readUsage(PROFILE)).toEqual({
      lastUsed: NOW - HOUR,
      lastFailureAt: NOW,
      cooldownUntil: NOW + HOUR,
    });
    const stats = JSON.parse(await readFile(file, 'utf8')).usageStats[PROFILE];
    expect(stats.failureCounts).toEqual({ auth: 2 });
    expect(stats).not.toHaveProperty('errorCount');
  });

  it('derives a patch from the current stats under the lock', async () => {
    const { store } = await setup(openclawDocument(makeCredential()));
    await Promise.all(
      Array.from({ length: 10 }, () =>
        store.recordUsage(PROFILE, (usage) => ({ errorCount: (usage.errorCount ?? 0) + 1 })),
      ),
    );
    expect((await store.readUsage(PROFILE)).errorCount).toBe(12);
  });

  it('creates usage stats for a new profile and a new file', async () => {
    const { store } = await setup();
    await store.recordUsage('anthropic:new', { lastUsed: NOW });
    expect(await store.readUsage('anthropic:new')).toEqual({ lastUsed: NOW });
  });

  it('ends a cooldown by itself: an expired cooldownUntil reads as absent and is cleared on the next write', async () => {
    let now = NOW;
    const { store, file } = await setup(openclawDocument(makeCredential()), () => now);
    await store.recordUsage(PROFILE, { cooldownUntil: NOW + 10 * 60_000 });
    expect((await store.readUsage(PROFILE)).cooldownUntil).toBe(NOW + 10 * 60_000);

    now = NOW + 10 * 60_000; // the cooldown's end
    expect(await store.readUsage(PROFILE)).not.toHaveProperty('cooldownUntil');
    expect((await store.readDocument()).usageStats?.[PROFILE]).not.toHaveProperty('cooldownUntil');

    await store.recordUsage('openai:key', { lastUsed: now });
    expect(JSON.parse(await readFile(file, 'utf8')).usageStats[PROFILE]).not.toHaveProperty('cooldownUntil');
  });

  it('refuses a non-finite value rather than corrupting the file', async () => {
    const { store, file } = await setup(openclawDocument(makeCredential()));
    const before = await fileFingerprint(file);
    await expect(store.recordUsage(PROFILE, { lastUsed: Number.NaN })).rejects.toThrow(RangeError);
    expect(await fileFingerprint(file)).toBe(before);
  });
});

describe('FileProfileStore.watch', () => {
  it('reports a change made by another writer (rename into place)', async () => {
    const { store, file } = await setup(openclawDocument(makeCredential()));
    let calls = 0;
    let notify: () => void = () => undefined;
    const unsubscribe = store.watch(() => {
      calls++;
      notify();
    });
    const changed = new Promise<void>((resolve) => {
      notify = resolve;
    });
    const other = createFileProfileStore({ path: file, now: () => NOW });
    await other.recordUsage(PROFILE, { lastUsed: NOW });
    await other.recordUsage(PROFILE, { lastUsed: NOW + 1 });
    await changed;
    expect(calls).toBe(1);
    unsubscribe();
  });

  it('watches a store whose directory does not exist yet', async () => {
    const { store } = await setup();
    const changed = new Promise<void>((resolve) => {
      const unsubscribe = store.watch(() => {
        unsubscribe();
        resolve();
      });
    });
    await store.recordUsage(PROFILE, { lastUsed: NOW });
    await changed;
  });
});
