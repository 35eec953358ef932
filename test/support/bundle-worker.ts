/**
 * Bundles a worker once with the esbuild that tsx ships, so each child starts as plain `node`
 * (~0.1 s) instead of `node --import tsx` (~0.5 s on a 2-core runner): the suites that start a
 * child per SIGKILL or per agent would otherwise spend most of their time starting TypeScript.
 * Same source, no loader at run time. CommonJS dependencies (pino, proper-lockfile) get a
 * `require` through the banner. The bundle lives under the repo's `node_modules/.cache`, so
 * optional peers loaded by a dynamic `import(name)` (`@redis/client`, `pino-pretty`) resolve
 * from the repo's node_modules as they do in the source.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

export async function bundleWorker(entry: string): Promise<{ file: string; dispose(): Promise<void> }> {
  const requireFromTsx = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'));
  const esbuild = requireFromTsx('esbuild') as typeof import('esbuild');
  const cache = path.join(REPO_ROOT, 'node_modules', '.cache');
  await mkdir(cache, { recursive: true });
  const dir = await mkdtemp(path.join(cache, 'oauth-recovery-bundle-'));
  const file = path.join(dir, `${path.basename(entry, '.ts')}.mjs`);
  await esbuild.build({
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    absWorkingDir: REPO_ROOT,
    logLevel: 'silent',
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  return { file, dispose: () => rm(dir, { recursive: true, force: true }) };
}
