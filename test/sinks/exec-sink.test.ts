import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SinkError } from '../../src/errors.js';
import { createExecSink } from '../../src/sinks/exec-sink.js';

const token = {
  accessToken: 'sk-ant-oat01-exec-secret',
  expiresAt: 1_800_000_000_000,
  profileId: 'anthropic:claude-cli',
};
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'oauth-recovery-exec-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A program that records its stdin, argv and environment, so the test can see where the token went. */
async function recorder(exitCode = 0): Promise<string> {
  const script = path.join(dir, 'recorder.mjs');
  await writeFile(
    script,
    `import { readFileSync, writeFileSync } from 'node:fs';
const stdin = readFileSync(0, 'utf8');
writeFileSync(${JSON.stringify(path.join(dir, 'seen.json'))}, JSON.stringify({ stdin, argv: process.argv, env: process.env }));
if (${exitCode}) { process.stderr.write('refused ' + stdin); process.exit(${exitCode}); }
`,
  );
  return script;
}

describe('exec sink', () => {
  it('hands the token on stdin only: not on argv, not in the environment; the expiry in OAUTH_RECOVERY_EXPIRES_AT', async () => {
    const sink = createExecSink({ command: [process.execPath, await recorder()] });
    await sink.publish(token);
    const seen = JSON.parse(await readFile(path.join(dir, 'seen.json'), 'utf8'));
    expect(seen.stdin).toBe(`${token.accessToken}\n`);
    expect(JSON.stringify(seen.argv)).not.toContain(token.accessToken);
    expect(JSON.stringify(seen.env)).not.toContain(token.accessToken);
    expect(seen.env.OAUTH_RECOVERY_EXPIRES_AT).toBe(String(token.expiresAt));
  });

  it('json input carries token, expiry and profile id', async () => {
    const sink = createExecSink({ command: [process.execPath, await recorder()], input: 'json' });
    await sink.publish(token);
    const seen = JSON.parse(await readFile(path.join(dir, 'seen.json'), 'utf8'));
    expect(JSON.parse(seen.stdin)).toEqual(token);
  });

  it('a command line runs through /bin/sh', async () => {
    const out = path.join(dir, 'out.txt');
    await createExecSink({ command: `cat > ${out}` }).publish(token);
    expect(await readFile(out, 'utf8')).toBe(`${token.accessToken}\n`);
  });

  it('a non-zero exit is a SinkError whose message masks the token the program echoed', async () => {
    const sink = createExecSink({ command: [process.execPath, await recorder(3)] });
    const error = await sink.publish(token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SinkError);
    expect((error as SinkError).message).toMatch(/exited with code 3: refused/);
    expect((error as SinkError).message).not.toContain(token.accessToken);
  });

  it('a program that outlives the timeout is killed and the publish fails', async () => {
    const sink = createExecSink({
      command: [process.execPath, '-e', 'setInterval(() => {}, 1000)'],
      timeoutMs: 200,
    });
    await expect(sink.publish(token)).rejects.toThrow(/did not finish within 200 ms; killed/);
  });

  it('a missing program is a SinkError, not a crash', async () => {
    const sink = createExecSink({ command: [path.join(dir, 'missing')] });
    await expect(sink.publish(token)).rejects.toThrow(/cannot run/);
  });

  it('a program that ignores stdin and exits 0 succeeds', async () => {
    await createExecSink({ command: ['/bin/true'] }).publish(token);
  });
});
