import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../machines/index.js';
import { SinkError } from '../../src/errors.js';
import type { PublishedToken, Sink, SinkStatus } from '../../src/sinks/types.js';
import { fixturePerTest } from '../support/fixture-per-test.js';
import { createRuntimeFixture, PROFILE_ID, waitForState } from '../support/runtime-fixture.js';

/** A sink that records what it got; `failing` makes it throw (a broken runtime). */
function recordingSink(
  kind: string,
): Sink & { got: PublishedToken[]; failing: boolean; settled: () => Promise<void> } {
  let notify: () => void = () => undefined;
  const sink = {
    kind,
    target: `memory:${kind}`,
    got: [] as PublishedToken[],
    failing: false,
    settled: () =>
      new Promise<void>((resolve) => {
        notify = resolve;
      }),
    async publish(token: PublishedToken) {
      try {
        if (sink.failing) throw new SinkError(kind, 'database is locked');
        sink.got.push(token);
      } finally {
        notify();
      }
    },
  };
  return sink;
}

const fx = fixturePerTest(createRuntimeFixture);

describe('sink publisher (wired through AuthRecoveryOptions.sinks)', () => {
  it('publishes the access token and expiry at start and after a refresh; never the refresh token', async () => {
    const login = fx.fake.issueLogin();
    await fx.writeStoreLogin(login);
    const sink = recordingSink('a');
    const first = sink.settled();
    const auth = fx.create({ sinks: [sink], cliSource: false });
    await auth.start();
    await first;
    expect(sink.got).toEqual([
      { accessToken: login.accessToken, expiresAt: login.expiresAt, profileId: PROFILE_ID },
    ]);

    const second = sink.settled();
    const refreshed = await auth.refresh();
    await second;
    expect(refreshed).not.toBe(login.accessToken);
    expect(sink.got.at(-1)?.accessToken).toBe(refreshed);
    const stored = (await fx.readStore()).profiles[PROFILE_ID];
    expect(sink.got.at(-1)?.expiresAt).toBe(stored.expires);
    const everything = JSON.stringify(sink.got);
    expect(everything).not.toContain(login.refreshToken);
    expect(everything).not.toContain(stored.refresh);
  });

  it('a failing sink changes nothing for the refresh or the store, shows in the status, and is retried at the next publish', async () => {
    const login = fx.fake.issueLogin();
    await fx.writeStoreLogin(login);
    const good = recordingSink('good');
    const bad = recordingSink('bad');
    bad.failing = true;
    const statuses: SinkStatus[][] = [];
    const started = bad.settled();
    const auth = fx.create({ sinks: [bad, good], cliSource: false, onSinkStatus: (s) => statuses.push(s) });
    await auth.start();
    await started;
    await waitForState(auth, 'valid');

    const failedRound = bad.settled();
    const refreshed = await auth.refresh();
    await failedRound;
    expect((await fx.readStore()).profiles[PROFILE_ID].access).toBe(refreshed);
    expect(auth.getSnapshot().state).toBe('valid');
    expect(good.got.at(-1)?.accessToken).toBe(refreshed);
    await auth.whenIdle();
    const last = statuses.at(-1) ?? [];
    expect(last.find((s) => s.kind === 'bad')).toMatchObject({
      lastPublishAt: null,
      lastError: { message: 'bad: database is locked' },
    });
    expect(last.find((s) => s.kind === 'good')).toMatchObject({
      lastError: null,
      lastPublishedExpiresAt: expect.any(Number),
    });
    expect(JSON.stringify(statuses)).not.toContain(refreshed);

    bad.failing = false;
    const retried = bad.settled();
    const again = auth.refresh();
    fx.clock.advance(DEFAULT_POLICY.minRefreshIntervalMs); // a second refresh waits out the minimum interval
    await again;
    await retried;
    expect(bad.got.at(-1)?.accessToken).toBe(await auth.getAccessToken());
  });
});
