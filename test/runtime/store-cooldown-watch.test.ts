/**
 * A fresher credential in the store ends a cooldown at once, as a new CLI login does: another
 * process (or fleet host) on the same store refreshed while this runtime cooled down. Real
 * file store, no CLI source, the loopback fake; the cooldown is an hour long, so only the
 * store's news can end it within the test.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CooldownError } from '../../src/errors.js';
import { createLogger } from '../../src/logging/logger.js';
import { StoreCooldownWatch } from '../../src/runtime/store-cooldown-watch.js';
import type { ProfileStore } from '../../src/store/types.js';
import {
  createRuntimeFixture,
  PROFILE_ID,
  type RuntimeFixture,
  waitForState,
} from '../support/runtime-fixture.js';

const HOUR = 3_600_000;
let fx: RuntimeFixture;
beforeEach(async () => {
  fx = await createRuntimeFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

describe('a runtime in cooldown on a shared store', () => {
  it('adopts a fresher stored credential at once, with no token request', async () => {
    const ours = fx.fake.issueLogin();
    await fx.writeStoreLogin(ours);
    fx.fake.revoke(ours.accessToken);
    fx.fake.revoke(ours.refreshToken); // refused: our recovery ends in a cooldown
    const auth = fx.create({ cliSource: false, policy: { cooldownBaseMs: HOUR } });
    await auth.start();
    const ended: string[] = [];
    auth.on('cooldownEnded', (event) => ended.push(event.reason));
    await expect(auth.withAuth((token) => fx.callApi(token))).rejects.toBeInstanceOf(CooldownError);
    await waitForState(auth, 'cooldown');
    const requestsInCooldown = fx.fake.tokenRequests;

    // Another process on the same store refreshed (a new login lands in the store file).
    const theirs = fx.fake.issueLogin();
    const valid = waitForState(auth, 'valid');
    await fx.writeStoreLogin(theirs);
    await valid;

    expect(ended).toEqual(['credentialsChanged']);
    expect(await auth.getAccessToken()).toBe(theirs.accessToken);
    expect(fx.fake.tokenRequests).toBe(requestsInCooldown);
    expect((await fx.readStore()).profiles[PROFILE_ID].access).toBe(theirs.accessToken);
  });
});

describe('StoreCooldownWatch.stop()', () => {
  it('waits for a look at the store in progress, so no store read outlives the runtime', async () => {
    let finishRead: (value: null) => void = () => undefined;
    const reads: string[] = [];
    const store = {
      readCredential: (profileId: string) => {
        reads.push(profileId);
        return new Promise<null>((resolve) => {
          finishRead = resolve;
        });
      },
      watch: () => () => undefined,
    } as unknown as ProfileStore;
    const watch = new StoreCooldownWatch({
      store,
      profileId: PROFILE_ID,
      logger: createLogger({ level: 'silent' }),
      now: Date.now,
      freshnessMarginMs: 0,
      held: () => null,
      onFresher: () => undefined,
    });
    watch.enter('cooldown');
    await Promise.resolve();
    expect(reads).toEqual([PROFILE_ID]);
    let stopped = false;
    const stopping = watch.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false); // the read is still open
    finishRead(null);
    await stopping;
    expect(stopped).toBe(true);
  });
});
