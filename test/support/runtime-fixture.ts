/**
 * A real runtime on real parts for integration tests: a temp dir holding an openclaw-style
 * store and a Claude Code config dir, the loopback fake of Anthropic, and one test clock that
 * drives the machine's timers (SimulatedClock), freshness checks and the fake's expiry alike.
 */
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SimulatedClock } from 'xstate';
import { createSilentLogger, type Logger } from '../../src/logging/logger.js';
import {
  type AuthRecovery,
  type AuthRecoveryOptions,
  type AuthRecoverySnapshot,
  createAuthRecovery,
  type RecoveryStateName,
} from '../../src/runtime/index.js';
import { type FakeAnthropic, type IssuedLogin, startFakeAnthropic } from './fake-anthropic.js';

export const PROFILE_ID = 'anthropic:claude-cli';
export const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);

/** Epoch-ms time for freshness, plus XState's SimulatedClock for the machine's timers. */
export class TestClock {
  readonly timers = new SimulatedClock();
  private ms: number;
  constructor(start = T0) {
    this.ms = start;
    this.timers.set(start);
  }
  now = (): number => this.ms;
  /** Time passes and due timers fire. */
  advance(ms: number): void {
    this.ms += ms;
    this.timers.increment(ms);
  }
  /** Time passes but no timer fires (a host asleep, a blocked event loop). */
  jump(ms: number): void {
    this.ms += ms;
  }
}

export interface RuntimeFixture {
  dir: string;
  storePath: string;
  claudeDir: string;
  cliPath: string;
  clock: TestClock;
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
  const clock = new TestClock();
  const fake = await startFakeAnthropic({ now: clock.now });
  const instances: AuthRecovery[] = [];

  const fixture: RuntimeFixture = {
    dir,
    storePath,
    claudeDir,
    cliPath,
    clock,
    fake,
    async writeStoreLogin(login, extra = {}) {
      await mkdir(path.dirname(storePath), { recursive: true, mode: 0o700 });
      const document = {
        version: 1,
        profiles: {
          [PROFILE_ID]: {
            type: 'oauth',
            provider: 'anthropic',
            access: login.accessToken,
            refresh: login.refreshToken,
            expires: login.expiresAt,
          },
          'openai:default': { type: 'api_key', provider: 'openai', key: 'not-ours' },
        },
        order: { anthropic: [PROFILE_ID] },
        lastGood: {},
        usageStats: {},
        ...extra,
      };
      await writeFile(storePath, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o600 });
    },
    async writeCliLogin(login) {
      const oauth =
        login === 'blank'
          ? { accessToken: '', refreshToken: '', expiresAt: 0, scopes: [], subscriptionType: 'max' }
          : {
              accessToken: login.accessToken,
              refreshToken: login.refreshToken,
              expiresAt: login.expiresAt,
              scopes: ['user:inference', 'user:profile'],
              subscriptionType: 'max',
              rateLimitTier: 'default_claude_max_20x',
            };
      const temp = `${cliPath}.tmp-${process.pid}`;
      await writeFile(temp, JSON.stringify({ claudeAiOauth: oauth, mcpOAuth: { keep: 'me' } }), {
        mode: 0o600,
      });
      await rename(temp, cliPath);
    },
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

/** Resolves when the runtime reaches `state` (checked on every snapshot, not by polling). */
export function waitForState(auth: AuthRecovery, state: RecoveryStateName): Promise<AuthRecoverySnapshot> {
  return new Promise((resolve) => {
    if (auth.getSnapshot().state === state) {
      resolve(auth.getSnapshot());
      return;
    }
    const unsubscribe = auth.subscribe((snapshot) => {
      if (snapshot.state === state) {
        unsubscribe();
        resolve(snapshot);
      }
    });
  });
}

/** Records every state the runtime passes through. */
export function recordStates(auth: AuthRecovery): RecoveryStateName[] {
  const states: RecoveryStateName[] = [];
  auth.subscribe((snapshot) => states.push(snapshot.state));
  return states;
}
