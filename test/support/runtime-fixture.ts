/**
 * A real runtime on real parts for integration tests: a temp dir holding an openclaw-style
 * store and a Claude Code config dir, the loopback fake of Anthropic, and one test clock that
 * drives the machine's timers (SimulatedClock), freshness checks and the fake's expiry alike.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeAuthProfilesFile, writeClaudeCliFile } from '../../src/cli/demo/login-files.js';
import { ManualClock } from '../../src/cli/demo/manual-clock.js';
import { createSilentLogger, type Logger } from '../../src/logging/logger.js';
import {
  type AuthRecovery,
  type AuthRecoveryOptions,
  createAuthRecovery,
  type RecoveryStateName,
} from '../../src/runtime/index.js';
import { type FakeAnthropic, type IssuedLogin, startFakeAnthropic } from './fake-anthropic.js';

export const PROFILE_ID = 'anthropic:claude-cli';
export const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);
/** Another provider's profile beside ours: every write must keep it. */
export const NOT_OURS = { 'openai:default': { type: 'api_key', provider: 'openai', key: 'not-ours' } };
export { waitForState } from '../../src/cli/demo/wait-for-state.js';

export interface RuntimeFixture {
  dir: string;
  storePath: string;
  claudeDir: string;
  cliPath: string;
  clock: ManualClock;
  fake: FakeAnthropic;
  writeStoreLogin(login: IssuedLogin, extra?: Record<string, unknown>): Promise<void>;
  /** Writes the CLI's credentials file as the CLI does (temp file + rename). */
  writeCliLogin(login: IssuedLogin | 'blank'): Promise<void>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read the JSON documents loosely.
  readStore(): Promise<Record<string, any>>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read the JSON documents loosely.
  readCli(): Promise<Record<string, any>>;
  create(options?: AuthRecoveryOptions): AuthRecovery;
  /** Calls the fake API like an agent would; throws the API's 401 as an error object. */
  callApi(token: string): Promise<{ ok: true }>;
  cleanup(): Promise<void>;
}

export async function createRuntimeFixture(options: { logger?: Logger } = {}): Promise<RuntimeFixture> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'oauth-recovery-rt-'));
  const claudeDir = path.join(dir, 'claude');
  await mkdir(claudeDir, { recursive: true, mode: 0o700 });
  const storePath = path.join(dir, 'openclaw', 'auth-profiles.json');
  const cliPath = path.join(claudeDir, '.credentials.json');
  const clock = new ManualClock(T0);
  const fake = await startFakeAnthropic({ now: clock.now });
  const instances: AuthRecovery[] = [];

  const fixture: RuntimeFixture = {
    dir,
    storePath,
    claudeDir,
    cliPath,
    clock,
    fake,
    writeStoreLogin: (login, extra = {}) =>
      writeAuthProfilesFile(storePath, login, { otherProfiles: NOT_OURS, extra }),
    writeCliLogin: (login) => writeClaudeCliFile(cliPath, login, { mcpOAuth: { keep: 'me' } }),
    async readStore() {
      return JSON.parse(await readFile(storePath, 'utf8'));
    },
    async readCli() {
      return JSON.parse(await readFile(cliPath, 'utf8'));
    },
    create(runtimeOptions = {}) {
      const auth = createAuthRecovery({
        store: storePath,
        claudeConfigDir: claudeDir,
        tokenUrl: fake.tokenUrl,
        now: clock.now,
        clock: clock.timers,
        random: () => 0.5,
        logger: options.logger ?? createSilentLogger(),
        ...runtimeOptions,
      });
      instances.push(auth);
      return auth;
    },
    async callApi(token) {
      const response = await fetch(fake.apiUrl, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'claude', messages: [] }),
      });
      if (response.ok) return { ok: true };
      const body = await response.json();
      throw Object.assign(new Error(`API ${response.status}`), { status: response.status, error: body });
    },
    async cleanup() {
      await Promise.all(instances.map((auth) => auth.stop()));
      await fake.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}

/** Records every state the runtime passes through. */
export function recordStates(auth: AuthRecovery): RecoveryStateName[] {
  const states: RecoveryStateName[] = [];
  auth.subscribe((snapshot) => states.push(snapshot.state));
  return states;
}
