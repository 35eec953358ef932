/**
 * One fresh fixture per test: created in `beforeEach`, cleaned up in `afterEach`, so a file
 * writes `const fx = fixturePerTest(createRuntimeFixture);` instead of the same six lines of
 * hooks. The returned object forwards every property to the current test's fixture (methods
 * bound to it); touching it outside a test throws.
 */
import { afterEach, beforeEach } from 'vitest';

/** Registers the hooks in the calling file (or `describe`) and returns the per-test fixture. */
export function fixturePerTest<F extends { cleanup(): Promise<void> }>(create: () => Promise<F>): F {
  let current: F | undefined;
  beforeEach(async () => {
    current = await create();
  });
  afterEach(async () => {
    const done = current;
    current = undefined;
    await done?.cleanup();
  });
  return new Proxy({} as F, {
    get(_target, key) {
      if (current === undefined) throw new Error(`fixture.${String(key)} read outside a test`);
      const value: unknown = Reflect.get(current, key, current);
      return typeof value === 'function' ? value.bind(current) : value;
    },
  });
}
