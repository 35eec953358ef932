/**
 * The real Claude Code binary for tests (`@anthropic-ai/claude-code-linux-x64`, cached by
 * `.ci/claude-code.sh`): where it is, whether to run it, and one `claude -p hi --model haiku`
 * run offline through the TLS-intercepting proxy (test/support/tls-intercept-proxy.ts).
 * Suites using it run with `npm run test:claude-code` (CLAUDE_CODE_RACE=1).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CLAUDE_CODE_PROTOCOL_VERSION } from '../../src/credentials/claude-code-protocol.js';
import { hasOpenssl, type TlsInterceptProxy } from './tls-intercept-proxy.js';

/** Bound on any one process (claude -p, refresh, watch reaching valid): generous, never waited out. */
export const PROCESS_BOUND_MS = 180_000;

export const CLAUDE_CODE_BINARY =
  process.env.CLAUDE_CODE_BIN ??
  path.join(
    os.homedir(),
    '.cache/oauth-recovery/claude-code/node_modules/@anthropic-ai/claude-code-linux-x64/claude',
  );

/** Why suites against the binary skip here, or null when they run (then a missing binary fails). */
export const claudeCodeSkipReason: string | null =
  process.env.CLAUDE_CODE_RACE !== '1'
    ? 'opt-in: run `npm run test:claude-code` (CLAUDE_CODE_RACE=1) after `bash .ci/claude-code.sh`'
    : `${process.platform}-${process.arch}` !== 'linux-x64'
      ? `the binary is linux-x64 only; this host is ${process.platform}-${process.arch}`
      : null;

/**
 * Checks the binary and openssl are there and returns a temp dir and what the binary says it is
 * (e.g. `2.1.328 (Claude Code)`).
 * @throws Error naming what is missing (a run that was asked for never skips silently).
 */
export async function prepareClaudeCodeBinary(): Promise<{ dir: string; version: string }> {
  if (!existsSync(CLAUDE_CODE_BINARY))
    throw new Error(
      `the Claude Code ${CLAUDE_CODE_PROTOCOL_VERSION} binary is not at ${CLAUDE_CODE_BINARY}: run .ci/claude-code.sh`,
    );
  if (!hasOpenssl()) throw new Error('openssl is not installed (the proxy makes its test CA with it)');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'oauth-recovery-claude-bin-'));
  const version = execFileSync(CLAUDE_CODE_BINARY, ['--version'], {
    env: { PATH: process.env.PATH, HOME: dir },
    encoding: 'utf8',
    timeout: PROCESS_BOUND_MS,
  }).trim();
  return { dir, version };
}

export interface ClaudeRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `claude -p hi --model haiku` with `HOME` and `CLAUDE_CONFIG_DIR` at a temp home, offline through `proxy`. */
export function runClaude(proxy: TlsInterceptProxy, home: string, claudeDir: string): Promise<ClaudeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(CLAUDE_CODE_BINARY, ['-p', 'hi', '--model', 'haiku'], {
      cwd: home,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        CLAUDE_CONFIG_DIR: claudeDir,
        HTTPS_PROXY: proxy.url,
        NODE_EXTRA_CA_CERTS: proxy.caFile,
        DISABLE_TELEMETRY: '1',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), PROCESS_BOUND_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
