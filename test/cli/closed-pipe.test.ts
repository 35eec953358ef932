/** The binary when its reader goes away first (`oauth-recovery doctor | head -1`): no crash, its own exit code. */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseEnv, CLI, ensureCliBuilt, runCliBinary } from './cli-harness.js';

describe('stdout closed by the reader', () => {
  it('ends with the command’s own exit code and no EPIPE stack trace', async () => {
    ensureCliBuilt();
    const home = await mkdtemp(path.join(os.tmpdir(), 'oauth-recovery-pipe-'));
    const env = baseEnv(home);
    const whole = await runCliBinary(['doctor'], { env });
    // doctor writes a line per check, with awaits between them; the reader is gone before the first.
    const child = spawn(process.execPath, [CLI, 'doctor'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|Unhandled|node:events/);
    expect(code).toBe(whole.code);
  });
});
