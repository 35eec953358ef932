/**
 * What a demo story works with: a temp dir holding an openclaw-style store and a Claude Code
 * config dir, the loopback token server, and real `createAuthRecovery` instances whose timers
 * run on a manual clock (so a refresh window or a cooldown takes no wall time).
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { OAuthCredential } from '../../credentials/types.js';
import type { InspectOption } from '../../inspect/types.js';
import { createSilentLogger, type Logger } from '../../logging/logger.js';
import { type AuthRecovery, type AuthRecoveryOptions, createAuthRecovery } from '../../runtime/index.js';
import { writeAuthProfilesFile, writeClaudeCliFile } from './login-files.js';
import { type LoopbackAnthropic, startLoopbackAnthropic } from './loopback-anthropic.js';
import { ManualClock } from './manual-clock.js';

const PROFILE_ID = 'anthropic:claude-cli';

/** Where a story's transitions and notes go. */
export interface StoryKitOptions {
  reporter: { transition(state: string, label?: string): void; note(text: string): void };
  logger?: Logger;
  inspect?: InspectOption;
}

export interface StoryKit {
  /** The path of the first tracked agent, kept for the summary even when a story fails. */
  readonly primaryPath: string[];
  clock: ManualClock;
  server: LoopbackAnthropic;
  /** Runs `hook` once when the next token request arrives, before the server answers it. */
  onNextTokenRequest(hook: () => Promise<void> | void): void;
  writeStore(login: OAuthCredential): Promise<void>;
  writeCli(login: OAuthCredential | 'blank'): Promise<void>;
  readStoreToken(): Promise<string>;
  readCliToken(): Promise<string>;
  create(options?: Partial<AuthRecoveryOptions>): AuthRecovery;
  /** Records the states `auth` passes through (and reports them when `report`). */
  track(auth: AuthRecovery, report?: boolean): string[];
  callApi(token: string): Promise<string>;
  note(text: string): void;
}

/** Builds a kit in `dir`; every runtime it creates is pushed to `instances` for the caller to stop. */
export async function createStoryKit(
  dir: string,
  options: StoryKitOptions,
  instances: AuthRecovery[],
): Promise<StoryKit> {
  const clock = new ManualClock();
  let nextTokenHook: (() => Promise<void> | void) | undefined;
  const server = await startLoopbackAnthropic({
    now: clock.now,
    async intercept({ endpoint }) {
      if (endpoint !== 'token') return false;
      const hook = nextTokenHook;
      nextTokenHook = undefined;
      await hook?.();
      return false;
    },
  });
  const storePath = path.join(dir, 'openclaw', 'agents', 'main', 'agent', 'auth-profiles.json');
  const claudeDir = path.join(dir, 'claude');
  const cliPath = path.join(claudeDir, '.credentials.json');
  await mkdir(claudeDir, { recursive: true, mode: 0o700 });
  let primaryPath: string[] | undefined;
  return {
    get primaryPath() {
      return primaryPath ?? [];
    },
    clock,
    server,
    onNextTokenRequest(hook) {
      nextTokenHook = hook;
    },
    writeStore: (login) => writeAuthProfilesFile(storePath, login),
    writeCli: (login) => writeClaudeCliFile(cliPath, login),
    async readStoreToken() {
      const document = JSON.parse(await readFile(storePath, 'utf8')) as {
        profiles: Record<string, { access?: string }>;
      };
      return document.profiles[PROFILE_ID]?.access ?? '';
    },
    async readCliToken() {
      const document = JSON.parse(await readFile(cliPath, 'utf8')) as {
        claudeAiOauth?: { accessToken?: string };
      };
      return document.claudeAiOauth?.accessToken ?? '';
    },
    create(extra = {}) {
      const auth = createAuthRecovery({
        store: storePath,
        claudeConfigDir: claudeDir,
        transport: { tokenUrl: server.tokenUrl },
        time: { now: clock.now, clock: clock.timers, random: () => 0.5 },
        logger: options.logger ?? createSilentLogger(),
        ...(options.inspect ? { inspect: options.inspect } : {}),
        env: {},
        ...extra,
      });
      instances.push(auth);
      return auth;
    },
    track(auth, report = true) {
      const states: string[] = [];
      primaryPath ??= states;
      auth.subscribe((snapshot) => {
        if (states[states.length - 1] === snapshot.state) return;
        states.push(snapshot.state);
        if (report) options.reporter.transition(snapshot.state);
      });
      return states;
    },
    async callApi(token) {
      const response = await fetch(server.apiUrl, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 1, messages: [] }),
      });
      const body = (await response.json()) as { content?: Array<{ text?: string }> };
      if (!response.ok)
        throw Object.assign(new Error(`API ${response.status}`), { status: response.status, error: body });
      return body.content?.[0]?.text ?? '';
    },
    note: (text) => options.reporter.note(text),
  };
}
