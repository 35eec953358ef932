/**
 * Reads a small JSON text file defensively: at most `maxBytes` (default 1 MiB; a credentials
 * file is a few hundred bytes, so anything bigger is not one and is never loaded into memory),
 * regular files only (a directory, FIFO or device is refused without blocking), strict UTF-8.
 *
 * A leading UTF-8 byte-order mark is accepted and stripped (deliberately): editors on Windows
 * add one, the rest of the file is fine, and JSON.parse would otherwise fail on it. Returns
 * null when the file does not exist; every other problem is a `CredentialFileError` or
 * `CredentialParseError` naming the file and what to do, never quoting its content.
 */

import type { BigIntStats } from 'node:fs';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { CredentialFileError, CredentialParseError } from '../errors.js';
import { assertNoForeignSymlinks } from './foreign-symlinks.js';
import { describeFsError, directoryInPlaceError, errnoCode } from './fs-errors.js';

export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

export interface LimitedRead {
  text: string;
  /** Stats of the opened file (same inode as the bytes read), for change detection. */
  stats: BigIntStats;
}

export async function readLimitedText(
  file: string,
  options: { maxBytes?: number } = {},
): Promise<LimitedRead | null> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  await assertNoForeignSymlinks(file); // as root, never read through another user's link
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    throw describeFsError(file, 'read', error);
  }
  try {
    const stats = await handle.stat({ bigint: true });
    if (stats.isDirectory()) throw directoryInPlaceError(file);
    if (!stats.isFile()) {
      throw new CredentialFileError(file, 'is not a regular file', {
        hint: `Replace ${file} with a regular JSON file.`,
      });
    }
    if (stats.size > BigInt(maxBytes)) throw tooLarge(file, maxBytes);
    const bytes = await readAtMost(file, handle, maxBytes);
    return { text: decodeUtf8(file, bytes), stats };
  } finally {
    await handle.close();
  }
}

/** Reads to EOF, failing as soon as more than `maxBytes` arrive (the file may grow after stat). */
async function readAtMost(
  file: string,
  handle: Awaited<ReturnType<typeof open>>,
  maxBytes: number,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(64 * 1024);
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(chunk, 0, chunk.length, null));
    } catch (error) {
      throw describeFsError(file, 'read', error);
    }
    if (bytesRead === 0) return Buffer.concat(chunks, total);
    total += bytesRead;
    if (total > maxBytes) throw tooLarge(file, maxBytes);
    chunks.push(chunk.subarray(0, bytesRead));
  }
}

function tooLarge(file: string, maxBytes: number): CredentialFileError {
  return new CredentialFileError(file, `too large (over ${maxBytes} bytes); not a credentials file`, {
    hint: `Check what wrote ${file}; a credentials file is under a few kilobytes.`,
  });
}

/** Strict UTF-8; the BOM is stripped by TextDecoder's default (`ignoreBOM: false`). */
function decodeUtf8(file: string, bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CredentialParseError(file, '', 'is not valid UTF-8 text');
  }
}
