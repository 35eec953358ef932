/**
 * Shared test fixtures for the credential plumbing suites: throw-away temp dirs (real files,
 * removed after each test), recognisable fake tokens, a check that an error never carries a
 * token anywhere a log could show it, and a runner for worker child processes.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterEach, expect } from 'vitest';
import type { OAuthCredential } from '../../../src/credentials/types.js';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
export const WORKER_DIR = import.meta.dirname;

/** Registers an afterEach that removes every dir made through the returned factory. */
export function useTempDirs(): () => Promise<string> {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'oauth-recovery-test-'));
    dirs.push(dir);
    return dir;
  };
}

export const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
export const HOUR = 3_600_000;

let serial = 0;
/** A credential with unique, recognisable secret tokens. */
export function makeCredential(overrides: Partial<OAuthCredential> = {}): OAuthCredential {
  serial++;
  return {
    accessToken: `sk-ant-oat01-SECRET-ACCESS-${serial}-${'a'.repeat(40)}`,
    refreshToken: `sk-ant-ort01-SECRET-REFRESH-${serial}-${'r'.repeat(40)}`,
    expiresAt: NOW + 8 * HOUR,
    ...overrides,
  };
}

/** The smallest valid oauth entry of an auth-profiles document (dummy tokens, expiry 1 ms). */
export const MINIMAL_OAUTH_PROFILE = {
  type: 'oauth',
  provider: 'anthropic',
  access: 'a',
  refresh: 'r',
  expires: 1,
};

/** `credential` as an oauth entry of an auth-profiles document, the shape the file store writes. */
export function oauthProfileEntry(credential: OAuthCredential) {
  return {
    type: 'oauth',
    provider: 'anthropic',
    access: credential.accessToken,
    refresh: credential.refreshToken,
    expires: credential.expiresAt,
  };
}

export const BLANK_CREDENTIAL: OAuthCredential = { accessToken: '', refreshToken: '', expiresAt: 0 };

/** The Claude CLI's file for a credential, with extra fields the CLI and others keep there. */
export function claudeCliDocument(credential: OAuthCredential, extra: Record<string, unknown> = {}) {
  return {
    claudeAiOauth: {
      accessToken: credential.accessToken,
      refreshToken: credential.refreshToken,
      expiresAt: credential.expiresAt,
      scopes: ['user:inference', 'user:profile'],
      subscriptionType: 'max',
      rateLimitTier: 'default_claude_max_20x',
      futureField: { nested: true },
    },
    mcpOAuth: { 'server|abc': { accessToken: 'mcp-token', expiresAt: 1 } },
    ...extra,
  };
}

/**
 * Asserts that nothing reachable from `error` (message, hint, toJSON, stack, the whole
 * inspected object with its causes) contains any of the secrets, or anything starting with
 * `sk-ant-`.
 */
export function expectNoSecrets(error: unknown, secrets: readonly string[] = []): void {
  const json = JSON.stringify(error);
  const inspected = inspect(error, { depth: 10, showHidden: false });
  for (const text of [json, inspected]) {
    for (const secret of secrets) if (secret) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/sk-ant-o[ar]t01/);
  }
}

/** Byte-level identity of a file (content hash, mode, inode, mtime), for "left untouched" checks. */
export async function fileFingerprint(file: string): Promise<string> {
  const [bytes, stats] = await Promise.all([readFile(file), stat(file, { bigint: true })]);
  const hash = createHash('sha256').update(bytes).digest('hex');
  return `${hash}:${stats.mode}:${stats.ino}:${stats.mtimeNs}:${stats.size}`;
}

/** Awaits the thrown error of a promise (fails the test if it resolves). */
export async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the operation to throw');
}

export interface WorkerRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a TypeScript worker from this folder under tsx and resolves when it exits. */
export function runTsWorker(
  worker: string,
  args: readonly string[],
  options: { uid?: number; gid?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<WorkerRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(WORKER_DIR, worker), ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid ?? options.uid }),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** A small seeded PRNG (mulberry32) so random kill moments are reproducible from the seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
