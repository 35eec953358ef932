/**
 * Builds dist/ once before the suites that run the package as users do (the CLI binary as a
 * child process, `import('oauth-recovery')`, the README's embedding example).
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

export default function buildOnce(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
