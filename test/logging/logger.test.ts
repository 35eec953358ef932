/**
 * The logger keeps secrets out twice: redaction paths for fields that hold tokens, and a
 * value-level mask (`sk-ant-…`, `Bearer …`) on every string it formats — merge objects at any
 * depth, errors, the message and its format arguments. A caller's own pino logger gets the same
 * treatment when the runtime wraps it. Everything is written to memory and parsed back.
 */
import pino from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createLogger,
  type Logger,
  maskLogArguments,
  maskValue,
  REDACT_PATHS,
  wrapCallerLogger,
} from '../../src/logging/logger.js';
import { clearRegisteredSecrets } from '../../src/logging/secret-registry.js';
import { createAuthRecovery } from '../../src/runtime/index.js';

// Tokens a runtime in this file registered are masked whole ('***'); the cases below test the shape mask alone.
beforeEach(() => clearRegisteredSecrets());

const ACCESS = 'sk-ant-oat01-LOGGER-ACCESS-SECRET-0123456789abcdefghijklmnop';
const REFRESH = 'sk-ant-ort01-LOGGER-REFRESH-SECRET-0123456789abcdefghijklmno';
/** A bearer value that does not look like an Anthropic token: only the Bearer rule can catch it. */
const OPAQUE = 'opaque-bearer-value-9f8e7d6c5b4a';
const SECRETS = [ACCESS, REFRESH, OPAQUE];

/** A pino destination in memory: every NDJSON line, parsed. */
function memoryDestination() {
  const lines: string[] = [];
  return {
    lines,
    stream: { write: (line: string) => void lines.push(line) },
    // biome-ignore lint/suspicious/noExplicitAny: log records are loose JSON.
    records: (): Array<Record<string, any>> => lines.map((line) => JSON.parse(line)),
    text: () => lines.join(''),
  };
}

function expectNoSecret(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/sk-ant-o[ar]t01/);
  expect(text).not.toContain('sk-ant-o');
}

/** The same battery of risky calls, run against any logger. */
function logEverythingRisky(logger: Logger): void {
  // Redaction paths: top-level and one level down, headers, the credential object.
  logger.info(
    {
      accessToken: ACCESS,
      refreshToken: REFRESH,
      access_token: ACCESS,
      refresh_token: REFRESH,
      access: ACCESS,
      refresh: REFRESH,
      token: ACCESS,
      authorization: `Bearer ${ACCESS}`,
      headers: { authorization: `Bearer ${OPAQUE}`, 'x-api-key': ACCESS },
      credential: { accessToken: ACCESS, refreshToken: REFRESH, expiresAt: 1 },
      profile: { access: ACCESS, refresh: REFRESH, expires: 2 },
      profileId: 'anthropic:claude-cli',
    },
    'paths',
  );
  // Value-level mask: deeper than any path, under innocent keys, in arrays.
  logger.warn(
    {
      body: {
        nested: { deeper: { text: `got ${ACCESS} back`, list: [REFRESH, { x: `Bearer ${OPAQUE}` }] } },
      },
      note: `header was "Authorization: Bearer ${OPAQUE}"`,
    },
    'nested',
  );
  // Errors as a field, as the first argument, with a message, and with secret-bearing properties.
  const error = Object.assign(new Error(`refresh failed for ${REFRESH}`), {
    code: 'REFRESH_FAILED',
    status: 400,
    response: { body: { refresh_token: REFRESH } },
  });
  logger.error({ err: error, event: 'refreshFailed' }, 'error as a field');
  logger.error(error);
  logger.error(error, `with a message about ${ACCESS}`);
  logger.error({ nested: { cause: new TypeError(`cause ${ACCESS}`) } }, 'nested error');
  // Message strings and format arguments.
  logger.info(`the token ${ACCESS} and Bearer ${OPAQUE}`);
  logger.info('interpolated %s and %o and %j', ACCESS, { refresh: REFRESH, deep: { t: ACCESS } }, [REFRESH]);
  logger.child({ profileId: 'p' }).debug({ tokenInfo: `tail ${ACCESS}` }, `child ${REFRESH}`);
}

describe('createLogger', () => {
  it('redacts token fields and masks token values in objects, nested objects, errors and messages', () => {
    const memory = memoryDestination();
    const logger = createLogger({ level: 'trace', destination: memory.stream });
    logEverythingRisky(logger);

    const records = memory.records();
    expect(records).toHaveLength(9);
    expectNoSecret(memory.text());
    const [paths, nested, asField, asFirst, withMessage, nestedError, message, interpolated, child] = records;
    // Known fields are redacted by path, with the key kept.
    expect(paths).toMatchObject({
      accessToken: '[redacted]',
      refreshToken: '[redacted]',
      access_token: '[redacted]',
      access: '[redacted]',
      token: '[redacted]',
      authorization: '[redacted]',
      headers: { authorization: '[redacted]', 'x-api-key': '[redacted]' },
      credential: { accessToken: '[redacted]', refreshToken: '[redacted]', expiresAt: 1 },
      profile: { access: '[redacted]', refresh: '[redacted]', expires: 2 },
      profileId: 'anthropic:claude-cli',
      msg: 'paths',
    });
    // Deeper values are masked in place, keeping the rest of the text.
    expect(nested?.body.nested.deeper.text).toBe('got sk-ant-*** back');
    expect(nested?.body.nested.deeper.list[1].x).toBe('Bearer ***');
    expect(nested?.note).toBe('header was "Authorization: Bearer ***"');
    // Errors keep name, code, status and a masked message; other properties (and the stack) go.
    expect(asField?.err).toMatchObject({
      name: 'Error',
      code: 'REFRESH_FAILED',
      status: 400,
      message: 'refresh failed for sk-ant-***',
    });
    expect(JSON.stringify(asField?.err)).not.toContain('response');
    expect(asFirst?.msg).toBe('refresh failed for sk-ant-***');
    expect(asFirst?.err.message).toBe('refresh failed for sk-ant-***');
    expect(withMessage?.msg).toBe('with a message about sk-ant-***');
    expect(nestedError?.nested.cause).toMatchObject({ name: 'TypeError', message: 'cause sk-ant-***' });
    expect(message?.msg).toBe('the token sk-ant-*** and Bearer ***');
    expect(interpolated?.msg).toContain('interpolated sk-ant-*** and');
    expect(child).toMatchObject({ profileId: 'p', tokenInfo: 'tail sk-ant-***', msg: 'child sk-ant-***' });
  });

  it('honours the level', () => {
    const memory = memoryDestination();
    const logger = createLogger({ level: 'warn', destination: memory.stream });
    logger.info('quiet');
    logger.warn('loud');
    expect(memory.records().map((record) => record.msg)).toEqual(['loud']);
  });
});

describe('wrapCallerLogger', () => {
  it("gives a caller's plain pino logger the same redaction and masking, keeping its bindings and level", () => {
    const memory = memoryDestination();
    const caller = pino({ level: 'trace', base: { app: 'agent-gateway' } }, memory.stream);
    const wrapped = wrapCallerLogger(caller);
    logEverythingRisky(wrapped);

    const records = memory.records();
    expect(records).toHaveLength(9);
    expectNoSecret(memory.text());
    expect(records.every((record) => record.app === 'agent-gateway')).toBe(true);
    expect(records[0]).toMatchObject({
      accessToken: '[redacted]',
      credential: { accessToken: '[redacted]' },
    });
    expect(records[3]?.msg).toBe('refresh failed for sk-ant-***');
    expect(records[6]?.msg).toBe('the token sk-ant-*** and Bearer ***');

    // The caller's level still rules, and its own logger is left as it was.
    caller.level = 'warn';
    wrapped.info('not written');
    expect(memory.records()).toHaveLength(9);
    caller.warn('the caller logs as before');
    expect(memory.records().at(-1)?.msg).toBe('the caller logs as before');
  });

  it('is what createAuthRecovery logs through: records carry the profile id and no secret', async () => {
    const memory = memoryDestination();
    const caller = pino({ level: 'trace' }, memory.stream);
    const auth = createAuthRecovery({
      store: {
        location: `memory:${ACCESS}`,
        readCredential: async () => ({
          accessToken: ACCESS,
          refreshToken: REFRESH,
          expiresAt: Date.now() + 3_600_000,
        }),
        readUsage: async () => ({}),
        updateCredential: async () => {
          throw new Error('not used');
        },
        recordUsage: async () => undefined,
        watch: () => () => undefined,
      },
      cliSource: false,
      logger: caller,
    });
    await auth.start();
    expect(await auth.getAccessToken()).toBe(ACCESS);
    await auth.stop();
    const records = memory.records();
    expect(records.map((record) => record.event)).toEqual(['transition', 'started', 'stopped']);
    expect(records.every((record) => record.profileId === 'anthropic:claude-cli')).toBe(true);
    expectNoSecret(memory.text());
  });
});

describe('maskValue and maskLogArguments', () => {
  it('deep-copies with every string masked and errors reduced to name, code, kind, status, message', () => {
    const error = Object.assign(new Error(`x ${ACCESS}`), { kind: 'permanent', secret: REFRESH });
    const input = { a: [ACCESS, { b: `Bearer ${OPAQUE}` }], error, n: 1, nil: null };
    const masked = maskValue(input) as Record<string, unknown>;
    expect(masked).toEqual({
      a: ['sk-ant-***', { b: 'Bearer ***' }],
      error: {
        name: 'Error',
        code: undefined,
        kind: 'permanent',
        status: undefined,
        message: 'x sk-ant-***',
      },
      n: 1,
      nil: null,
    });
    expect(input.a[0]).toBe(ACCESS); // the original is untouched
  });

  it('masks the message and format arguments, and turns a leading error into { err } plus its masked message', () => {
    const error = new Error(`boom ${ACCESS}`);
    const [first, second] = maskLogArguments([error]);
    expect(first).toEqual({ err: error });
    expect(second).toBe('boom sk-ant-***');
    expect(maskLogArguments([error, 'given'])).toEqual([{ err: error }, 'given']);
    expect(maskLogArguments([`m ${ACCESS}`, ACCESS, { t: REFRESH }])).toEqual([
      'm sk-ant-***',
      'sk-ant-***',
      { t: 'sk-ant-***' },
    ]);
    const merge = { accessToken: ACCESS };
    // The merge object is left for formatters.log and the redaction paths.
    expect(maskLogArguments([merge, 'msg'])[0]).toBe(merge);
  });

  it('has a redaction path for every token-bearing field name at the top level and one level down', () => {
    for (const field of [
      'accessToken',
      'refreshToken',
      'access_token',
      'refresh_token',
      'access',
      'refresh',
      'token',
    ]) {
      expect(REDACT_PATHS).toContain(field);
      expect(REDACT_PATHS).toContain(`*.${field}`);
    }
  });
});
