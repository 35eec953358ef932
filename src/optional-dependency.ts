/**
 * Optional peer dependencies (the Stately inspector's `@statelyai/inspect`, `pino-pretty`) are
 * loaded on first use, so embedding the library installs and imports neither; a missing one is
 * a `MissingDependencyError` naming the package to install.
 */
import { createRequire } from 'node:module';
import { MissingDependencyError } from './errors.js';

const require = createRequire(import.meta.url);

/** True when `error` says `packageName` itself (not something inside it) could not be found. */
function isNotInstalled(error: unknown, packageName: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  const message = error instanceof Error ? error.message : '';
  return message.includes(`'${packageName}'`) || message.includes(`"${packageName}"`);
}

/**
 * `import(packageName)`, typed by the caller (`importOptional<typeof import('x')>('x', …)`).
 * @param feature what needs the package, for the error message (e.g. `the Stately inspector`).
 * @throws MissingDependencyError when the package is not installed; any other load error as is.
 */
export async function importOptional<T>(packageName: string, feature: string): Promise<T> {
  try {
    return (await import(packageName)) as T;
  } catch (error) {
    if (isNotInstalled(error, packageName))
      throw new MissingDependencyError(packageName, feature, { cause: error });
    throw error;
  }
}

/**
 * `require(packageName)` for a CommonJS optional dependency that must load synchronously.
 * @throws MissingDependencyError when the package is not installed; any other load error as is.
 */
export function requireOptional<T>(packageName: string, feature: string): T {
  try {
    return require(packageName) as T;
  } catch (error) {
    if (isNotInstalled(error, packageName))
      throw new MissingDependencyError(packageName, feature, { cause: error });
    throw error;
  }
}

/**
 * Whether `packageName` can be resolved from this package (without loading it).
 * @throws MissingDependencyError when it cannot, naming `feature`.
 */
export function assertInstalled(packageName: string, feature: string): void {
  try {
    require.resolve(packageName);
  } catch (error) {
    throw new MissingDependencyError(packageName, feature, { cause: error });
  }
}
