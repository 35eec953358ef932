/**
 * Property-based fuzzing (fast-check) of every input oauth-recovery parses from outside:
 * the Claude CLI credentials file, the profile store and the token endpoint's answers.
 * Generated inputs: arbitrary strings, arbitrary JSON, valid documents with one field replaced
 * by an arbitrary value, valid documents cut at an arbitrary byte, junk spliced into valid
 * text, and raw bytes. For each: no crash (every failure is an OAuthRecoveryError subclass),
 * no token in any error, and a file that failed to parse is left byte-identical by every
 * operation, writes included. A subset drives the refresh client against a loopback server
 * answering with the generated status, content type and body, and a subset runs a whole
 * runtime's sync against a fuzzed CLI file next to a good store, whose credential must
 * survive untouched.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClaudeCliFileSource } from '../../src/credentials/claude-cli-file-source.js';
import { OAuthRecoveryError, RefreshError } from '../../src/errors.js';
import { createOAuthClient } from '../../src/oauth/refresh-client.js';
import { parseTokenResponse } from '../../src/oauth/token-response-schema.js';
import { createAuthRecovery } from '../../src/runtime/create-auth-recovery.js';
import { createFileProfileStore } from '../../src/store/file-profile-store.js';
import { expectNoSecrets, HOUR, NOW, useTempDirs } from '../support/store-workers/fixtures.js';
import { SEED, SIZES, TEST_TIMEOUT_MS } from './sizes.js';

const ACCESS = 'sk-ant-oat01-FUZZ-SECRET-ACCESS-0123456789abcdef0123456789';
const REFRESH = 'sk-ant-ort01-FUZZ-SECRET-REFRESH-fedcba9876543210fedcba98';
const PROFILE = 'anthropic:claude-cli';
const SECRETS = [ACCESS, REFRESH];
const tempDir = useTempDirs();

type Json = Record<string, unknown>;
const validCli = (): Json => ({
  claudeAiOauth: {
    accessToken: ACCESS,
    refreshToken: REFRESH,
    expiresAt: NOW + HOUR,
    scopes: ['user:inference', 'user:profile'],
    subscriptionType: 'max',
    rateLimitTier: 'default_claude_max_20x',
  },
  mcpOAuth: { keep: 'me' },
});
const validStore = (): Json => ({
  version: 1,
  profiles: {
    [PROFILE]: {
      type: 'oauth',
      provider: 'anthropic',
      access: ACCESS,
      refresh: REFRESH,
      expires: NOW + HOUR,
    },
    'openai:default': { type: 'api_key', provider: 'openai', key: 'not-ours' },
  },
  order: { anthropic: [PROFILE] },
  usageStats: { [PROFILE]: { errorCount: 1, lastUsed: NOW } },
});
const validTokenResponse = (): Json => ({
  token_type: 'Bearer',
  access_token: ACCESS,
  refresh_token: REFRESH,
  expires_in: 28_800,
  scope: 'user:inference',
});

const CLI_PATHS = [
  [],
  ['claudeAiOauth'],
  ...['accessToken', 'refreshToken', 'expiresAt', 'scopes', 'subscriptionType', 'rateLimitTier'].map((f) => [
    'claudeAiOauth',
    f,
  ]),
];
const STORE_PATHS = [
  [],
  ['version'],
  ['profiles'],
  ['profiles', PROFILE],
  ['usageStats'],
  ['usageStats', PROFILE],
  ['usageStats', PROFILE, 'errorCount'],
  ['order'],
  ...['type', 'provider', 'access', 'refresh', 'expires'].map((f) => ['profiles', PROFILE, f]),
];
const TOKEN_PATHS = [[], ['access_token'], ['refresh_token'], ['expires_in'], ['token_type'], ['scope']];

/** A deep copy of `document` with the value at `keys` replaced (the root when `keys` is empty). */
function replaceAt(document: Json, keys: readonly string[], value: unknown): unknown {
  if (keys.length === 0) return value;
  const copy = structuredClone(document);
  let node: Json = copy;
  for (const key of keys.slice(0, -1)) node = node[key] as Json;
  node[keys.at(-1) as string] = value;
  return copy;
}

/** Malformed (and occasionally valid) document bytes derived from `valid`. */
function documentBytes(valid: () => Json, paths: readonly (readonly string[])[]): fc.Arbitrary<Buffer> {
  const text = JSON.stringify(valid());
  return fc.oneof(
    fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)),
    fc.json({ maxDepth: 3 }).map((s) => Buffer.from(s)),
    fc
      .tuple(fc.constantFrom(...paths), fc.anything({ maxDepth: 2 }))
      .map(([keys, value]) => Buffer.from(JSON.stringify(replaceAt(valid(), keys, value)) ?? 'undefined')),
    fc.nat({ max: text.length - 1 }).map((cut) => Buffer.from(text.slice(0, cut))),
    fc
      .tuple(fc.nat({ max: text.length - 1 }), fc.string({ minLength: 1, maxLength: 6 }))
      .map(([at, junk]) => Buffer.from(text.slice(0, at) + junk + text.slice(at))),
    fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  );
}

/** Runs `operation`; a failure must be a typed, secret-free OAuthRecoveryError. */
async function typedOutcome(operation: () => Promise<unknown>): Promise<'ok' | OAuthRecoveryError> {
  try {
    await operation();
    return 'ok';
  } catch (error) {
    if (!(error instanceof OAuthRecoveryError)) throw new Error(`untyped failure: ${String(error)}`);
    expectNoSecrets(error, SECRETS);
    return error;
  }
}

const newer = () => ({
  accessToken: 'sk-ant-oat01-FUZZ-NEWER-ACCESS-aaaaaaaaaaaaaaaaaaaaaaaa',
  refreshToken: 'sk-ant-ort01-FUZZ-NEWER-REFRESH-bbbbbbbbbbbbbbbbbbbbbbb',
  expiresAt: NOW + 9 * HOUR,
});

describe(`fuzzing malformed input (fast-check, seed ${SEED})`, { timeout: TEST_TIMEOUT_MS }, () => {
  it(`${SIZES.fuzzRuns} generated Claude CLI credentials files: typed errors only, malformed files byte-identical`, async () => {
    const dir = await tempDir();
    const file = path.join(dir, '.credentials.json');
    let malformed = 0;
    await fc.assert(
      fc.asyncProperty(documentBytes(validCli, CLI_PATHS), async (bytes) => {
        await writeFile(file, bytes, { mode: 0o600 });
        const source = createClaudeCliFileSource({ path: file, now: () => NOW });
        const read = await typedOutcome(() => source.read());
        const write = await typedOutcome(() => source.writeBack(newer()));
        if (read !== 'ok') {
          malformed++;
          expect(write).toBeInstanceOf(OAuthRecoveryError);
          expect((await readFile(file)).equals(bytes)).toBe(true);
        }
      }),
      { numRuns: SIZES.fuzzRuns, seed: SEED },
    );
    console.info(
      `[reliability] fuzz: ${SIZES.fuzzRuns} CLI files, ${malformed} malformed, 0 untyped failures`,
    );
    expect(malformed).toBeGreaterThan(SIZES.fuzzRuns / 2);
  });

  it(`${SIZES.fuzzRuns} generated profile store files: typed errors only, malformed files byte-identical`, async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'auth-profiles.json');
    let malformed = 0;
    await fc.assert(
      fc.asyncProperty(documentBytes(validStore, STORE_PATHS), async (bytes) => {
        await writeFile(file, bytes, { mode: 0o600 });
        const store = createFileProfileStore({ path: file, now: () => NOW });
        const read = await typedOutcome(() => store.readCredential(PROFILE));
        const outcomes = [
          await typedOutcome(() => store.readUsage(PROFILE)),
          await typedOutcome(() =>
            store.updateCredential(PROFILE, () => ({ write: newer(), result: undefined })),
          ),
          await typedOutcome(() =>
            store.recordUsage(PROFILE, (usage) => ({ errorCount: (usage.errorCount ?? 0) + 1 })),
          ),
        ];
        if (read !== 'ok') {
          malformed++;
          for (const outcome of outcomes) expect(outcome).toBeInstanceOf(OAuthRecoveryError);
          expect((await readFile(file)).equals(bytes)).toBe(true);
        }
      }),
      { numRuns: SIZES.fuzzRuns, seed: SEED },
    );
    console.info(
      `[reliability] fuzz: ${SIZES.fuzzRuns} store files, ${malformed} malformed, 0 untyped failures`,
    );
    expect(malformed).toBeGreaterThan(SIZES.fuzzRuns / 2);
  });

  it(`${SIZES.fuzzRuns} generated token responses through parseTokenResponse: a usable answer or a transient RefreshError`, () => {
    const body = fc.oneof(
      fc.anything({ maxDepth: 3 }),
      fc
        .tuple(fc.constantFrom(...TOKEN_PATHS), fc.anything({ maxDepth: 2 }))
        .map(([keys, value]) => replaceAt(validTokenResponse(), keys, value)),
    );
    let rejected = 0;
    fc.assert(
      fc.property(body, (input) => {
        try {
          const parsed = parseTokenResponse(input, 200);
          expect(parsed.access_token.length).toBeGreaterThan(0);
          // Optional fields are either usable or dropped (not rotated / default lifetime).
          if (parsed.refresh_token !== undefined) expect(parsed.refresh_token.length).toBeGreaterThan(0);
          if (parsed.expires_in !== undefined) expect(parsed.expires_in).toBeGreaterThan(0);
        } catch (error) {
          rejected++;
          expect(error).toBeInstanceOf(RefreshError);
          expect((error as RefreshError).kind).toBe('transient');
          expectNoSecrets(error, SECRETS);
        }
      }),
      { numRuns: SIZES.fuzzRuns, seed: SEED },
    );
    // Only a missing or unusable access_token (or a non-object body) is refused now.
    expect(rejected).toBeGreaterThan(SIZES.fuzzRuns / 4);
    expect(rejected).toBeLessThan(SIZES.fuzzRuns);
  });

  describe('over loopback HTTP', () => {
    let server: Server;
    let tokenUrl: string;
    let answer = { status: 200, contentType: 'application/json', body: '' };
    beforeAll(async () => {
      server = createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          res.writeHead(answer.status, answer.contentType ? { 'content-type': answer.contentType } : {});
          res.end(answer.body);
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/oauth/token`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it(`${SIZES.loopbackRuns} generated token endpoint answers through the refresh client: a credential or a RefreshError`, async () => {
      const client = createOAuthClient({ tokenUrl, timeoutMs: 5000 });
      const text = fc.oneof(
        fc.string({ maxLength: 300 }),
        fc.json({ maxDepth: 3 }),
        fc
          .tuple(fc.constantFrom(...TOKEN_PATHS), fc.anything({ maxDepth: 2 }))
          .map(([keys, value]) => JSON.stringify(replaceAt(validTokenResponse(), keys, value)) ?? ''),
        fc.constantFrom(
          '<!DOCTYPE html><html><body>502 Bad Gateway</body></html>',
          JSON.stringify({ error: 'invalid_grant', error_description: `bad ${REFRESH}` }),
          JSON.stringify(validTokenResponse()),
        ),
      );
      const response = fc.record({
        status: fc.constantFrom(200, 200, 200, 400, 401, 403, 408, 429, 500, 502, 503),
        contentType: fc.constantFrom(
          'application/json',
          'application/json; charset=utf-8',
          'text/html',
          'text/plain',
          '',
        ),
        body: text,
      });
      let failures = 0;
      await fc.assert(
        fc.asyncProperty(response, async (generated) => {
          answer = generated;
          const outcome = await typedOutcome(() =>
            client.refresh('sk-ant-ort01-FUZZ-REQUEST-TOKEN-0000000000'),
          );
          if (outcome !== 'ok') {
            failures++;
            expect(outcome).toBeInstanceOf(RefreshError);
          }
        }),
        { numRuns: SIZES.loopbackRuns, seed: SEED },
      );
      expect(failures).toBeGreaterThan(0);
    });
  });

  it(`${SIZES.runtimeSyncRuns} runtime syncs against generated CLI files: the process keeps running, the good store credential survives`, async () => {
    const dir = await tempDir();
    const cliFile = path.join(dir, '.credentials.json');
    const storeFile = path.join(dir, 'auth-profiles.json');
    const good = validStore() as { profiles: Record<string, Json> };
    // Expiring later than any generated CLI document: nothing may replace it.
    good.profiles[PROFILE] = { ...good.profiles[PROFILE], expires: NOW + 7 * HOUR };
    const goodProfile = structuredClone(good.profiles[PROFILE]);
    await fc.assert(
      fc.asyncProperty(documentBytes(validCli, CLI_PATHS), async (bytes) => {
        await writeFile(storeFile, JSON.stringify(good), { mode: 0o600 });
        await writeFile(cliFile, bytes, { mode: 0o600 });
        const auth = createAuthRecovery({
          store: storeFile,
          claudeConfigDir: dir,
          watchCli: false,
          now: () => NOW,
          oauthClient: {
            tokenUrl: 'memory://token',
            refresh: async () => {
              throw new RefreshError('permanent', 'invalid_grant (fuzz)');
            },
          },
        });
        try {
          await auth.start();
          const outcome = await typedOutcome(() => auth.sync());
          expect(outcome === 'ok' || outcome instanceof OAuthRecoveryError).toBe(true);
          await auth.whenIdle();
        } finally {
          await auth.stop();
        }
        const stored = JSON.parse(await readFile(storeFile, 'utf8')) as { profiles: Record<string, Json> };
        expect(stored.profiles[PROFILE]).toEqual(goodProfile);
        const cliReadable = await typedOutcome(() =>
          createClaudeCliFileSource({ path: cliFile, now: () => NOW }).read(),
        );
        if (cliReadable !== 'ok') expect((await readFile(cliFile)).equals(bytes)).toBe(true);
      }),
      { numRuns: SIZES.runtimeSyncRuns, seed: SEED },
    );
  });
});
