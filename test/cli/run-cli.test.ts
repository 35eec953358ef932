/** `runCli(argv, io)` in-process: injectable stdout/stderr/env/exit, never throws, returns the exit code. */
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/output.js';
import { runCli } from '../../src/cli/program.js';

function bufferIo(env: NodeJS.ProcessEnv = {}): CliIo & { out: string; err: string; exitCode?: number } {
  const io = {
    out: '',
    err: '',
    exitCode: undefined as number | undefined,
    env,
    stdout: { write: (text: string) => (io.out += text) },
    stderr: { write: (text: string) => (io.err += text) },
    exit: (code: number) => {
      io.exitCode = code;
    },
  };
  return io;
}

describe('runCli', () => {
  it('writes results to the injected stdout and hands the exit code to io.exit', async () => {
    const io = bufferIo();
    const code = await runCli(['graph', '--format', 'dot'], io);
    expect(code).toBe(0);
    expect(io.exitCode).toBe(0);
    expect(io.out).toMatch(/^digraph /);
    expect(io.err).toBe('');
  });

  it('maps commander errors to exit 2 with one line on the injected stderr', async () => {
    const io = bufferIo();
    expect(await runCli(['status', '--nope'], io)).toBe(2);
    expect(io.err).toMatch(/^error: unknown option '--nope'\n {2}fix: /);
    expect(io.out).toBe('');
  });

  it('reads the injected environment, not the process one', async () => {
    const io = bufferIo({ OAUTH_RECOVERY_LOG_LEVEL: 'nonsense' });
    expect(await runCli(['status'], io)).toBe(2);
    expect(io.err).toContain('OAUTH_RECOVERY_LOG_LEVEL must be one of');
  });

  it('prints errors as JSON on stdout too with --json', async () => {
    const io = bufferIo({ OAUTH_RECOVERY_STORE: '/' });
    expect(await runCli(['status', '--json'], io)).toBe(1);
    expect(JSON.parse(io.out)).toMatchObject({ ok: false, error: { code: 'CREDENTIAL_FILE' } });
  });
});
