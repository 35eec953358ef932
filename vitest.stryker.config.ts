/**
 * The vitest config Stryker runs for `npm run mutate`: only the suites that exercise the pure
 * recovery core in `machines/` (its unit tests and the model-based suite), so every mutant is
 * judged by the tests that own that code. The fast unit tests run first: Stryker stops at the
 * first failing test, so most mutants die in well under a second instead of after the
 * ~2,000-path model walk.
 */

import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

class UnitTestsFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification): number => (file.moduleId.includes('/test/model/') ? 1 : 0);
    return [...files].sort((a, b) => rank(a) - rank(b) || a.moduleId.localeCompare(b.moduleId));
  }
}

export default defineConfig({
  test: {
    include: ['test/machines/**/*.test.ts', 'test/model/**/*.test.ts'],
    sequence: { sequencer: UnitTestsFirst },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
