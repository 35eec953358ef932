/**
 * Issue 10 against the real Claude Code binary (`@anthropic-ai/claude-code-linux-x64@2.1.328`,
 * cached by `.ci/claude-code.sh`): offline, through a loopback CONNECT proxy that terminates TLS
 * for platform.claude.com and api.anthropic.com with a test CA (test/support/tls-intercept-proxy.ts),
 * in front of the rotating fake token endpoint. Two variants, each many rounds over one shared
 * login, expired, in our store and the CLI's file: `claude -p hi --model haiku` and our `refresh`
 * (or our `watch`) are started in the same tick. Every round: exactly one token request, carrying
 * the round's live refresh token (no invalid_grant); the CLI's file is never seen blanked (read on
 * every change); both sides end on the one live pair; a second `claude -p` then works on the
 * stored login with no token request and no login.
 *
 * Runs with `npm run test:claude-code` (CLAUDE_CODE_RACE=1; `.ci/run` does, after
 * `.ci/claude-code.sh`). Skips, saying why, without CLAUDE_CODE_RACE=1 or off linux-x64; with it,
 * a missing binary or openssl fails the run instead of skipping it.
 */
import { type FSWatcher, readFileSync, watch } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAUDE_CODE_PROTOCOL_VERSION } from '../../src/credentials/claude-code-protocol.js';
import { baseEnv, ensureCliBuilt, PROFILE_ID, runCliBinary, spawnCli } from '../cli/cli-harness.js';
import {
  type ClaudeRun,
  claudeCodeSkipReason,
  PROCESS_BOUND_MS,
  prepareClaudeCodeBinary,
  runClaude,
} from '../support/claude-code-binary.js';
import {
  type FakeAnthropic,
  type ObservedTokenRequest,
  startFakeAnthropic,
} from '../support/fake-anthropic.js';
import { writeSharedExpiredLogin } from '../support/shared-login.js';
import { startTlsInterceptProxy, type TlsInterceptProxy } from '../support/tls-intercept-proxy.js';

const ROUNDS = Number(process.env.CLAUDE_CODE_ROUNDS ?? 20);
const skipReason = claudeCodeSkipReason;
if (skipReason) console.log(`skipping the real Claude Code race: ${skipReason}`);

let fake: FakeAnthropic;
let proxy: TlsInterceptProxy;
let dir: string;
/** What the cached binary says it is, e.g. `2.1.328 (Claude Code)`. */
let binaryVersion = '';

beforeAll(async () => {
  if (skipReason) return;
  ({ dir, version: binaryVersion } = await prepareClaudeCodeBinary());
  ensureCliBuilt();
  fake = await startFakeAnthropic();
  proxy = await startTlsInterceptProxy(fake);
});

afterAll(async () => {
  await proxy?.close();
  await fake?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * Reads the CLI's file on every change in its directory and counts the readings that show a
 * blanked login (or no login). Both writers rename a whole file into place, so every reading is
 * a whole document.
 */
function watchForBlanks(claudeDir: string, cliPath: string): { readonly blanks: number; close(): void } {
  let blanks = 0;
  const watcher: FSWatcher = watch(claudeDir, (_event, name) => {
    if (name !== path.basename(cliPath)) return;
    try {
      const oauth = JSON.parse(readFileSync(cliPath, 'utf8')).claudeAiOauth;
      if (!oauth?.refreshToken) blanks += 1;
    } catch {
      // Gone between the event and the read (a rename in flight): the next event reads it.
    }
  });
  return {
    get blanks() {
      return blanks;
    },
    close: () => watcher.close(),
  };
}

type Variant = 'refresh' | 'watch';

/** Our side of a round: the CLI run's outcome, and how it got its pair (for the figures). */
async function runOurs(
  variant: Variant,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<ClaudeRun & { how: string }> {
  if (variant === 'refresh') {
    const run = await runCliBinary(['refresh', '--json', ...args], { env, cwd, timeoutMs: PROCESS_BOUND_MS });
    const how = run.code === 0 ? String(JSON.parse(run.stdout).how) : 'failed';
    return { ...run, how };
  }
  const watcher = spawnCli(['watch', ...args], { env, cwd });
  try {
    await watcher.waitFor(({ stderr }) => stderr.includes('"to":"valid"'), PROCESS_BOUND_MS);
  } finally {
    watcher.kill('SIGTERM');
  }
  const run = await watcher.exited;
  const how = run.stderr.includes('"tokenRequest"')
    ? 'refresh'
    : run.stderr.includes('adoptedCliWinner') || run.stderr.includes('"synced"')
      ? 'cli'
      : 'store';
  return { ...run, how };
}

function describeRequests(requests: readonly ObservedTokenRequest[], start: number): string {
  return requests
    .map((r) => `+${r.at - start} ms ${r.headers['user-agent']} refresh token ${r.refreshTokenState}`)
    .join('; ');
}

describe.skipIf(skipReason !== null)(`the real Claude Code ${CLAUDE_CODE_PROTOCOL_VERSION} binary`, () => {
  it.each<Variant>(['refresh', 'watch'])(
    `${ROUNDS} rounds of claude -p and our %s started at once: one token request each, never blanked`,
    async (variant) => {
      const home = path.join(dir, variant, 'home');
      const claudeDir = path.join(home, '.claude');
      await mkdir(claudeDir, { recursive: true, mode: 0o700 });
      const cliPath = path.join(claudeDir, '.credentials.json');
      const storePath = path.join(dir, variant, 'store', 'auth-profiles.json');
      const ours = ['--store', storePath, '--claude-config-dir', claudeDir, '--token-url', fake.tokenUrl];
      const env = baseEnv(home, { OAUTH_RECOVERY_LOG_LEVEL: 'info' });
      const figures = { claudeWon: 0, oursWon: 0, oursAdoptedCli: 0, invalidGrants: 0, blanks: 0 };
      const roundMs: number[] = [];
      const started = performance.now();
      const grantsBefore = fake.invalidGrants;

      for (let round = 1; round <= ROUNDS; round += 1) {
        const where = `${variant} round ${round}`;
        const spent = (await writeSharedExpiredLogin(fake, storePath, cliPath)).refreshToken;
        const logStart = fake.tokenRequestLog.length;
        const wallStart = Date.now();
        const roundStart = performance.now();
        const blanks = watchForBlanks(claudeDir, cliPath);
        const [claude, ourRun] = await Promise.all([
          runClaude(proxy, home, claudeDir),
          runOurs(variant, ours, env, home),
        ]).finally(() => blanks.close());
        roundMs.push(Math.round(performance.now() - roundStart));

        const requests = fake.tokenRequestLog.slice(logStart);
        const seen = describeRequests(requests, wallStart);
        expect(claude.code, `${where}: claude -p: ${claude.stderr}`).toBe(0);
        expect(claude.stdout, where).toContain('pong');
        expect(ourRun.code, `${where}: ${variant}: ${ourRun.stderr}`).toBe(0);
        expect(requests, `${where}: token requests: ${seen}`).toHaveLength(1);
        const request = requests[0] as ObservedTokenRequest;
        expect((request.body as { refresh_token?: string }).refresh_token, `${where}: ${seen}`).toBe(spent);
        expect(request.refreshTokenState, `${where}: ${seen}`).toBe('valid');
        expect(blanks.blanks, `${where}: the CLI's file was seen blanked`).toBe(0);
        expect(`${ourRun.stderr}${ourRun.stdout}`, where).not.toContain('invalid_grant');
        const cli = JSON.parse(await readFile(cliPath, 'utf8')).claudeAiOauth;
        const stored = JSON.parse(await readFile(storePath, 'utf8')).profiles[PROFILE_ID];
        expect(fake.tokenState(cli.refreshToken), where).toBe('valid');
        expect(stored.refresh, where).toBe(cli.refreshToken);
        expect(stored.access, where).toBe(cli.accessToken);
        if (String(request.headers['user-agent']).startsWith('oauth-recovery/')) figures.oursWon += 1;
        else figures.claudeWon += 1;
        if (ourRun.how === 'cli') figures.oursAdoptedCli += 1;

        // The CLI keeps working on the login on disk: no login, no token request.
        const again = await runClaude(proxy, home, claudeDir);
        expect(again.code, `${where}: second claude -p: ${again.stderr}`).toBe(0);
        expect(again.stdout, where).toContain('pong');
        expect(fake.tokenRequestLog.length - logStart, `${where}: after the second claude -p`).toBe(1);
      }
      figures.invalidGrants = fake.invalidGrants - grantsBefore;
      const total = Math.round(performance.now() - started);
      const sorted = [...roundMs].sort((a, b) => a - b);
      console.log(
        `real claude-code race (${variant}): ${JSON.stringify({ binary: binaryVersion, rounds: ROUNDS, ...figures, totalMs: total, roundMedianMs: sorted[Math.floor(sorted.length / 2)], roundMaxMs: sorted.at(-1) })}`,
      );
      expect(figures.invalidGrants).toBe(0);
      expect(proxy.log.filter((line) => line.startsWith('REFUSED'))).toEqual([]);
    },
    ROUNDS * 3 * PROCESS_BOUND_MS,
  );
});
