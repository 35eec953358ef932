/**
 * Publishes our access token into pi's `auth.json` as `{"anthropic":{"type":"api_key","key":…}}`.
 * pi sends a key containing `sk-ant-oat` as an OAuth bearer (pi-ai's anthropic-messages.ts) and
 * never refreshes an `api_key` entry, so we stay the only refresher.
 *
 * Facts read from @earendil-works/pi-coding-agent 1.6.0 (dist/config.js, dist/core/auth-storage.js):
 * the file is `$PI_CODING_AGENT_DIR/auth.json` (a leading `~` is the home dir), default
 * `~/.pi/agent/auth.json`, a JSON object keyed by provider; pi locks it with proper-lockfile on
 * the resolved (real) path, i.e. the directory `<realpath>.lock`, stale after 30 s. We take
 * the same lock, re-read under it, replace only `anthropic` (other providers stay as they
 * are), and write atomically with mode 0600.
 */
import os from 'node:os';
import path from 'node:path';
import { OAuthRecoveryError, SinkError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { withLock } from '../fs/lock.js';
import { readLimitedText } from '../fs/read-limited.js';
import type { PublishedToken, Sink } from './types.js';

/** pi's own stale time for its auth.json lock, ms. */
export const PI_LOCK_STALE_MS = 30_000;

/** Options of `createPiSink` (facts from @earendil-works/pi-coding-agent 1.6.0). */
export interface PiSinkOptions {
  /** The auth.json to write. Default `$PI_CODING_AGENT_DIR/auth.json` or `~/.pi/agent/auth.json`. */
  authPath?: string;
  /** Environment read for `PI_CODING_AGENT_DIR`. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Home directory for the `~/.pi/agent` default. Default `os.homedir()`. */
  homeDir?: string;
}

/** pi's auth.json path, resolved as pi 1.6.0 resolves it. */
export function resolvePiAuthPath(options: PiSinkOptions = {}): string {
  if (options.authPath) return path.resolve(options.authPath);
  const env = options.env ?? process.env;
  const home = options.homeDir ?? os.homedir();
  const dir = env.PI_CODING_AGENT_DIR;
  if (dir) {
    const expanded = dir === '~' ? home : dir.startsWith('~/') ? path.join(home, dir.slice(2)) : dir;
    return path.resolve(expanded, 'auth.json');
  }
  return path.join(home, '.pi', 'agent', 'auth.json');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The pi sink.
 * @throws {SinkError} from `publish` when auth.json is not a JSON object (left untouched), the
 * lock cannot be taken, or the write fails.
 */
export function createPiSink(options: PiSinkOptions = {}): Sink {
  const authPath = resolvePiAuthPath(options);
  const name = `pi:${authPath}`;
  return {
    kind: 'pi',
    target: authPath,
    async publish(token: PublishedToken) {
      try {
        await withLock(
          authPath,
          async (lock) => {
            const read = await readLimitedText(authPath);
            const text = read?.text.trim() ?? '';
            let current: unknown = {};
            if (text !== '') {
              try {
                current = JSON.parse(text);
              } catch {
                throw new SinkError(name, 'is not valid JSON; left untouched', {
                  hint: 'Fix or remove it; pi cannot read it either.',
                });
              }
            }
            if (!isObject(current)) throw new SinkError(name, 'is not a JSON object; left untouched');
            const existing = current.anthropic;
            if (isObject(existing) && existing.type === 'api_key' && existing.key === token.accessToken)
              return;
            const next = { ...current, anthropic: { type: 'api_key', key: token.accessToken } };
            await writeFileAtomic(authPath, `${JSON.stringify(next, null, 2)}\n`, {
              beforeRename: () => lock.assertHeld(),
            });
          },
          { staleMs: PI_LOCK_STALE_MS },
        );
      } catch (error) {
        if (error instanceof SinkError) throw error;
        const message = error instanceof OAuthRecoveryError ? error.message : String(error);
        throw new SinkError(name, message, { cause: error });
      }
    },
  };
}
