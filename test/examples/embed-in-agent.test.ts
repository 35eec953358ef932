/**
 * The README's embedding example, run as a user would: through the built package
 * (`import 'oauth-recovery'` resolves to dist/), configured only by environment variables,
 * against the loopback fake of Anthropic.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAgentTurn } from '../../examples/embed-in-agent.js';
import { writeAuthProfilesFile, writeClaudeCliFile } from '../../src/cli/demo/login-files.js';
import { type FakeAnthropic, startFakeAnthropic } from '../support/fake-anthropic.js';

let dir: string;
let fake: FakeAnthropic;
const saved = { ...process.env };

const storePath = () => process.env.OAUTH_RECOVERY_STORE as string;
const cliPath = () => path.join(process.env.CLAUDE_CONFIG_DIR as string, '.credentials.json');

async function callAnthropic(token: string): Promise<string> {
  const response = await fetch(fake.apiUrl, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '{}',
  });
  if (!response.ok) throw Object.assign(new Error(`HTTP ${response.status}`), { status: response.status });
  return 'answered';
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'oauth-recovery-example-'));
  fake = await startFakeAnthropic();
  process.env.OAUTH_RECOVERY_STORE = path.join(dir, 'auth-profiles.json');
  process.env.CLAUDE_CONFIG_DIR = path.join(dir, 'claude');
  process.env.OAUTH_RECOVERY_TOKEN_URL = fake.tokenUrl;
});

afterEach(async () => {
  process.env = { ...saved };
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

describe('README embedding example', () => {
  it('is the README\'s "Embed it" snippet, byte for byte', async () => {
    const root = new URL('../../', import.meta.url);
    const readme = await readFile(new URL('README.md', root), 'utf8');
    const example = await readFile(new URL('examples/embed-in-agent.ts', root), 'utf8');
    const section = readme.slice(readme.indexOf('## Embed it'));
    const snippet = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(snippet).toBe(example);
  });

  it('answers with a valid login', async () => {
    const login = fake.issueLogin();
    await writeAuthProfilesFile(storePath(), login);
    expect(await runAgentTurn(callAnthropic)).toBe('answered');
    expect(fake.tokenRequests).toBe(0);
  });

  it('still answers after the Claude CLI rotated the shared login behind its back', async () => {
    const login = fake.issueLogin();
    await writeAuthProfilesFile(storePath(), login);
    const rotated = { ...fake.rotate(login.refreshToken) };
    rotated.expiresAt += 60_000; // issued later than ours
    await writeClaudeCliFile(cliPath(), rotated);
    expect(await runAgentTurn(callAnthropic)).toBe('answered');
  });

  it('reports a cooldown instead of failing when nobody has a working login', async () => {
    const login = fake.issueLogin();
    await writeAuthProfilesFile(storePath(), login);
    fake.rotate(login.refreshToken);
    expect(await runAgentTurn(callAnthropic)).toMatch(/^paused until \d{4}-/);
  });
});
