/**
 * Embedding needs no optional peer: the built entry imports, logs and builds a runtime in a
 * process where `@statelyai/inspect`, `pino-pretty` and `@redis/client` cannot be resolved at
 * all (module hooks for import and require make them missing); the Stately inspector and the
 * Redis store then fail with MissingDependencyError naming the package.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, ROOT } from '../cli/cli-harness.js';

const HIDE_PEERS = `
import Module, { register } from 'node:module';
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === '@statelyai/inspect' || request === 'pino-pretty' || request.startsWith('@redis/')) {
    throw Object.assign(new Error("Cannot find module '" + request + "'"), { code: 'MODULE_NOT_FOUND' });
  }
  return resolveFilename.call(this, request, ...rest);
};
register('data:text/javascript,' + encodeURIComponent(\`
  export async function resolve(specifier, context, next) {
    if (specifier === '@statelyai/inspect' || specifier === 'pino-pretty' || specifier.startsWith('@redis/')) {
      throw Object.assign(new Error("Cannot find package '" + specifier + "'"), { code: 'ERR_MODULE_NOT_FOUND' });
    }
    return next(specifier, context);
  }\`));
`;

function runWithoutPeers(script: string) {
  const entry = pathToFileURL(path.join(ROOT, 'dist', 'src', 'index.js')).href;
  return spawnSync(
    process.execPath,
    [
      '--import',
      `data:text/javascript,${encodeURIComponent(HIDE_PEERS)}`,
      '--input-type=module',
      '-e',
      `const lib = await import(${JSON.stringify(entry)});\n${script}`,
    ],
    { encoding: 'utf8', cwd: ROOT, timeout: 30_000 },
  );
}

beforeAll(() => ensureCliBuilt());

describe('optional peers', () => {
  it('the entry imports and runs without them', () => {
    const run = runWithoutPeers(`
      const logger = lib.createLogger({ destination: { write() {} } });
      logger.info('hello');
      const auth = lib.createAuthRecovery({ store: '/nonexistent/auth-profiles.json', logger });
      console.log(typeof auth.start, Object.keys(lib).length > 10);
    `);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('function true');
  });

  it('the Stately inspector rejects `ready` with MissingDependencyError', () => {
    const run = runWithoutPeers(`
      const stately = lib.connectStatelyInspector();
      const error = await stately.ready.catch((e) => e);
      await stately.stop();
      console.log(JSON.stringify({ name: error.name, code: error.code, hint: error.hint }));
    `);
    expect(JSON.parse(run.stdout)).toEqual({
      name: 'MissingDependencyError',
      code: 'MISSING_DEPENDENCY',
      hint: 'npm install @statelyai/inspect',
    });
  });

  it('createLogger({ pretty: true }) throws MissingDependencyError', () => {
    const run = runWithoutPeers(`
      try { lib.createLogger({ pretty: true }); console.log('no error'); }
      catch (e) { console.log(e.name, e.packageName); }
    `);
    expect(run.stdout.trim()).toBe('MissingDependencyError pino-pretty');
  });

  it('the Redis store rejects its first operation with MissingDependencyError naming @redis/client', () => {
    const run = runWithoutPeers(`
      const store = lib.createRedisProfileStore({
        url: 'redis://127.0.0.1:1', encryptionKey: '${'ab'.repeat(32)}', mirrorPath: false,
      });
      const error = await store.readCredential('anthropic:claude-cli').catch((e) => e);
      await store.close();
      console.log(JSON.stringify({ name: error.name, code: error.code, packageName: error.packageName }));
    `);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      name: 'MissingDependencyError',
      code: 'MISSING_DEPENDENCY',
      packageName: '@redis/client',
    });
  });
});
