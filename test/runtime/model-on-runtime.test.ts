/**
 * The recovery model's shortest paths, replayed on the real runtime with real I/O: every path
 * of the fine model (every edge into every control state, from three starting points) runs on
 * its own temp store, Claude CLI file and loopback fake Anthropic, each model event realized by
 * a real action (see model-replay.ts). After every step the runtime's state and the control
 * state its guards read must equal the model's; a path's token requests must be exactly the
 * refreshes it realized. Together the paths must reach all ten machine states.
 *
 * A few paths cannot happen on the real runtime (the model over-approximates); they are listed
 * as skipped, with the reason.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { buildModel, describePath, fineKey, modelMachine, STARTS } from '../model/recovery-model.js';
import { allStateIds } from '../model/transition-coverage.js';
import { replayOnRuntime, type StartName, toModelSteps, whyUnrealizable } from './model-replay.js';

/** A path is a dozen steps of real I/O; the slowest took 17 s at load 20. */
const PATH_TIMEOUT_MS = 180_000;
const visited = new Set<string>();
const summary = { run: 0, skipped: 0, ms: 0, tokenRequests: 0 };
const suiteStarted = performance.now();

for (const start of STARTS) {
  describe.concurrent(`model paths on the real runtime, from ${start.name}`, () => {
    const paths = buildModel(start.input, fineKey).getShortestPaths();
    paths.forEach((path, index) => {
      const steps = toModelSteps(path);
      const name = `#${index} ${describePath(path.steps.map((step) => step.event))}`;
      const reason = whyUnrealizable(steps);
      if (reason) {
        summary.skipped += 1;
        it.skip(`${name} — not realizable: ${reason}`, () => undefined);
        return;
      }
      it(name, { timeout: PATH_TIMEOUT_MS }, async ({ expect }) => {
        const result = await replayOnRuntime(start.name as StartName, steps);
        for (const state of result.visited) visited.add(state);
        summary.run += 1;
        summary.ms += result.durationMs;
        summary.tokenRequests += result.tokenRequests;
        expect(result.tokenRequests).toBe(result.expectedTokenRequests);
      });
    });
  });
}

afterAll(() => {
  const all = allStateIds(modelMachine).map((id) => id.replace(/^recovery\./, ''));
  const reached = all.filter((state) => visited.has(state));
  console.log(
    `model on runtime: ${summary.run} paths replayed, ${summary.skipped} not realizable; ` +
      `states reached ${reached.length}/${all.length}: ${reached.join(', ')}; ` +
      `${summary.tokenRequests} token requests; mean ${Math.round(summary.ms / Math.max(1, summary.run))} ms a path; ` +
      `${Math.round(performance.now() - suiteStarted)} ms in all`,
  );
  expect([...visited].sort()).toEqual([...all].sort());
});
