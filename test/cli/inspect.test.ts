/**
 * `oauth-recovery inspect`: a watch with the offline inspector page (and `--stately`, the
 * Stately bridge). The pages themselves are src/inspect's and are tested in test/inspect; this
 * checks the command's wiring: it serves them while watching and stops cleanly on SIGTERM.
 */
import { describe, expect, it } from 'vitest';
import { fixturePerTest } from '../support/fixture-per-test.js';
import { createCliFixture, expectNoSecrets, expectOneLineError } from './cli-harness.js';

const fx = fixturePerTest(createCliFixture);

describe('inspect', () => {
  it('serves the offline page (and the Stately bridge) while watching, and exits 0 on SIGTERM', async () => {
    const login = fx.login();
    await fx.writeStore(login);
    const inspect = fx.spawn(['inspect', '--stately', ...fx.flags()]);
    await inspect.waitFor(({ stdout }) => /stately inspector: http:\/\/127\.0\.0\.1:\d+/.test(stdout));
    const url = /offline inspector: (\S+)/.exec(inspect.stdout)?.[1];
    const page = await fetch(url!);
    expect(page.status).toBe(200);
    // Both printed URLs carry this run's access token; without it the page is refused.
    expect(inspect.stdout).toMatch(/^offline inspector: http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43}$/m);
    expect(inspect.stdout).toMatch(/^stately inspector: http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43}$/m);
    expect((await fetch(url!.replace(/\?.*$/, ''))).status).toBe(403);
    inspect.kill('SIGTERM');
    const run = await inspect.exited;
    expect(run.code).toBe(0);
    expectNoSecrets(run, fx.secrets);
  });

  it('refuses to serve the page off loopback, with one line', async () => {
    const run = await fx.run(['inspect', '--host', '0.0.0.0', ...fx.flags()]);
    expect(run.code).not.toBe(0);
    expectOneLineError(run.stderr);
  });
});
