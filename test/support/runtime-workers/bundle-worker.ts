/**
 * Bundles a TypeScript worker from this folder into one plain ESM file with the esbuild that
 * tsx ships, so child processes start as plain `node` (~0.1 s) instead of `node --import tsx`
 * (~0.5 s each on a 2-core runner). Same source, no loader at run time.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
export const RUNTIME_WORKER_DIR = import.meta.dirname;

export interface BundledWorker {
  file: string;
  cleanup(): Promise<void>;
}

export async function bundleWorker(worker: string): Promise<BundledWorker> {
  const requireFromTsx = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'));
  const esbuild = requireFromTsx('esbuild') as typeof import('esbuild');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'oauth-recovery-worker-'));
  const file = path.join(dir, `${path.basename(worker, '.ts')}.mjs`);
  await esbuild.build({
    entryPoints: [path.join(RUNTIME_WORKER_DIR, worker)],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    absWorkingDir: REPO_ROOT,
    logLevel: 'silent',
    // CommonJS dependencies (pino, proper-lockfile) call require(): give the ESM bundle one.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  return { file, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
