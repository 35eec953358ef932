/**
 * Delegate mode: the Claude CLI owns the refresh token. The runtime never spends it (the fake's
 * token endpoint sees no request at all); when a refresh is due it runs the nudge command (here
 * a tiny node script standing in for `claude`, which installs the login the CLI refreshed) and
 * adopts what it re-reads from the CLI's file.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CooldownError } from '../../src/errors.js';
import type { AuthRecovery } from '../../src/runtime/index.js';
import type { IssuedLogin } from '../support/fake-anthropic.js';
import {
  createRuntimeFixture,
  PROFILE_ID,
  type RuntimeFixture,
  waitForState,
} from '../support/runtime-fixture.js';

const MINUTE = 60_000;

/** Stands in for the CLI: installs a prepared credentials file (temp + rename) and leaves a mark. */
const NUDGE_SCRIPT = `
import { appendFileSync, copyFileSync, existsSync, renameSync } from 'node:fs';
const [prepared, target, marks] = process.argv.slice(2);
appendFileSync(marks, 'nudged\\n');
if (existsSync(prepared)) {
  copyFileSync(prepared, target + '.nudge-tmp');
  renameSync(target + '.nudge-tmp', target);
}
`;

let fx: RuntimeFixture;
let nudge: string[];
let preparedPath: string;
let marksPath: string;

beforeEach(async () => {
  fx = await createRuntimeFixture();
  const script = path.join(fx.dir, 'fake-claude-nudge.mjs');
  preparedPath = path.join(fx.dir, 'cli-after-its-own-refresh.json');
  marksPath = path.join(fx.dir, 'nudges.log');
  await writeFile(script, NUDGE_SCRIPT);
  await writeFile(marksPath, '');
  nudge = [process.execPath, script, preparedPath, fx.cliPath, marksPath];
});

afterEach(async () => {
  await fx.cleanup();
});

/** What the CLI's file will hold once the CLI has refreshed on its own (installed by the nudge). */
async function prepareCliRefresh(login: IssuedLogin): Promise<void> {
  const current = await fx.readCli();
  const document = {
    ...current,
    claudeAiOauth: {
      ...current.claudeAiOauth,
      accessToken: login.accessToken,
      refreshToken: login.refreshToken,
      expiresAt: login.expiresAt,
    },
  };
  await writeFile(preparedPath, JSON.stringify(document), { mode: 0o600 });
}

const nudges = async (): Promise<number> =>
  (await readFile(marksPath, 'utf8')).split('\n').filter(Boolean).length;

/** A login shared with the CLI that expires in 10 minutes, and a started delegate-mode runtime on it. */
async function startDelegateWithSharedLogin(): Promise<{ l1: IssuedLogin; auth: AuthRecovery }> {
  const l1 = fx.fake.issueLogin();
  const shortLived = { ...l1, expiresAt: fx.clock.now() + 10 * MINUTE };
  await fx.writeStoreLogin(shortLived);
  await fx.writeCliLogin(shortLived);
  const auth = fx.create({ mode: 'delegate', nudgeCommand: nudge, watchCli: false });
  await auth.start();
  return { l1, auth };
}

describe('delegate mode', () => {
  it("never spends the CLI's refresh token: nudges the CLI and adopts the login it re-reads", async () => {
    const { l1, auth } = await startDelegateWithSharedLogin();
    expect(await auth.getAccessToken()).toBe(l1.accessToken);

    // The CLI refreshes its own login (single use: l1's pair dies); the nudge makes it land on disk.
    const l2 = fx.fake.rotate(l1.refreshToken);
    await prepareCliRefresh(l2);
    const settled = waitForState(auth, 'refreshing').then(() => waitForState(auth, 'valid'));
    fx.clock.advance(5 * MINUTE); // the refresh window opens
    await settled;

    expect(await auth.getAccessToken()).toBe(l2.accessToken);
    expect(await nudges()).toBe(1);
    expect(fx.fake.tokenRequests).toBe(0);
    expect(auth.getSnapshot().tokenRequests).toBe(0);
    expect(auth.getSnapshot().credential?.source).toBe('cli');
    // The CLI's live refresh token is still the CLI's to spend, and the store holds the adopted pair.
    expect(fx.fake.tokenState(l2.refreshToken)).toBe('valid');
    const stored = (await fx.readStore()).profiles[PROFILE_ID];
    expect([stored.access, stored.refresh, stored.expires]).toEqual([
      l2.accessToken,
      l2.refreshToken,
      l2.expiresAt,
    ]);
    // The nudge's file replaced the CLI's, other fields included; we did not write to it.
    expect((await fx.readCli()).mcpOAuth).toEqual({ keep: 'me' });
  });

  it('recovers a rejected call the same way: nudge, re-read, retry with the new token', async () => {
    const l1 = fx.fake.issueLogin();
    await fx.writeStoreLogin(l1);
    await fx.writeCliLogin(l1);
    const auth = fx.create({ mode: 'delegate', nudgeCommand: nudge, watchCli: false });
    await auth.start();
    fx.clock.jump(MINUTE);
    const l2 = fx.fake.rotate(l1.refreshToken); // the CLI refreshed; our token is revoked
    await prepareCliRefresh(l2);

    const seen: string[] = [];
    const result = await auth.withAuth((token) => {
      seen.push(token);
      return fx.callApi(token);
    });

    expect(result).toEqual({ ok: true });
    expect(seen).toEqual([l1.accessToken, l2.accessToken]);
    expect(await nudges()).toBe(1);
    expect(fx.fake.tokenRequests).toBe(0);
  });

  it('cools down (keeping the stored login) when the nudge brings nothing fresher, still without a token request', async () => {
    const { l1, auth } = await startDelegateWithSharedLogin();
    fx.clock.jump(10 * MINUTE); // expired (the host slept), and the CLI has not refreshed

    const error = await auth.getAccessToken().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CooldownError);
    const snapshot = await waitForState(auth, 'cooldown');
    expect(snapshot.lastError).toBe('notFresher');
    expect(await nudges()).toBe(1);
    expect(fx.fake.tokenRequests).toBe(0);
    expect(fx.fake.tokenState(l1.refreshToken)).toBe('valid');
    expect((await fx.readStore()).profiles[PROFILE_ID].refresh).toBe(l1.refreshToken);
  });
});
