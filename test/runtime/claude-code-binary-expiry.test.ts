/**
 * `refreshTokenExpiresAt` parity with the real Claude Code 2.1.328 binary: the token endpoint
 * answers `refresh_token_expires_in` (30 days); the login in the CLI's file is refreshed once by
 * `claude -p` and once by our `refresh` (write-back), from the same starting document. Both must
 * leave the same field: the earlier of the stored expiry and now + 30 days, and no field at all
 * when none was stored (the CLI's own refresh save, functions `WR`/`oco` in its bundle). Runs
 * with `npm run test:claude-code`; skips like test/runtime/claude-code-binary.test.ts.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, ensureCliBuilt, runCliBinary } from '../cli/cli-harness.js';
import {
  claudeCodeSkipReason,
  PROCESS_BOUND_MS,
  prepareClaudeCodeBinary,
  runClaude,
} from '../support/claude-code-binary.js';
import { type FakeAnthropic, startFakeAnthropic } from '../support/fake-anthropic.js';
import { writeSharedExpiredLogin } from '../support/shared-login.js';
import { startTlsInterceptProxy, type TlsInterceptProxy } from '../support/tls-intercept-proxy.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ANSWERED_DAYS = 30;

let fake: FakeAnthropic;
let proxy: TlsInterceptProxy;
let dir: string;

beforeAll(async () => {
  if (claudeCodeSkipReason) return;
  ({ dir } = await prepareClaudeCodeBinary());
  ensureCliBuilt();
  fake = await startFakeAnthropic();
  fake.setTokenAnswer({ fields: { refresh_token_expires_in: ANSWERED_DAYS * 24 * 3600 } });
  proxy = await startTlsInterceptProxy(fake);
});

afterAll(async () => {
  await proxy?.close();
  await fake?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

type Refresher = 'claude -p' | 'our refresh';

/**
 * An expired login whose CLI copy says `refreshTokenExpiresAt: stored` (left out when undefined),
 * refreshed by `who`; what the CLI's file holds afterwards, and the clock around the refresh.
 */
async function refreshedExpiry(
  who: Refresher,
  stored: number | undefined,
): Promise<{ written: unknown; before: number; after: number }> {
  const home = path.join(dir, `${who.replace(/\W/g, '')}-${stored ?? 'none'}`);
  const claudeDir = path.join(home, '.claude');
  const storePath = path.join(home, 'store', 'auth-profiles.json');
  await mkdir(claudeDir, { recursive: true, mode: 0o700 });
  const cliPath = path.join(claudeDir, '.credentials.json');
  const extra = stored === undefined ? {} : { refreshTokenExpiresAt: stored };
  const login = await writeSharedExpiredLogin(fake, storePath, cliPath, extra);

  const requestsBefore = fake.tokenRequests;
  const before = Date.now();
  if (who === 'claude -p') {
    const run = await runClaude(proxy, home, claudeDir);
    expect(run.code, run.stderr).toBe(0);
  } else {
    const ours = ['--store', storePath, '--claude-config-dir', claudeDir, '--token-url', fake.tokenUrl];
    const run = await runCliBinary(['refresh', '--json', ...ours], {
      env: baseEnv(home),
      cwd: home,
      timeoutMs: PROCESS_BOUND_MS,
    });
    expect(run.code, run.stderr).toBe(0);
  }
  const after = Date.now();
  expect(fake.tokenRequests - requestsBefore, `${who}: one refresh`).toBe(1);
  const written = JSON.parse(await readFile(cliPath, 'utf8')).claudeAiOauth;
  expect(written.refreshToken, who).not.toBe(login.refreshToken);
  return { written: written.refreshTokenExpiresAt, before, after };
}

describe.skipIf(claudeCodeSkipReason !== null)(
  'refreshTokenExpiresAt: ours as the real CLI writes it',
  () => {
    it.each<Refresher>(['claude -p', 'our refresh'])(
      '%s: stored 60 days ahead, answered 30 days: now + 30 days',
      async (who) => {
        const { written, before, after } = await refreshedExpiry(who, Date.now() + 60 * DAY);
        expect(written).toBeGreaterThanOrEqual(before + ANSWERED_DAYS * DAY);
        expect(written).toBeLessThanOrEqual(after + ANSWERED_DAYS * DAY);
      },
      2 * PROCESS_BOUND_MS,
    );

    it.each<Refresher>(['claude -p', 'our refresh'])(
      '%s: stored 10 days ahead, answered 30 days: the stored one',
      async (who) => {
        const stored = Date.now() + 10 * DAY;
        expect((await refreshedExpiry(who, stored)).written).toBe(stored);
      },
      2 * PROCESS_BOUND_MS,
    );

    it.each<Refresher>(['claude -p', 'our refresh'])(
      '%s: none stored: none written',
      async (who) => {
        expect((await refreshedExpiry(who, undefined)).written).toBeUndefined();
      },
      2 * PROCESS_BOUND_MS,
    );
  },
);
