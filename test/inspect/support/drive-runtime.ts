/**
 * Drives a real runtime (loopback fake Anthropic, temp files, test clock) through the three
 * paths an inspector should show: a proactive refresh, a sync from fresher CLI credentials,
 * and a failed recovery that ends in cooldown. Collects every token it seeded or saw, so a
 * test can assert that none of them reached an inspector.
 */
import { DEFAULT_POLICY } from '../../../machines/index.js';
import type { AuthRecovery, AuthRecoveryOptions } from '../../../src/runtime/index.js';
import { PROFILE_ID, type RuntimeFixture, waitForState } from '../../support/runtime-fixture.js';

const MINUTE = 60_000;

export interface DrivenRuntime {
  auth: AuthRecovery;
  /** Every access and refresh token that existed during the run. */
  tokens: Set<string>;
  /** Starts with a short-lived login: the refresh window opens after 5 minutes. */
  start(): Promise<void>;
  /** valid → refreshing → valid. */
  refresh(): Promise<void>;
  /** valid → syncingFromCli → retrying → valid, adopting a fresher login from the CLI. */
  sync(): Promise<void>;
  /** valid → expired (→ throttled, right after a refresh) → refreshing (invalid_grant) → refreshFailed → syncingFromCli (blank) → cooldown. */
  coolDown(): Promise<void>;
}

export function driveRuntime(fx: RuntimeFixture, options: AuthRecoveryOptions): DrivenRuntime {
  const tokens = new Set<string>();
  const remember = (login: { accessToken: string; refreshToken: string }) => {
    tokens.add(login.accessToken);
    tokens.add(login.refreshToken);
  };
  async function rememberStored(): Promise<{ access: string; refresh: string }> {
    const stored = (await fx.readStore()).profiles[PROFILE_ID];
    tokens.add(stored.access);
    tokens.add(stored.refresh);
    return stored;
  }
  const auth = fx.create({ watchCli: false, ...options });
  return {
    auth,
    tokens,
    async start() {
      const login = fx.fake.issueLogin();
      remember(login);
      const shortLived = { ...login, expiresAt: fx.clock.now() + 10 * MINUTE };
      await fx.writeStoreLogin(shortLived);
      await fx.writeCliLogin(shortLived);
      await auth.start();
      await waitForState(auth, 'valid');
    },
    async refresh() {
      const settled = waitForState(auth, 'refreshing').then(() => waitForState(auth, 'valid'));
      fx.clock.advance(5 * MINUTE);
      await settled;
      await auth.whenIdle();
      await rememberStored();
    },
    async sync() {
      fx.clock.jump(10 * MINUTE); // a later login: it outlives the one we hold
      const fresher = fx.fake.issueLogin();
      remember(fresher);
      await fx.writeCliLogin(fresher);
      const summary = await auth.sync();
      if (summary.state !== 'valid') throw new Error(`sync ended in ${summary.state}`);
      await auth.whenIdle();
      const stored = await rememberStored();
      if (stored.access !== fresher.accessToken) throw new Error('the fresher CLI login was not adopted');
    },
    async coolDown() {
      const stored = await rememberStored();
      remember(fx.fake.rotate(stored.refresh)); // someone else spends our refresh token
      await fx.writeCliLogin('blank'); // and the CLI's own refresh failed
      const cooling = waitForState(auth, 'cooldown');
      auth.reportAuthFailure({
        status: 401,
        error: { type: 'error', error: { type: 'authentication_error' } },
      });
      // Right after another refresh the recovery first waits out the minimum interval (`throttled`).
      if (auth.getSnapshot().state === 'throttled') {
        fx.clock.advance(options.policy?.minRefreshIntervalMs ?? DEFAULT_POLICY.minRefreshIntervalMs);
      }
      await cooling;
      await auth.whenIdle();
    },
  };
}
