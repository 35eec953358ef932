/**
 * Runs the built `oauth-recovery` binary (dist/src/cli/main.js) as a child process, as an
 * operator would, against temp dirs and the loopback fake of Anthropic. HOME and the config
 * dirs point into the temp dir, so no test ever reads or writes a real login.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { writeAuthProfilesFile, writeClaudeCliFile } from '../../src/cli/demo/login-files.js';
import { type FakeAnthropic, type IssuedLogin, startFakeAnthropic } from '../support/fake-anthropic.js';
import { NOT_OURS } from '../support/runtime-fixture.js';
import { createArrivals } from '../support/wait-for.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
export const PROFILE_ID = 'anthropic:claude-cli';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let built = false;

/**
 * dist/ is built once per run by test/global-setup.ts; this guard builds it (once per test
 * file) only when a suite runs without that setup.
 */
export function ensureCliBuilt(): void {
  if (built || existsSync(CLI)) {
    built = true;
    return;
  }
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
  } catch {
    // tsc emits even when another part of the tree has type errors; the check below decides.
  }
  if (!existsSync(CLI)) throw new Error(`the CLI was not built: ${CLI}`);
  built = true;
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  /** The node binary to run the CLI with. Default this process's (e.g. a cached Node 24 instead). */
  execPath?: string;
  cwd?: string;
  timeoutMs?: number;
  /** Run as this user (the tests run as root, which ignores file modes). */
  uid?: number;
  gid?: number;
}

/** A clean environment: no OAUTH_RECOVERY_* or CLAUDE_CONFIG_DIR from the host. */
export function baseEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    OPENCLAW_STATE_DIR: path.join(home, '.openclaw'),
    USER: 'tester',
    ...extra,
  };
}

export function runCliBinary(args: readonly string[], options: SpawnOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? os.tmpdir(),
      env: options.env ?? baseEnv(os.tmpdir()),
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.uid !== undefined ? { uid: options.uid, gid: options.gid ?? options.uid } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A long-running command (watch, inspect) that the test stops with a signal. */
export interface RunningCli {
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves when `predicate` holds for stderr (or stdout), or rejects after `timeoutMs`. */
  waitFor(
    predicate: (output: { stdout: string; stderr: string }) => boolean,
    timeoutMs?: number,
  ): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  exited: Promise<CliRun>;
}

export function spawnCli(args: readonly string[], options: SpawnOptions = {}): RunningCli {
  const child = spawn(options.execPath ?? process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? os.tmpdir(),
    env: options.env ?? baseEnv(os.tmpdir()),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const arrivals = createArrivals();
  const poke = () => arrivals.notify();
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    poke();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    poke();
  });
  const exited = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      poke();
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    waitFor(predicate, timeoutMs = 15_000) {
      return arrivals.waitFor({
        condition: () => predicate({ stdout, stderr }),
        timeoutMs,
        timeoutMessage: () => `timed out waiting for the CLI; stderr so far:\n${stderr}`,
        failure: () =>
          child.exitCode === null
            ? undefined
            : new Error(`the CLI exited (${child.exitCode}) first:\n${stderr}`),
      });
    },
    kill(signal) {
      child.kill(signal);
    },
    exited,
  };
}

export interface CliFixture {
  dir: string;
  home: string;
  storePath: string;
  claudeDir: string;
  cliPath: string;
  fake: FakeAnthropic;
  /** Every token the test seeded or the fake issued through a helper: must never be printed. */
  secrets: string[];
  login(overrides?: Partial<IssuedLogin>): IssuedLogin;
  writeStore(login: IssuedLogin | null, extra?: Record<string, unknown>): Promise<void>;
  writeCli(login: IssuedLogin | 'blank'): Promise<void>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read the JSON documents loosely.
  readStore(): Promise<Record<string, any>>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read the JSON documents loosely.
  readCli(): Promise<Record<string, any>>;
  /** `--store`, `--claude-config-dir` and `--token-url` for this fixture. */
  flags(): string[];
  run(args: readonly string[], options?: SpawnOptions): Promise<CliRun>;
  spawn(args: readonly string[], options?: SpawnOptions): RunningCli;
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

export async function createCliFixture(): Promise<CliFixture> {
  ensureCliBuilt();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'oauth-recovery-cli-'));
  const home = path.join(dir, 'home');
  await mkdir(home, { recursive: true });
  const storePath = path.join(dir, 'openclaw', 'auth-profiles.json');
  const claudeDir = path.join(dir, 'claude');
  const cliPath = path.join(claudeDir, '.credentials.json');
  await mkdir(claudeDir, { recursive: true, mode: 0o700 });
  const fake = await startFakeAnthropic();
  const secrets: string[] = [];

  const fixture: CliFixture = {
    dir,
    home,
    storePath,
    claudeDir,
    cliPath,
    fake,
    secrets,
    login(overrides = {}) {
      const login = { ...fake.issueLogin(), ...overrides };
      secrets.push(login.accessToken, login.refreshToken);
      return login;
    },
    writeStore: (login, extra = {}) =>
      writeAuthProfilesFile(storePath, login, { otherProfiles: NOT_OURS, extra }),
    writeCli: (login) => writeClaudeCliFile(cliPath, login, { mcpOAuth: { keep: 'me' } }),
    async readStore() {
      return JSON.parse(await readFile(storePath, 'utf8'));
    },
    async readCli() {
      return JSON.parse(await readFile(cliPath, 'utf8'));
    },
    flags() {
      return ['--store', storePath, '--claude-config-dir', claudeDir, '--token-url', fake.tokenUrl];
    },
    env(extra = {}) {
      return baseEnv(home, extra);
    },
    run(args, options = {}) {
      return runCliBinary(args, { cwd: dir, env: fixture.env(), ...options });
    },
    spawn(args, options = {}) {
      return spawnCli(args, { cwd: dir, env: fixture.env(), ...options });
    },
    async cleanup() {
      await fake.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}

/** Logins for the usual cases, by the real clock (the binary runs on Date.now). */
export const expiresIn = {
  hours: (count: number) => Date.now() + count * HOUR,
  minutes: (count: number) => Date.now() + count * MINUTE,
};

/** No token the test knows of, and nothing token-shaped, in anything the CLI printed. */
export function expectNoSecrets(
  run: { stdout: string; stderr: string },
  secrets: readonly string[] = [],
): void {
  const output = `${run.stdout}\n${run.stderr}`;
  expect(output).not.toContain('sk-ant-');
  for (const secret of secrets) expect(output).not.toContain(secret);
}

/** An error is one `error:` line plus one `fix:` line, and no stack trace. */
export function expectOneLineError(stderr: string, message?: RegExp): void {
  const lines = stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^error: /);
  if (message) expect(lines[0]).toMatch(message);
  expect(lines.length).toBeLessThanOrEqual(2);
  if (lines[1] !== undefined) expect(lines[1]).toMatch(/^ {2}fix: /);
  expect(stderr).not.toMatch(/\n\s+at /);
}
