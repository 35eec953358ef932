/** Optional peers load on first use; a missing one is a MissingDependencyError naming the package. */
import { describe, expect, it } from 'vitest';
import { MissingDependencyError } from '../src/errors.js';
import { assertInstalled, importOptional, requireOptional } from '../src/optional-dependency.js';

const ABSENT = 'oauth-recovery-absent-package';

describe('optional dependencies', () => {
  it('imports an installed package', async () => {
    const zod = await importOptional<typeof import('zod')>('zod', 'a test');
    expect(typeof zod.z.object).toBe('function');
    expect(typeof requireOptional<{ build: unknown }>('pino-pretty', 'a test').build).toBe('function');
    expect(() => assertInstalled('pino-pretty', 'a test')).not.toThrow();
  });

  it('turns a missing package into MissingDependencyError with the install hint', async () => {
    const error = await importOptional(ABSENT, 'the widget').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MissingDependencyError);
    expect(error).toMatchObject({
      code: 'MISSING_DEPENDENCY',
      packageName: ABSENT,
      feature: 'the widget',
      hint: `npm install ${ABSENT}`,
    });
    expect((error as Error).message).toBe(
      `the widget needs the optional package ${ABSENT}, which is not installed`,
    );
    expect(() => requireOptional(ABSENT, 'the widget')).toThrow(MissingDependencyError);
    expect(() => assertInstalled(ABSENT, 'the widget')).toThrow(MissingDependencyError);
  });

  it('passes on other load failures unchanged', async () => {
    // A relative specifier that does not exist is not "the package is not installed".
    const error = await importOptional('./no-such-file.js', 'x').catch((caught: unknown) => caught);
    expect(error).not.toBeInstanceOf(MissingDependencyError);
  });
});
