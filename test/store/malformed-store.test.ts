/**
 * The malformed-input corpus against the profile store: every case gives its typed error
 * naming the file (and the field), never echoes a token, and leaves the file exactly as it
 * was, whether it was reading, updating a credential or recording usage.
 */
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileProfileStore } from '../../src/store/file-profile-store.js';
import {
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
const PROFILE = 'anthropic:claude-cli';

function valid() {
  return {
    version: 1,
    profiles: {
      [PROFILE]: {
        type: 'oauth',
        provider: 'anthropic',
        access: CORPUS_SECRET,
        refresh: CORPUS_REFRESH_SECRET,
        expires: NOW + HOUR,
      } as Record<string, unknown>,
    } as Record<string, Record<string, unknown>>,
    usageStats: { [PROFILE]: { errorCount: 1 } } as Record<string, Record<string, unknown>>,
  } as Record<string, unknown> & {
    profiles: Record<string, Record<string, unknown>>;
    usageStats: Record<string, Record<string, unknown>>;
  };
}
const withProfile = (patch: Record<string, unknown>) => () => {
  const doc = valid();
  doc.profiles[PROFILE] = { ...doc.profiles[PROFILE], ...patch };
  return doc;
};

const corpus: CorpusCase[] = [
  ...genericCorpus(JSON.stringify(valid())),
  schemaCase(
    'unsupported version',
    () => ({ ...valid(), version: 2 }),
    'version',
    'unsupported value (expected 1)',
  ),
  schemaCase('profiles missing', () => ({ version: 1, order: {} }), 'profiles', 'is missing'),
  schemaCase(
    'oauth expires is a string holding a token',
    withProfile({ expires: CORPUS_SECRET }),
    `profiles.${PROFILE}.expires`,
    'wrong type',
  ),
  schemaCase(
    'oauth access is a number',
    withProfile({ access: 12 }),
    `profiles.${PROFILE}.access`,
    'wrong type',
  ),
  schemaCase(
    'oauth refresh missing',
    withProfile({ refresh: undefined }),
    `profiles.${PROFILE}.refresh`,
    'is missing',
  ),
  schemaCase(
    'profile without a type',
    withProfile({ type: undefined }),
    `profiles.${PROFILE}.type`,
    'is missing',
  ),
  schemaCase(
    'usage errorCount is a string',
    () => ({ ...valid(), usageStats: { [PROFILE]: { errorCount: 'many' } } }),
    `usageStats.${PROFILE}.errorCount`,
    'wrong type',
  ),
  schemaCase(
    'usageStats is not an object',
    () => ({ ...valid(), usageStats: [1, 2] }),
    'usageStats',
    'wrong type',
  ),
];

describe('profile store: malformed-input corpus', () => {
  it.each(corpus)('$name → typed error, no secret, file untouched (read, update, usage)', async (entry) => {
    const dir = await tempDir();
    const file = path.join(dir, 'agent', 'auth-profiles.json');
    await entry.create(file);
    const store = createFileProfileStore({ path: file, now: () => NOW });
    const fresh = makeCredential({ expiresAt: NOW + 9 * HOUR });

    await expectEachFailsUntouched(
      entry,
      file,
      [
        () => store.readCredential(PROFILE),
        () => store.readUsage(PROFILE),
        () => store.updateCredential(PROFILE, () => ({ write: fresh, result: null })),
        () => store.recordUsage(PROFILE, { lastFailureAt: NOW }),
      ],
      [fresh.accessToken, fresh.refreshToken],
    );
  });

  it('a blank oauth profile reads as a blank credential and is replaced by a fresh one', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'auth-profiles.json');
    await writeFile(file, JSON.stringify(withProfile({ access: '', refresh: '', expires: 0 })()));
    const store = createFileProfileStore({ path: file, now: () => NOW });
    expect(await store.readCredential(PROFILE)).toEqual({ accessToken: '', refreshToken: '', expiresAt: 0 });
    const fresh = makeCredential();
    await store.updateCredential(PROFILE, () => ({ write: fresh, result: null }));
    expect(await store.readCredential(PROFILE)).toEqual(fresh);
  });

  it('an unreadable store (EACCES, read by an unprivileged process) → CredentialFileError, untouched', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'auth-profiles.json');
    await writeFile(file, JSON.stringify(valid()), { mode: 0o600 });
    const before = await fileFingerprint(file);
    if (process.getuid?.() === 0) {
      await chmod(dir, 0o755);
      const run = await runTsWorker('read-as-user.ts', ['store', file], { uid: 65534, gid: 65534 });
      const outcome = JSON.parse(run.stdout);
      expect(outcome).toMatchObject({ ok: false, name: 'CredentialFileError', typed: true });
      expect(outcome.message).toBe(`${file}: permission denied (read)`);
    } else {
      await chmod(file, 0o000);
      await expect(createFileProfileStore({ path: file }).readCredential(PROFILE)).rejects.toThrow(
        'permission denied',
      );
      await chmod(file, 0o600);
    }
    expect(await fileFingerprint(file)).toBe(before);
  });
});
