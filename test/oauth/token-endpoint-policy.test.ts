/**
 * Where the refresh token may go (issue 11 item 7): Anthropic's hosts and loopback by default,
 * any other host only when code or the operator names it; the environment only when asked;
 * never with TLS verification disabled. Library, runtime option resolution and the CLI binary.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ForeignTokenHostError, TlsVerificationDisabledError } from '../../src/errors.js';
import { createOAuthClient, DEFAULT_TOKEN_URL, LEGACY_TOKEN_URL } from '../../src/oauth/index.js';
import { selectTokenUrl } from '../../src/oauth/token-url.js';
import { resolveRuntimeOptions } from '../../src/runtime/resolve-options.js';
import { createCliFixture } from '../cli/cli-harness.js';
import { DoctorJsonSchema } from '../cli/schemas.js';

const EVIL = 'https://auth.evil.example/v1/oauth/token';
const saved = { ...process.env };
afterEach(() => {
  for (const key of ['OAUTH_RECOVERY_TOKEN_URL', 'NODE_TLS_REJECT_UNAUTHORIZED']) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
});

describe('selectTokenUrl', () => {
  it('refuses a foreign host from the environment, naming the host', () => {
    expect(() => selectTokenUrl({ env: { OAUTH_RECOVERY_TOKEN_URL: EVIL } })).toThrow(ForeignTokenHostError);
    expect(() => selectTokenUrl({ env: { OAUTH_RECOVERY_TOKEN_URL: EVIL } })).toThrow(/auth\.evil\.example/);
  });

  it.each([
    ['the legacy Anthropic host', LEGACY_TOKEN_URL],
    ['loopback', 'http://127.0.0.1:9/v1/oauth/token'],
  ])('accepts %s from the environment', (_name, url) => {
    expect(selectTokenUrl({ env: { OAUTH_RECOVERY_TOKEN_URL: url } })).toEqual({ url, origin: 'env' });
  });

  it('accepts a foreign host from the environment when allowedTokenHosts names it', () => {
    expect(
      selectTokenUrl({ env: { OAUTH_RECOVERY_TOKEN_URL: EVIL }, allowedTokenHosts: ['auth.evil.example'] })
        .url,
    ).toBe(EVIL);
  });

  it('a URL named in code is the explicit choice', () => {
    expect(selectTokenUrl({ tokenUrl: EVIL, env: { OAUTH_RECOVERY_TOKEN_URL: LEGACY_TOKEN_URL } })).toEqual({
      url: EVIL,
      origin: 'option',
    });
  });

  it('reads no environment unless given one', () => {
    process.env.OAUTH_RECOVERY_TOKEN_URL = EVIL;
    expect(selectTokenUrl({})).toEqual({ url: DEFAULT_TOKEN_URL, origin: 'default' });
  });
});

describe('the runtime', () => {
  it('ignores OAUTH_RECOVERY_TOKEN_URL in process.env unless env is passed', async () => {
    process.env.OAUTH_RECOVERY_TOKEN_URL = EVIL;
    const store = path.join(
      await mkdtemp(path.join(os.tmpdir(), 'oauth-recovery-policy-')),
      'auth-profiles.json',
    );
    expect(resolveRuntimeOptions({ store, cliSource: false }).oauth.tokenUrl).toBe(DEFAULT_TOKEN_URL);
    expect(() => resolveRuntimeOptions({ store, cliSource: false, env: process.env })).toThrow(
      ForeignTokenHostError,
    );
    expect(
      resolveRuntimeOptions({
        store,
        cliSource: false,
        env: process.env,
        transport: { allowedTokenHosts: ['auth.evil.example'] },
      }).oauth.tokenUrl,
    ).toBe(EVIL);
  });
});

describe('TLS verification disabled', () => {
  it('no https token request is sent; a typed error says why', async () => {
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    let calls = 0;
    const client = createOAuthClient({
      fetch: async () => {
        calls += 1;
        return new Response('{}');
      },
    });
    const error = await client.refresh('sk-ant-ort01-never-sent').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TlsVerificationDisabledError);
    expect(error).toMatchObject({ kind: 'transient', causeCode: 'tls_verification_disabled' });
    expect(calls).toBe(0);
  });
});

describe('the CLI', () => {
  it('refuses a foreign host from OAUTH_RECOVERY_TOKEN_URL (exit 2, no request); doctor flags hosts, env and TLS', async () => {
    const fx = await createCliFixture();
    try {
      const login = fx.login();
      await fx.writeStore(login);
      const store = ['--store', fx.storePath, '--claude-config-dir', fx.claudeDir];
      const refused = await fx.run(['refresh', '--log-level', 'silent', ...store], {
        env: fx.env({ OAUTH_RECOVERY_TOKEN_URL: EVIL }),
      });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(
        /^error: refusing token endpoint host auth\.evil\.example from OAUTH_RECOVERY_TOKEN_URL/,
      );

      const doctorFlagged = await fx.run(['doctor', '--json', ...store, '--token-url', EVIL], {
        env: fx.env({ NODE_TLS_REJECT_UNAUTHORIZED: '0' }),
      });
      const findings = DoctorJsonSchema.parse(JSON.parse(doctorFlagged.stdout)).findings;
      expect(findings.find((f) => f.check === 'tls')?.level).toBe('error');
      expect(findings.find((f) => f.check === 'tokenUrl.host')).toMatchObject({
        level: 'warn',
        message: expect.stringContaining('auth.evil.example'),
      });

      const fromEnv = await fx.run(['doctor', '--json', ...store], {
        env: fx.env({ OAUTH_RECOVERY_TOKEN_URL: LEGACY_TOKEN_URL }),
      });
      const envFindings = DoctorJsonSchema.parse(JSON.parse(fromEnv.stdout)).findings;
      expect(envFindings.find((f) => f.check === 'tokenUrl.env')?.level).toBe('warn');
      expect(fx.fake.tokenRequests).toBe(0);
    } finally {
      await fx.cleanup();
    }
  });
});
