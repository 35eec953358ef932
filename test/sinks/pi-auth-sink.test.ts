import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SinkError } from '../../src/errors.js';
import { createPiSink, resolvePiAuthPath } from '../../src/sinks/pi-auth-sink.js';

const token = {
  accessToken: 'sk-ant-oat01-pi',
  expiresAt: 1_800_000_000_000,
  profileId: 'anthropic:claude-cli',
};
let dir: string;
let authPath: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'oauth-recovery-pi-'));
  authPath = path.join(dir, 'agent', 'auth.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('resolvePiAuthPath', () => {
  it('follows pi 1.6.0: $PI_CODING_AGENT_DIR (with ~), else ~/.pi/agent', () => {
    expect(resolvePiAuthPath({ env: {}, homeDir: '/home/u' })).toBe('/home/u/.pi/agent/auth.json');
    expect(resolvePiAuthPath({ env: { PI_CODING_AGENT_DIR: '~/pi' }, homeDir: '/home/u' })).toBe(
      '/home/u/pi/auth.json',
    );
    expect(resolvePiAuthPath({ env: { PI_CODING_AGENT_DIR: '/srv/pi' } })).toBe('/srv/pi/auth.json');
  });
});

describe('pi sink', () => {
  it('writes {"anthropic":{"type":"api_key","key":<access token>}} with mode 0600, creating the file', async () => {
    await createPiSink({ authPath }).publish(token);
    expect(JSON.parse(await readFile(authPath, 'utf8'))).toEqual({
      anthropic: { type: 'api_key', key: token.accessToken },
    });
    expect((await stat(authPath)).mode & 0o777).toBe(0o600);
  });

  it('keeps every other provider as it was and replaces only anthropic', async () => {
    await mkdir(path.dirname(authPath), { recursive: true });
    const others = {
      openai: { type: 'api_key', key: 'sk-openai', env: { A: 'b' } },
      'github-copilot': { type: 'oauth', access: 'a', refresh: 'r', expires: 5 },
      anthropic: { type: 'oauth', access: 'old', refresh: 'old-r', expires: 1 },
    };
    await writeFile(authPath, JSON.stringify(others));
    await createPiSink({ authPath }).publish(token);
    expect(JSON.parse(await readFile(authPath, 'utf8'))).toEqual({
      ...others,
      anthropic: { type: 'api_key', key: token.accessToken },
    });
  });

  it('leaves a file it cannot parse untouched and says so', async () => {
    await mkdir(path.dirname(authPath), { recursive: true });
    await writeFile(authPath, '{"openai": ');
    const error = await createPiSink({ authPath })
      .publish(token)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SinkError);
    expect((error as Error).message).toMatch(/not valid JSON; left untouched/);
    expect(await readFile(authPath, 'utf8')).toBe('{"openai": ');
  });

  it("waits for pi's own lock on the real path (through a symlink) before writing", async () => {
    const real = path.join(dir, 'real', 'auth.json');
    await mkdir(path.dirname(real), { recursive: true });
    await mkdir(path.dirname(authPath), { recursive: true });
    await writeFile(real, '{}');
    await symlink(real, authPath);
    // pi 1.6.0 locks the resolved file with proper-lockfile (realpath) and a 30 s stale time.
    const release = await lockfile.lock(real, { stale: 30_000 });
    const publishing = createPiSink({ authPath }).publish(token);
    const early = await Promise.race([
      publishing.then(() => 'written'),
      new Promise((r) => setTimeout(r, 300, 'waiting')),
    ]);
    expect(early).toBe('waiting');
    expect(await readFile(real, 'utf8')).toBe('{}');
    await release();
    await publishing;
    expect(JSON.parse(await readFile(real, 'utf8'))).toEqual({
      anthropic: { type: 'api_key', key: token.accessToken },
    });
    expect((await stat(authPath)).isFile()).toBe(true);
  });
});
