/**
 * Other tools' entries in the store are theirs: a malformed one (issue 9 input 7) must not stop
 * our login, and every one of them, numbers a double cannot hold included (issue 11 item 8),
 * is written back byte-for-meaning. Real files in a temp dir.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_TOKEN_LIFETIME_MS } from '../../src/credentials/expiry-bounds.js';
import { createFileProfileStore } from '../../src/store/file-profile-store.js';
import { HOUR, makeCredential, NOW, useTempDirs } from '../support/store-workers/fixtures.js';

const tempDir = useTempDirs();
const PROFILE = 'anthropic:claude-cli';

/** A store as another tool might leave it: ours valid, theirs odd, with unsafe numbers. */
function storeText(ours: string): string {
  return `{
  "version": 1,
  "profiles": {
    "openai:default": { "type": "api_key", "provider": "openai", "key": null, "accountId": 123456789012345678901234567890 },
    ${ours},
    "weird": null,
    "gateway:x": { "type": "token", "provider": "x", "token": 7, "expires": 9007199254740993, "ratio": 0.1000000000000000055511151231257827 }
  },
  "order": { "anthropic": "not-a-list" },
  "lastGood": { "big": 18446744073709551615 },
  "usageStats": {
    "openai:default": { "errorCount": "many", "quota": 1e400, "lastUsed": -12345678901234567890 }
  },
  "fromTheFuture": { "n": 1.5e-400 }
}
`;
}

const oursText = (expires: string | number) =>
  `"${PROFILE}": { "type": "oauth", "provider": "anthropic", "access": "sk-ant-oat01-old", "refresh": "sk-ant-ort01-old", "expires": ${expires} }`;

/** Everything except our own profile and usage entry, re-read as text per entry. */
function foreignParts(text: string): string[] {
  const pattern =
    /"(openai:default|weird|gateway:x|order|lastGood|fromTheFuture)":\s*(null|\{[^{}]*\})|"usageStats":\s*\{\s*"openai:default":\s*\{[^{}]*\}/g;
  return [...text.matchAll(pattern)].map((match) => match[0].replace(/\s+/g, ''));
}

async function setup(expires: string | number = NOW + HOUR) {
  const file = path.join(await tempDir(), 'auth-profiles.json');
  const text = storeText(oursText(expires));
  await writeFile(file, text, { mode: 0o600 });
  return { file, text, store: createFileProfileStore({ path: file, now: () => NOW }) };
}

describe('foreign entries', () => {
  it('a malformed profile of another tool does not stop reading or refreshing ours (issue 9 input 7)', async () => {
    const { store } = await setup();
    expect(await store.readCredential(PROFILE)).toMatchObject({ accessToken: 'sk-ant-oat01-old' });
    const fresh = makeCredential({ expiresAt: NOW + 8 * HOUR });
    await store.updateCredential(PROFILE, () => ({ write: fresh, result: null }));
    expect(await store.readCredential(PROFILE)).toEqual({
      accessToken: fresh.accessToken,
      refreshToken: fresh.refreshToken,
      expiresAt: fresh.expiresAt,
    });
    await store.recordUsage(PROFILE, { lastUsed: NOW });
    expect(await store.readUsage(PROFILE)).toEqual({ lastUsed: NOW });
  });

  it('carries every foreign entry through a write byte-for-meaning, unsafe numbers digit for digit (issue 11 item 8)', async () => {
    const { file, text, store } = await setup();
    await store.updateCredential(PROFILE, () => ({
      write: makeCredential({ expiresAt: NOW + 8 * HOUR }),
      result: null,
    }));
    await store.recordUsage(PROFILE, { errorCount: 0 });
    const after = await readFile(file, 'utf8');
    expect(foreignParts(after)).toEqual(foreignParts(text));
    expect(foreignParts(after)).toHaveLength(7);
    for (const digits of [
      '123456789012345678901234567890',
      '9007199254740993',
      '0.1000000000000000055511151231257827',
      '18446744073709551615',
      '1e400',
      '-12345678901234567890',
      '1.5e-400',
    ]) {
      expect(after).toContain(digits);
    }
    expect(after.indexOf('"openai:default"')).toBeLessThan(after.indexOf(`"${PROFILE}"`));
  });

  it.each([
    ['1e16 (past the Date range)', '1e16'],
    ['1e400 (past a double)', '1e400'],
    ['a 40-digit integer', '1234567890123456789012345678901234567890'],
  ])(
    'our own absurd expires %s is read clamped, never as an invalid date (issue 11 item 5)',
    async (_name, expires) => {
      const { store } = await setup(expires);
      const credential = await store.readCredential(PROFILE);
      expect(credential?.expiresAt).toBe(NOW + MAX_TOKEN_LIFETIME_MS);
      expect(() => new Date(credential?.expiresAt ?? 0).toISOString()).not.toThrow();
    },
  );

  it.each([
    ['negative', '-5'],
    ['-1e400', '-1e400'],
  ])('our own %s expires reads as expired (0)', async (_name, expires) => {
    const { store } = await setup(expires);
    expect((await store.readCredential(PROFILE))?.expiresAt).toBe(0);
  });
});
