/**
 * The vitest config Stryker runs for `npm run mutate`: only the suites that exercise the pure
 * recovery core in `machines/` (its unit tests and the model-based suite), so every mutant is
 * judged by the tests that own that code and the run stays short.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/machines/**/*.test.ts', 'test/model/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
