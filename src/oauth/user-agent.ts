/**
 * The User-Agent we send to the token endpoint: `oauth-recovery/<version> node/<version>`, so
 * Anthropic (and a proxy's logs) can tell our refreshes from the Claude Code CLI's.
 * The version is read from our own package.json by walking up from this module, which works
 * both from `src/` (tsx, vitest) and from `dist/src/` (the published build).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'oauth-recovery';
let cachedVersion: string | undefined;

export function packageVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  cachedVersion = '0.0.0';
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth += 1) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (manifest.name === PACKAGE_NAME && typeof manifest.version === 'string') {
        cachedVersion = manifest.version;
        break;
      }
    } catch {
      // No (readable) package.json here: keep walking up.
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return cachedVersion;
}

export function defaultUserAgent(): string {
  return `${PACKAGE_NAME}/${packageVersion()} node/${process.version}`;
}
