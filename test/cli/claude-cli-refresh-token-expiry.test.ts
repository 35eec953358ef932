/**
 * `refresh_token_expires_in` reaches the Claude CLI's `refreshTokenExpiresAt` (issue 10): the
 * built `oauth-recovery refresh` against the loopback fake answering that field, in write-back
 * mode. The CLI's file ends with what Claude Code 2.1.328's own refresh save would write: the
 * earlier of the stored expiry and now + the answered lifetime.
 */
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { fixturePerTest } from '../support/fixture-per-test.js';
import { createCliFixture, PROFILE_ID } from './cli-harness.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const fx = fixturePerTest(createCliFixture);

/** A shared expired login whose CLI copy says the refresh token ends at `refreshTokenExpiresAt`. */
async function sharedLogin(refreshTokenExpiresAt: number): Promise<void> {
  const login = fx.login({ expiresAt: Date.now() - HOUR });
  await fx.writeStore(login);
  const oauth = {
    accessToken: login.accessToken,
    refreshToken: login.refreshToken,
    expiresAt: login.expiresAt,
    refreshTokenExpiresAt,
    scopes: ['user:inference'],
  };
  await writeFile(fx.cliPath, JSON.stringify({ claudeAiOauth: oauth }), { mode: 0o600 });
}

async function refreshAndReadCliExpiry(): Promise<{ before: number; after: number; written: unknown }> {
  const before = Date.now();
  const run = await fx.run(['refresh', '--json', ...fx.flags()]);
  const after = Date.now();
  expect(run.code, run.stderr).toBe(0);
  const cli = (await fx.readCli()).claudeAiOauth;
  // Written back: the CLI holds the rotated pair our store holds.
  expect(cli.refreshToken).toBe((await fx.readStore()).profiles[PROFILE_ID].refresh);
  expect(fx.fake.tokenRequests).toBe(1);
  return { before, after, written: cli.refreshTokenExpiresAt };
}

describe('refresh_token_expires_in in the token answer', () => {
  it('moves the CLI’s refreshTokenExpiresAt earlier to now + the answered lifetime', async () => {
    await sharedLogin(Date.now() + 60 * DAY);
    fx.fake.setTokenAnswer({ fields: { refresh_token_expires_in: 30 * 24 * 3600 } });
    const { before, after, written } = await refreshAndReadCliExpiry();
    expect(written).toBeGreaterThanOrEqual(before + 30 * DAY);
    expect(written).toBeLessThanOrEqual(after + 30 * DAY);
  });

  it('never moves it later than the stored one', async () => {
    const stored = Date.now() + 10 * DAY;
    await sharedLogin(stored);
    fx.fake.setTokenAnswer({ fields: { refresh_token_expires_in: 30 * 24 * 3600 } });
    expect((await refreshAndReadCliExpiry()).written).toBe(stored);
  });

  it('keeps the stored one when the answer has no refresh_token_expires_in', async () => {
    const stored = Date.now() + 10 * DAY;
    await sharedLogin(stored);
    expect((await refreshAndReadCliExpiry()).written).toBe(stored);
  });
});
