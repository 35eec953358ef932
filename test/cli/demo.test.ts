/** `oauth-recovery demo` (what `npm start` runs): four stories end green, offline, fast. */
import { describe, expect, it } from 'vitest';
import { ensureCliBuilt, expectNoSecrets, runCliBinary } from './cli-harness.js';
import { DemoJsonSchema } from './schemas.js';

ensureCliBuilt();

describe('demo', () => {
  it('runs all four stories to green; the 20-agent race makes exactly one token request', async () => {
    const run = await runCliBinary(['demo', '--json'], { timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(0);
    expectNoSecrets(run);
    const summary = DemoJsonSchema.parse(JSON.parse(run.stdout));
    expect(summary.ok).toBe(true);
    expect(summary.stories.every((story) => story.ok)).toBe(true);
    expect(summary.stories.map((story) => story.tokenRequests)).toEqual([1, 1, 1, 1]);
    const [normal, revoked, cooldown, race] = summary.stories;
    expect(normal?.path).toEqual(['valid', 'refreshing', 'valid']);
    expect(revoked?.path).toEqual(expect.arrayContaining(['syncingFromCli', 'retrying']));
    expect(revoked?.path.at(-1)).toBe('valid');
    expect(cooldown?.path).toContain('cooldown');
    expect(cooldown?.path.at(-1)).toBe('valid');
    expect(race?.title).toMatch(/^20 agents/);
    expect(race?.detail).toMatch(/^1 agent refreshed, 19 adopted/);
    // The demo's own measurement, not a timed test: it must stay well within 30 s.
    expect(summary.totalMs).toBeLessThan(30_000);
  });

  it('shows each transition and ends with the summary table (plain lines when not a terminal)', async () => {
    const run = await runCliBinary(['demo'], { timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(0);
    expectNoSecrets(run);
    expect(run.stdout).toMatch(/^\[1\/4\] normal refresh at the refresh window$/m);
    expect(run.stdout).toMatch(/^ {6}state → refreshing$/m);
    expect(run.stdout).toMatch(/^ {3}story\s+path taken\s+token requests\s+time$/m);
    expect(run.stdout).toMatch(
      /^✔ {2}4\. 20 agents racing at expiry\s+valid → refreshing → valid\s+1\s+\d+ ms$/m,
    );
    expect(run.stdout).toMatch(/^4\/4 stories ended as expected in \d+ ms total$/m);
    expect(run.stdout).not.toContain('\x1b[');
  });
});
