/** `oauth-recovery graph`: the machine as Mermaid, DOT or JSON, the same as src/graph renders it. */
import { describe, expect, it } from 'vitest';
import { createRecoveryMachine } from '../../machines/index.js';
import { renderMermaid } from '../../src/graph/index.js';
import { ensureCliBuilt, expectOneLineError, runCliBinary } from './cli-harness.js';

ensureCliBuilt();

describe('graph', () => {
  it('prints the Mermaid diagram by default, identical to the library renderer', async () => {
    const run = await runCliBinary(['graph']);
    expect(run.code).toBe(0);
    expect(run.stdout.trimEnd()).toBe(renderMermaid(createRecoveryMachine()).trimEnd());
    expect(run.stdout).toMatch(/^stateDiagram-v2/);
  });

  it('prints DOT and JSON', async () => {
    const dot = await runCliBinary(['graph', '--format', 'dot']);
    expect(dot.code).toBe(0);
    expect(dot.stdout).toMatch(/^digraph /);
    const json = await runCliBinary(['graph', '--format', 'json']);
    expect(json.code).toBe(0);
    const graph = JSON.parse(json.stdout) as { states: Array<{ id: string }> };
    expect(graph.states.map((state) => state.id)).toEqual(
      expect.arrayContaining(['valid', 'refreshing', 'syncingFromCli', 'cooldown']),
    );
  });

  it('rejects an unknown format (exit 2)', async () => {
    const run = await runCliBinary(['graph', '--format', 'svg']);
    expect(run.code).toBe(2);
    expectOneLineError(run.stderr, /argument 'svg' is invalid/);
  });
});
