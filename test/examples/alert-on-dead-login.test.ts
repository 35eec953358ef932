/**
 * docs/operations.md's alerting recipe, run as written: examples/alert-on-dead-login.sh (the
 * command a cron job or systemd timer runs) against a home whose refresh token is dead while
 * its access token still works. The alert must fire there, and stay quiet on a healthy home.
 * End to end too (issue 9): a real refused refresh through `oauth-recovery refresh`, then
 * `status` and `status --json` in separate processes, then the recipe, with a stub pager.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CLI,
  type CliFixture,
  createCliFixture,
  expectNoSecrets,
  expiresIn,
  PROFILE_ID,
  ROOT,
} from '../cli/cli-harness.js';

const SCRIPT = path.join(ROOT, 'examples', 'alert-on-dead-login.sh');

let fx: CliFixture;
let alerts: string;
beforeEach(async () => {
  fx = await createCliFixture();
  alerts = path.join(fx.dir, 'alerts.log');
  // The alert "pager": appends its message to a file.
  await writeFile(path.join(fx.dir, 'page.sh'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${alerts}'\n`, {
    mode: 0o755,
  });
});
afterEach(async () => {
  await fx.cleanup();
});

function runRecipe(): Promise<{ code: number | null; alerted: string }> {
  const env = fx.env({
    TZ: 'UTC',
    OAUTH_RECOVERY: `${process.execPath} ${CLI}`,
    ALERT_COMMAND: path.join(fx.dir, 'page.sh'),
  });
  return new Promise((resolve) => {
    execFile('/bin/sh', [SCRIPT, ...fx.flags()], { env, cwd: fx.dir }, async (error) => {
      const code = error ? ((error as { code?: number }).code ?? null) : 0;
      const alerted = await readFile(alerts, 'utf8').catch(() => '');
      resolve({ code, alerted });
    });
  });
}

/** `HH:MM` of `epochMs` in UTC (the recipe runs with TZ=UTC). */
function hhmm(epochMs: number): string {
  const date = new Date(epochMs);
  return `${String(date.getUTCHours()).padStart(2, '0')}:${String(date.getUTCMinutes()).padStart(2, '0')}`;
}

describe('end to end: a refused refresh, status, the alert (issue 9)', () => {
  it('refresh meets 400 invalid_grant; status exits 3 "log in before HH:MM" while the access token works; --json carries lastFailure; the recipe fires', async () => {
    const login = fx.login({ expiresAt: expiresIn.hours(2) });
    await fx.writeStore(login);
    await fx.writeCli('blank'); // the CLI is logged out: nothing fresher to sync
    fx.fake.failNext(1, {
      status: 400,
      body: JSON.stringify({
        error: 'invalid_grant',
        error_description: 'Refresh token not found or invalid',
      }),
    });
    const env = fx.env({ TZ: 'UTC' });

    const refresh = await fx.run(['refresh', ...fx.flags()], { env });
    expect(refresh.code).toBe(3);
    expect(refresh.stderr).toMatch(/^error: the refresh token was rejected \(HTTP 400 invalid_grant\)/m);
    expect(fx.fake.tokenRequestLog).toHaveLength(1);

    // A separate process: login needed before the access token's expiry, which still works.
    const status = await fx.run(['status', ...fx.flags()], { env });
    expect(status.code).toBe(3);
    expect(status.stdout).toContain(
      `login        NEEDED: the refresh token is dead: log in before ${hhmm(login.expiresAt)}`,
    );
    const api = await fetch(fx.fake.apiUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${login.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude', messages: [] }),
    });
    expect(api.status).toBe(200);

    const json = await fx.run(['status', '--json', ...fx.flags()], { env });
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({
      refreshTokenDead: true,
      lastFailure: { kind: 'permanent', httpStatus: 400, oauthError: 'invalid_grant' },
    });

    const { code, alerted } = await runRecipe();
    expect(code).toBe(3);
    expect(alerted).toMatch(
      new RegExp(
        `^Anthropic login needed on .+: the refresh token is dead: log in before ${hhmm(login.expiresAt)} `,
      ),
    );
    for (const run of [refresh, status, json]) expectNoSecrets(run, fx.secrets);
    for (const secret of fx.secrets) expect(alerted).not.toContain(secret);
    // Nothing sent the refused token again.
    expect(fx.fake.tokenRequestLog).toHaveLength(1);
  });
});

describe('alerting recipe (docs/operations.md)', () => {
  it('fires on a dead refresh token while the access token still works', async () => {
    const login = fx.login({ expiresAt: expiresIn.hours(2) });
    await fx.writeStore(login, {
      usageStats: {
        [PROFILE_ID]: {
          errorCount: 1,
          lastFailure: {
            at: Date.now() - 60_000,
            kind: 'permanent',
            httpStatus: 400,
            oauthError: 'invalid_grant',
            contentType: 'application/json',
            message: 'token endpoint answered HTTP 400 invalid_grant',
          },
        },
      },
    });
    await fx.writeCli('blank');
    const { code, alerted } = await runRecipe();
    expect(code).toBe(3);
    expect(alerted).toMatch(
      /^Anthropic login needed on .+: the refresh token is dead: log in before \d\d:\d\d /,
    );
    for (const secret of fx.secrets) expect(alerted).not.toContain(secret);
  });

  it('fires when there is no login at all', async () => {
    const { code, alerted } = await runRecipe();
    expect(code).toBe(3);
    expect(alerted).toMatch(/^Anthropic login needed on .+: log in with `claude`/);
  });

  it('stays quiet on a healthy login', async () => {
    const login = fx.login();
    await fx.writeStore(login);
    await fx.writeCli(login);
    const { code, alerted } = await runRecipe();
    expect(code).toBe(0);
    expect(alerted).toBe('');
  });
});
