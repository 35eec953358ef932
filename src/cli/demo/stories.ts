/**
 * The four demo stories, each on real parts (./story-kit.ts: temp dirs, the loopback token
 * server, real `createAuthRecovery` instances on a manual clock).
 *
 * 1. A normal refresh when the refresh window opens.
 * 2. The Claude CLI refreshed first (our refresh token is dead): invalid_grant → sync from the
 *    CLI → the rejected call is retried → ok.
 * 3. Nothing fresher (the CLI is logged out) → cooldown → a `claude` login → recovery.
 * 4. 20 agents sharing one store race at expiry → exactly one token request.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fingerprintToken } from '../../credentials/fingerprint.js';
import { CooldownError } from '../../errors.js';
import type { AuthRecovery } from '../../runtime/index.js';
import { createStoryKit, type StoryKit, type StoryKitOptions } from './story-kit.js';
import { waitForState } from './wait-for-state.js';

const MINUTE = 60_000;

export interface StoryResult {
  id: number;
  title: string;
  ok: boolean;
  /** The states the (first) agent went through, e.g. `['valid', 'refreshing', 'valid']`. */
  path: string[];
  tokenRequests: number;
  expectedTokenRequests: number;
  durationMs: number;
  /** One line: what happened, or what went wrong. */
  detail: string;
}

/** How the demo shows progress: the command renders these (spinner on a TTY, lines otherwise). */
export interface StoryReporter {
  begin(story: { id: number; total: number; title: string }): void;
  transition(state: string, label?: string): void;
  note(text: string): void;
  end(result: StoryResult): void;
}

export interface DemoOptions extends StoryKitOptions {
  reporter: StoryReporter;
  /** A story that takes longer fails (the demo never hangs). Default 10 s. */
  storyTimeoutMs?: number;
}

interface StoryOutcome {
  ok: boolean;
  detail: string;
  path: string[];
}

interface Story {
  title: string;
  expectedTokenRequests: number;
  run(kit: StoryKit): Promise<StoryOutcome>;
}

function expect(condition: boolean, failure: string, failures: string[]): void {
  if (!condition) failures.push(failure);
}

function outcome(failures: string[], path: string[], success: string): StoryOutcome {
  return { ok: failures.length === 0, detail: failures.length === 0 ? success : failures.join('; '), path };
}

const normalRefresh: Story = {
  title: 'normal refresh at the refresh window',
  expectedTokenRequests: 1,
  async run(kit) {
    const login = { ...kit.server.issueLogin(), expiresAt: kit.clock.now() + 10 * MINUTE };
    await kit.writeStore(login);
    await kit.writeCli(login);
    const auth = kit.create({ watchCli: false });
    const path = kit.track(auth);
    await auth.start();
    kit.note('the token expires in 10 min; the clock moves 5 min to the refresh window');
    const refreshed = waitForState(auth, 'refreshing').then(() => waitForState(auth, 'valid'));
    kit.clock.advance(5 * MINUTE);
    await refreshed;
    const token = await auth.getAccessToken();
    const reply = await kit.callApi(token);
    const failures: string[] = [];
    expect(token !== login.accessToken, 'the token did not change', failures);
    expect((await kit.readStoreToken()) === token, 'the store does not hold the new token', failures);
    expect(
      (await kit.readCliToken()) === token,
      'the rotated pair was not written back to the CLI',
      failures,
    );
    expect(reply === 'pong', 'the API refused the new token', failures);
    return outcome(
      failures,
      path,
      `refreshed once; new fingerprint ${fingerprintToken(token)} written to the store and back to the CLI`,
    );
  },
};

const revokedRefreshToken: Story = {
  title: 'revoked refresh token → CLI sync → retry',
  expectedTokenRequests: 1,
  async run(kit) {
    const first = kit.server.issueLogin();
    await kit.writeStore(first);
    await kit.writeCli(first);
    const auth = kit.create({ watchCli: false });
    const path = kit.track(auth);
    await auth.start();
    kit.note(
      'half an hour later the Claude CLI refreshes first: our pair is dead; its new login reaches the CLI file only while our refresh is in flight',
    );
    kit.clock.advance(30 * MINUTE);
    const second = kit.server.rotate(first.refreshToken);
    // The CLI file still holds the old pair when we take the lock and re-read it, so we do spend
    // our (dead) refresh token; the CLI's write lands as that request arrives → invalid_grant.
    kit.onNextTokenRequest(() => kit.writeCli(second));
    const seen: string[] = [];
    kit.note('the agent calls the API with withAuth()');
    const reply = await auth.withAuth(async (token) => {
      seen.push(token);
      return kit.callApi(token);
    });
    const failures: string[] = [];
    expect(reply === 'pong', 'the withAuth call did not succeed', failures);
    expect(
      seen.length === 2 && seen[0] === first.accessToken && seen[1] === second.accessToken,
      'the call was not retried once with the CLI token',
      failures,
    );
    expect(
      (await kit.readStoreToken()) === second.accessToken,
      "the store does not hold the CLI's token",
      failures,
    );
    return outcome(
      failures,
      path,
      `invalid_grant, adopted the CLI's login (${fingerprintToken(second.accessToken)}); the call was retried and succeeded`,
    );
  },
};

const cooldownThenLogin: Story = {
  title: 'nothing fresher → cooldown → claude login',
  expectedTokenRequests: 1,
  async run(kit) {
    const dead = kit.server.issueLogin();
    kit.server.revoke(dead.refreshToken);
    await kit.writeStore({ ...dead, expiresAt: kit.clock.now() - MINUTE });
    await kit.writeCli('blank');
    kit.note('the login was revoked and the CLI is logged out (blank credentials)');
    const auth = kit.create({ watchCli: true });
    const path = kit.track(auth);
    const cooling = waitForState(auth, 'cooldown');
    await auth.start();
    const { cooldownUntil } = await cooling;
    const failures: string[] = [];
    const during = await auth.getAccessToken().then(
      () => 'token',
      (error: unknown) => (error instanceof CooldownError ? 'cooldown' : 'other error'),
    );
    expect(during === 'cooldown', 'calls did not fail fast during the cooldown', failures);
    kit.note(
      `calls fail fast with CooldownError until +${Math.round(((cooldownUntil ?? 0) - kit.clock.now()) / 1000)} s`,
    );
    kit.note('a person runs `claude` and logs in: the CLI file changes');
    const recovered = waitForState(auth, 'valid');
    const login = kit.server.issueLogin();
    await kit.writeCli(login);
    // The CLI watcher ends the cooldown; should a file system not report the change, ask once.
    const timer = setTimeout(() => void auth.sync().catch(() => undefined), 3000);
    await recovered;
    clearTimeout(timer);
    const token = await auth.getAccessToken();
    const reply = await kit.callApi(token);
    expect(token === login.accessToken, 'the new login was not adopted', failures);
    expect(reply === 'pong', 'the API refused the recovered token', failures);
    return outcome(
      failures,
      path,
      `cooldown ended by the CLI login at once; adopted ${fingerprintToken(login.accessToken)}`,
    );
  },
};

const AGENTS = 20;

const agentRace: Story = {
  title: `${AGENTS} agents racing at expiry`,
  expectedTokenRequests: 1,
  async run(kit) {
    const login = { ...kit.server.issueLogin(), expiresAt: kit.clock.now() + 10 * MINUTE };
    await kit.writeStore(login);
    await kit.writeCli(login);
    const agents = Array.from({ length: AGENTS }, () => kit.create({ watchCli: false }));
    const path = kit.track(agents[0]!);
    for (const agent of agents.slice(1)) kit.track(agent, false);
    await Promise.all(agents.map((agent) => agent.start()));
    kit.note(`${AGENTS} agents share one store; the clock moves to the refresh window`);
    const settled = Promise.all(
      agents.map((agent) => waitForState(agent, 'refreshing').then(() => waitForState(agent, 'valid'))),
    );
    kit.clock.advance(5 * MINUTE);
    await settled;
    const tokens = new Set(await Promise.all(agents.map((agent) => agent.getAccessToken())));
    const [token] = [...tokens];
    const failures: string[] = [];
    expect(tokens.size === 1, `the agents hold ${tokens.size} different tokens`, failures);
    expect(token !== login.accessToken, 'the token did not change', failures);
    expect(
      token !== undefined && (await kit.callApi(token)) === 'pong',
      'the API refused the shared token',
      failures,
    );
    const refreshedBy = agents.filter((agent) => agent.getSnapshot().tokenRequests > 0).length;
    return outcome(
      failures,
      path,
      `${refreshedBy} agent refreshed, ${AGENTS - refreshedBy} adopted its token from the store under the lock`,
    );
  },
};

export const STORIES: readonly Story[] = [normalRefresh, revokedRefreshToken, cooldownThenLogin, agentRace];

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function runStory(story: Story, id: number, options: DemoOptions): Promise<StoryResult> {
  options.reporter.begin({ id, total: STORIES.length, title: story.title });
  const started = performance.now();
  const dir = await mkdtemp(path.join(os.tmpdir(), `oauth-recovery-demo-${id}-`));
  const instances: AuthRecovery[] = [];
  let kit: StoryKit | undefined;
  let result: StoryOutcome;
  try {
    kit = await createStoryKit(dir, options, instances);
    result = await withTimeout(story.run(kit), options.storyTimeoutMs ?? 10_000, `story ${id}`);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    result = { ok: false, detail, path: kit?.primaryPath ?? [] };
  }
  const tokenRequests = kit?.server.tokenRequests ?? 0;
  await Promise.all(instances.map((auth) => auth.stop().catch(() => undefined)));
  await kit?.server.close();
  await rm(dir, { recursive: true, force: true });
  const ok = result.ok && tokenRequests === story.expectedTokenRequests;
  const final: StoryResult = {
    id,
    title: story.title,
    ok,
    path: result.path,
    tokenRequests,
    expectedTokenRequests: story.expectedTokenRequests,
    durationMs: Math.round(performance.now() - started),
    detail:
      result.ok && !ok
        ? `${tokenRequests} token requests, expected ${story.expectedTokenRequests}`
        : result.detail,
  };
  options.reporter.end(final);
  return final;
}

/** Runs the four stories one after another. */
export async function runDemoStories(options: DemoOptions): Promise<StoryResult[]> {
  const results: StoryResult[] = [];
  for (const [index, story] of STORIES.entries()) results.push(await runStory(story, index + 1, options));
  return results;
}
