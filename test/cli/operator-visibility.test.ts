/**
 * What an operator sees (issue 9): the persisted last failure in `status`, `status --json` and
 * `doctor`; `status` exit 3 "log in before HH:MM" when the refresh token is known dead even
 * while the access token works; someone else's malformed profile (input 7) warned about, not
 * fatal; absurd stored numbers (issue 11 item 5), in our store or the Claude CLI's file, crash no
 * command. The real binary, real files.
 */
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { MAX_TOKEN_LIFETIME_MS } from '../../src/credentials/expiry-bounds.js';
import { fingerprintToken } from '../../src/credentials/fingerprint.js';
import { fixturePerTest } from '../support/fixture-per-test.js';
import { createCliFixture, expectNoSecrets, expiresIn, PROFILE_ID } from './cli-harness.js';
import { DoctorJsonSchema, StatusJsonSchema } from './schemas.js';

const fx = fixturePerTest(createCliFixture);

/** Runs the CLI with TZ=UTC, so "log in before HH:MM" can be checked against UTC hours. */
const run = (args: string[]) => fx.run(args, { env: fx.env({ TZ: 'UTC' }) });

/** A last failure as the runtime persists it in usageStats[profileId].lastFailure. */
function lastFailure(kind: 'permanent' | 'transient', at = Date.now() - 5 * 60_000) {
  return kind === 'permanent'
    ? {
        at,
        kind,
        httpStatus: 400,
        oauthError: 'invalid_grant',
        contentType: 'application/json',
        message: 'token endpoint answered HTTP 400 invalid_grant: Refresh token not found or invalid',
      }
    : {
        at,
        kind,
        httpStatus: 403,
        contentType: 'text/html',
        message: 'token endpoint answered HTTP 403 with a body that is not JSON (content-type text/html)',
      };
}

function hhmm(epochMs: number): string {
  const date = new Date(epochMs);
  return `${String(date.getUTCHours()).padStart(2, '0')}:${String(date.getUTCMinutes()).padStart(2, '0')}`;
}

describe('a dead refresh token is visible while the access token still works', () => {
  it('status exits 3 with "log in before HH:MM"; --json says refreshTokenDead; doctor reports an error', async () => {
    const login = fx.login({ expiresAt: expiresIn.hours(3) });
    await fx.writeStore(login, {
      usageStats: { [PROFILE_ID]: { errorCount: 1, lastFailure: lastFailure('permanent') } },
    });
    await fx.writeCli('blank');

    const text = await run(['status', ...fx.flags()]);
    expect(text.code).toBe(3);
    expect(text.stdout).toMatch(/^state\s+valid: expires in 2h 59m/m);
    expect(text.stdout).toMatch(
      /^last failure \d{4}-\d\d-\d\dT[\d:.]+Z \(5m \d+s ago\): permanent, HTTP 400 invalid_grant, application\/json$/m,
    );
    expect(text.stdout).toContain(
      `login        NEEDED: the refresh token is dead: log in before ${hhmm(login.expiresAt)}`,
    );
    expectNoSecrets(text, fx.secrets);

    const json = await run(['status', '--json', ...fx.flags()]);
    expect(json.code).toBe(3);
    const report = StatusJsonSchema.parse(JSON.parse(json.stdout));
    expect(report).toMatchObject({
      state: 'valid',
      refreshTokenDead: true,
      lastFailure: {
        kind: 'permanent',
        httpStatus: 400,
        oauthError: 'invalid_grant',
        contentType: 'application/json',
      },
    });

    const doctor = await run(['doctor', '--json', ...fx.flags()]);
    const findings = DoctorJsonSchema.parse(JSON.parse(doctor.stdout)).findings;
    expect(findings.find((finding) => finding.check === 'lastFailure')).toMatchObject({
      level: 'error',
      message: expect.stringContaining('permanent, HTTP 400 invalid_grant'),
      fix: expect.stringContaining(`log in before ${hhmm(login.expiresAt)}`),
    });
    expectNoSecrets(doctor, fx.secrets);
  });

  it('a fresher CLI login means nothing is dead: exit 0 (sync will adopt it)', async () => {
    const login = fx.login({ expiresAt: expiresIn.hours(3) });
    await fx.writeStore(login, { usageStats: { [PROFILE_ID]: { lastFailure: lastFailure('permanent') } } });
    await fx.writeCli(fx.login({ expiresAt: expiresIn.hours(8) }));
    const result = await run(['status', '--json', ...fx.flags()]);
    expect(result.code).toBe(0);
    expect(StatusJsonSchema.parse(JSON.parse(result.stdout)).refreshTokenDead).toBe(false);
  });

  it('a recorded dead token that the store no longer holds (another tool wrote a new login) is not a login problem', async () => {
    const dead = fx.login();
    const fresh = fx.login({ expiresAt: expiresIn.hours(3) });
    await fx.writeStore(fresh, {
      usageStats: {
        [PROFILE_ID]: {
          lastFailure: lastFailure('permanent'),
          refreshTokenDead: true,
          deadRefreshToken: fingerprintToken(dead.refreshToken),
        },
      },
    });
    await fx.writeCli('blank');
    const result = await run(['status', '--json', ...fx.flags()]);
    expect(result.code).toBe(0);
    expect(StatusJsonSchema.parse(JSON.parse(result.stdout)).refreshTokenDead).toBe(false);

    // The same record naming the stored token: log in (exit 3).
    await fx.writeStore(fresh, {
      usageStats: {
        [PROFILE_ID]: {
          lastFailure: lastFailure('permanent'),
          refreshTokenDead: true,
          deadRefreshToken: fingerprintToken(fresh.refreshToken),
        },
      },
    });
    expect((await run(['status', ...fx.flags()])).code).toBe(3);
  });

  it('endpoint trouble is shown with status and content type, and is not a login problem (exit 0)', async () => {
    await fx.writeStore(fx.login(), {
      usageStats: { [PROFILE_ID]: { lastFailure: lastFailure('transient') } },
    });
    const result = await run(['status', ...fx.flags()]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^last failure .*: transient, HTTP 403, text\/html$/m);
    expect(result.stdout).not.toContain('NEEDED');
  });

  it('a malformed stored lastFailure is ignored, never a crash', async () => {
    await fx.writeStore(fx.login(), {
      usageStats: { [PROFILE_ID]: { lastFailure: { at: 'yesterday', kind: 'doom' } } },
    });
    const result = await run(['status', '--json', ...fx.flags()]);
    expect(result.code).toBe(0);
    expect(StatusJsonSchema.parse(JSON.parse(result.stdout)).lastFailure).toBeNull();
  });
});

describe("someone else's malformed profile (issue 9 input 7)", () => {
  const broken = { 'openai:default': { type: 'api_key', provider: 'openai', key: null, accountId: 1 } };

  it('status exits 0 and warns; refresh refreshes ours and leaves theirs untouched; doctor warns', async () => {
    const login = fx.login();
    await fx.writeStore(login);
    const document = await fx.readStore();
    document.profiles = { ...document.profiles, ...broken };
    await fx.writeStore(login, { profiles: document.profiles });

    const status = await run(['status', ...fx.flags()]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(
      "warning      another tool's entry profiles.openai:default.key has the wrong type (expected string, got null)",
    );

    const refresh = await run(['refresh', '--log-level', 'silent', ...fx.flags()]);
    expect(refresh.code).toBe(0);
    const after = await fx.readStore();
    expect(after.profiles['openai:default']).toEqual(broken['openai:default']);
    expect(after.profiles[PROFILE_ID].refresh).not.toBe(login.refreshToken);

    const doctor = await run(['doctor', '--json', ...fx.flags()]);
    const findings = DoctorJsonSchema.parse(JSON.parse(doctor.stdout)).findings;
    expect(findings.find((finding) => finding.check === 'store.foreign')?.level).toBe('warn');
    expect(findings.find((finding) => finding.check === 'profile')?.level).toBe('ok');
  });
});

/**
 * Runs each command; each answers with a documented exit code, no crash trace, no secret;
 * `after` checks the files after each one.
 */
async function expectEveryCommandAnswers(commands: string[][], after?: () => Promise<void>): Promise<void> {
  for (const args of commands) {
    const result = await run([...args, ...fx.flags()]);
    expect([0, 1, 3, 4]).toContain(result.code);
    expect(`${result.stdout}\n${result.stderr}`).not.toMatch(/Invalid time value|RangeError|\n\s+at /);
    expectNoSecrets(result, fx.secrets);
    await after?.();
  }
}

describe('absurd stored numbers crash no command (issue 11 item 5)', () => {
  it.each([
    ['expires 1e16', { expires: 1e16 }, {}],
    ['expires -1', { expires: -1 }, {}],
    [
      'cooldown 1e300, lastFailureAt 1e300, lastUsed -1e20, errorCount 1e300',
      {},
      { cooldownUntil: 1e300, lastFailureAt: 1e300, lastUsed: -1e20, errorCount: 1e300 },
    ],
    ['lastFailure at 1e300', {}, { lastFailure: { ...lastFailure('transient'), at: 1e300 } }],
  ])(
    '%s: status, status --json, doctor and refresh answer with a documented exit code',
    async (_name, profilePatch, usage) => {
      const login = fx.login();
      await fx.writeStore(login);
      const document = await fx.readStore();
      document.profiles[PROFILE_ID] = { ...document.profiles[PROFILE_ID], ...profilePatch };
      await fx.writeStore(login, { profiles: document.profiles, usageStats: { [PROFILE_ID]: usage } });
      await expectEveryCommandAnswers([
        ['status'],
        ['status', '--json'],
        ['doctor'],
        ['refresh', '--log-level', 'silent'],
      ]);
    },
  );
});

describe("absurd numbers in the Claude CLI's file crash no command (issue 11 item 5)", () => {
  it.each(['1e300', '1e400', '-1', '"NaN"', '"1e300"'])(
    'expiresAt %s: status, status --json, doctor, sync and refresh answer with a documented exit code',
    async (expiresAt) => {
      const ours = fx.login();
      await fx.writeStore(ours);
      const theirs = fx.login();
      await writeFile(
        fx.cliPath,
        `{"claudeAiOauth":{"accessToken":"${theirs.accessToken}","refreshToken":"${theirs.refreshToken}","expiresAt":${expiresAt}}}`,
        { mode: 0o600 },
      );
      await expectEveryCommandAnswers(
        [['status'], ['status', '--json'], ['doctor'], ['sync'], ['refresh', '--log-level', 'silent']],
        async () => {
          // Whatever was adopted, the store never holds an expiry beyond the longest believable lifetime.
          const stored = (await fx.readStore()).profiles[PROFILE_ID];
          expect(stored.expires).toBeLessThanOrEqual(Date.now() + MAX_TOKEN_LIFETIME_MS);
        },
      );
    },
  );
});
