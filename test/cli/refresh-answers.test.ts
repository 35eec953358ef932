/**
 * `oauth-recovery refresh` against token endpoint answers people met in the wild (issue 9):
 * input 1, a 200 without `refresh_token`; input 3, a proxy's HTML 403 on every POST.
 * The real binary, the real loopback fake, a real store file.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintToken } from '../../src/credentials/fingerprint.js';
import {
  type CliFixture,
  createCliFixture,
  expectNoSecrets,
  expectOneLineError,
  PROFILE_ID,
} from './cli-harness.js';
import { RefreshJsonSchema } from './schemas.js';

let fx: CliFixture;
beforeEach(async () => {
  fx = await createCliFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

describe('refresh: issue 9 input 1, a 200 with no refresh_token', () => {
  it('keeps the old refresh token, stores the new access token, one token request, exit 0', async () => {
    const login = fx.login();
    await fx.writeStore(login);
    fx.fake.setTokenAnswer({ rotate: false });
    const run = await fx.run(['refresh', '--json', ...fx.flags()]);
    expect(run.code).toBe(0);
    const result = RefreshJsonSchema.parse(JSON.parse(run.stdout));
    expect(result.how).toBe('refresh');
    expect(fx.fake.tokenRequests).toBe(1);
    const stored = (await fx.readStore()).profiles[PROFILE_ID];
    expect(stored.refresh).toBe(login.refreshToken);
    expect(stored.access).not.toBe(login.accessToken);
    expect(fingerprintToken(stored.access)).toBe(result.fingerprint);
    expect(fx.fake.tokenState(stored.access)).toBe('valid');
    expect(fx.fake.tokenState(login.refreshToken)).toBe('valid');
    expectNoSecrets(run, [...fx.secrets, stored.access]);
  });
});

describe('refresh: issue 9 input 3, every token POST gets 403 text/html', () => {
  it('is endpoint trouble: retried with backoff, exit 1, the message names the status and content type', async () => {
    const login = fx.login();
    await fx.writeStore(login);
    await fx.writeCli('blank');
    fx.fake.failNext(20, {
      status: 403,
      body: '<!DOCTYPE html><html><title>Just a moment...</title></html>',
      contentType: 'text/html; charset=UTF-8',
    });
    const run = await fx.run(['refresh', '--log-level', 'silent', ...fx.flags()]);
    expect(run.code).toBe(1);
    expectOneLineError(run.stderr, /HTTP 403 with a body that is not JSON \(content-type text\/html\)/);
    expect(run.stderr).not.toMatch(/rejected|log in/);
    // Retried (not one request and give up), and bounded.
    expect(fx.fake.tokenRequests).toBeGreaterThan(1);
    expect(fx.fake.tokenRequests).toBeLessThanOrEqual(4);
    // The refresh token was never refused: it still works, and the store still holds it.
    expect(fx.fake.tokenState(login.refreshToken)).toBe('valid');
    expect((await fx.readStore()).profiles[PROFILE_ID].refresh).toBe(login.refreshToken);
    expectNoSecrets(run, fx.secrets);
  });
});

describe('refresh: what an operator sees', () => {
  it('on a home with no credentials says so, exits 3 and creates nothing', async () => {
    const before = await readdir(fx.home);
    const explicit = await fx.run(['refresh', '--log-level', 'silent', ...fx.flags()]);
    expect(explicit.code).toBe(3);
    expectOneLineError(
      explicit.stderr,
      /no credentials to refresh: the store .* does not exist and the Claude CLI has no credentials/,
    );
    expect(existsSync(path.dirname(fx.storePath))).toBe(false);
    // The default store location (no --store): nothing appears under HOME either.
    const defaults = await fx.run(['refresh', '--log-level', 'silent', '--token-url', fx.fake.tokenUrl]);
    expect(defaults.code).toBe(3);
    expect(await readdir(fx.home)).toEqual(before);
    expect(fx.fake.tokenRequests).toBe(0);
  });

  it('against an endpoint that never answers, logs each request and the timeout reason', async () => {
    await fx.writeStore(fx.login());
    fx.fake.failNext(10, { hangMs: 60_000 });
    const run = await fx.run(['refresh', '--timeout', '0.3', ...fx.flags()]);
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    const events = lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
    const requests = events.filter((event) => event.event === 'tokenRequest');
    const failed = events.filter((event) => event.event === 'tokenRequestFailed');
    expect(requests.length).toBeGreaterThan(1);
    expect(requests[0].msg).toMatch(
      /^requesting a new token from 127\.0\.0\.1:\d+ \(request 1, gives up after 300 ms\)$/,
    );
    expect(failed).toHaveLength(requests.length);
    expect(failed[0]).toMatchObject({ level: 40, kind: 'transient', causeCode: 'timeout' });
    expect(failed[0].msg).toMatch(/did not answer within 300 ms \(timeout\)/);
    expect(lines.at(-2)).toMatch(
      /^error: the token endpoint kept failing \(token endpoint did not answer within 300 ms \(timeout\)\) after \d requests/,
    );
    expectNoSecrets(run, fx.secrets);
  });
});
