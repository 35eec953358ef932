// @ts-check
/**
 * `npm run mutate`: mutation testing of the pure recovery core (`machines/`) against its own
 * suites — the unit tests in test/machines and the model-based suite in test/model — through
 * vitest.stryker.config.ts. Reports land in reports/mutation/ (gitignored).
 *
 * Provably equivalent mutants are disabled in the source with a `// Stryker disable` comment
 * that says why; nothing else is excluded.
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
const config = {
  packageManager: 'npm',
  plugins: ['@stryker-mutator/vitest-runner'],
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.ts' },
  mutate: ['machines/**/*.ts'],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 30_000,
  reporters: ['clear-text', 'html', 'json', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 80, break: null },
};

export default config;
