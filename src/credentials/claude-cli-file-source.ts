/**
 * The Claude Code CLI's `.credentials.json` as a `ClaudeCliSource`. Reads are cached and
 * re-done only when the file's identity changes (inode, size, mtime, ctime in ns: an atomic
 * replace changes the inode, an in-place rewrite the mtime). Write-back runs under the CLI's own
 * `D/.storage-write.lock`, re-reads inside it, applies the CLI's compare-and-swap, changes only
 * the token fields, and replaces the file atomically with mode 0600. On any failure the file is
 * untouched.
 */
import type { BigIntStats } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { describeFsError, errnoCode } from '../fs/fs-errors.js';
import { readLimitedText } from '../fs/read-limited.js';
import { interpretClaudeCliDocument } from './claude-cli-document.js';
import { type ClaudeCliCredentialsDocument, ClaudeCliCredentialsSchema } from './claude-cli-schema.js';
import type { ClaudeCliReadResult, ClaudeCliSource } from './claude-cli-source.js';
import { checkClaudeCliWritable } from './claude-cli-writable.js';
import { writeBackUnderLock } from './claude-cli-write-back.js';
import { DEFAULT_FRESHNESS_MARGIN_MS, type WriteOptions } from './freshness.js';
import { parseJsonDocument } from './json-document.js';
import type { OAuthCredential } from './types.js';

export interface ClaudeCliFileSourceOptions {
  /** Path of `.credentials.json`. */
  path: string;
  now?: (() => number) | undefined;
  marginMs?: number | undefined;
  maxBytes?: number | undefined;
}

export function createClaudeCliFileSource(options: ClaudeCliFileSourceOptions): ClaudeCliSource {
  const file = options.path;
  const storageDir = path.dirname(file);
  const now = options.now ?? Date.now;
  const marginMs = options.marginMs ?? DEFAULT_FRESHNESS_MARGIN_MS;
  let cache: { key: string; result: ClaudeCliReadResult } | undefined;

  async function readDocument(): Promise<{
    document: ClaudeCliCredentialsDocument;
    text: string;
    key: string;
  } | null> {
    const read = await readLimitedText(file, { maxBytes: options.maxBytes });
    if (!read) return null;
    const document = parseJsonDocument(ClaudeCliCredentialsSchema, read.text, file);
    return { document, text: read.text, key: identityKey(read.stats) };
  }

  return {
    kind: 'file',
    location: file,
    watchTarget: file,
    storageDir,

    checkWritable: () => checkClaudeCliWritable(storageDir, file),

    async read() {
      let key: string;
      try {
        key = identityKey(await stat(file, { bigint: true }));
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT') throw describeFsError(file, 'read', error);
        cache = undefined;
        return { status: 'missing' };
      }
      if (cache?.key === key) return cache.result;
      const read = await readDocument();
      if (!read) {
        cache = undefined;
        return { status: 'missing' };
      }
      const result = interpretClaudeCliDocument(read.document, now());
      cache = { key: read.key, result };
      return result;
    },

    async writeBack(rotated: OAuthCredential, writeOptions: WriteOptions = {}) {
      const outcome = await writeBackUnderLock(
        {
          storageDir,
          target: file,
          read: readDocument,
          store: async (text, lock) => {
            await writeFileAtomic(file, text, { beforeRename: () => lock.assertHeld() });
          },
          now,
          marginMs,
        },
        rotated,
        writeOptions,
      );
      cache = undefined;
      return outcome;
    },
  };
}

function identityKey(stats: BigIntStats): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;
}
