/**
 * Anomaly (d) of issue 13: a refresh token the endpoint refuses must reach the fleet's dead set
 * on every refresh path, including the one that refreshes the Claude CLI's expired login after
 * ours was refused (`refreshCliLogin`). Before `spendRefused`, that path swallowed the
 * permanent error inside `updateCredential`'s function, so only our own token was in the dead
 * set and another host could send the CLI's dead token again.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CooldownError } from '../../../src/errors.js';
import { createRedisProfileStore } from '../../../src/store/redis/index.js';
import { type RedisServer, startRedisServer } from '../../support/redis-server.js';
import {
  createRuntimeFixture,
  PROFILE_ID,
  type RuntimeFixture,
  T0,
  waitForState,
} from '../../support/runtime-fixture.js';

const HOUR = 3_600_000;
let server: RedisServer;
let fx: RuntimeFixture;

beforeAll(async () => {
  [server, fx] = await Promise.all([startRedisServer({ appendonly: false }), createRuntimeFixture()]);
});
afterAll(async () => {
  await fx?.cleanup();
  await server?.stop();
});

describe('a refresh token refused on the CLI-login refresh path', () => {
  it('joins the fleet dead set, so no other host sends it again', async () => {
    const key = randomBytes(32).toString('hex');
    const open = () =>
      createRedisProfileStore({ url: server.url, encryptionKey: key, mirrorPath: false, now: fx.clock.now });
    const [store, otherHost] = [open(), open()];
    try {
      const ours = fx.fake.issueLogin();
      fx.fake.revoke(ours.accessToken);
      fx.fake.revoke(ours.refreshToken);
      await store.updateCredential(PROFILE_ID, () => ({ write: ours, result: null }));
      const cliLogin = fx.fake.issueLogin();
      fx.fake.revoke(cliLogin.refreshToken);
      await fx.writeCliLogin({ ...cliLogin, expiresAt: T0 - HOUR });
      fx.fake.resetCounters();

      const auth = fx.create({ store });
      await auth.start();
      await expect(auth.withAuth((token) => fx.callApi(token))).rejects.toBeInstanceOf(CooldownError);
      await waitForState(auth, 'cooldown');

      // Ours refused, then the CLI's refused on the CLI-login path: two requests, two refusals.
      expect(fx.fake.tokenRequests).toBe(2);
      expect(fx.fake.invalidGrants).toBe(2);
      expect((await store.fleetStatus(PROFILE_ID)).deadTokens).toBe(2);
      for (const token of [ours.refreshToken, cliLogin.refreshToken]) {
        await expect(otherHost.beforeSpend?.(PROFILE_ID, token)).rejects.toMatchObject({
          kind: 'permanent',
          oauthError: 'invalid_grant',
        });
      }
      await auth.stop();
    } finally {
      await Promise.all([store.close(), otherHost.close()]);
    }
  }, 60_000);
});
