/**
 * docs/operations.md's alerting recipe, run as written: examples/alert-on-dead-login.sh (the
 * command a cron job or systemd timer runs) against a home whose refresh token is dead while
 * its access token still works. The alert must fire there, and stay quiet on a healthy home.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, type CliFixture, createCliFixture, expiresIn, PROFILE_ID, ROOT } from '../cli/cli-harness.js';

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
