/**
 * Can a rotated pair be written back to the CLI's store? Checked before a refresh token the CLI
 * also holds is spent: a pair we could not write back would leave the CLI holding a dead token.
 * Needs: `D` writable (the CLI's locks and the temp file live there; the rename replaces the
 * file in `D`) and, when it exists, the credentials file itself writable.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { errnoCode } from '../fs/fs-errors.js';

/** Outcome of the write-back pre-check; `reason` names the path and the errno, never content. */
export type ClaudeCliWritable = { writable: true } | { writable: false; reason: string };

/**
 * Checks `storageDir` (`D`) and, if given and present, `file` for write access.
 * Never throws: an unexpected error is reported as not writable.
 */
export async function checkClaudeCliWritable(storageDir: string, file?: string): Promise<ClaudeCliWritable> {
  for (const target of file ? [file, storageDir] : [storageDir]) {
    try {
      await access(target, constants.W_OK);
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' && target === file) continue; // no file yet: D decides
      return { writable: false, reason: `${target} is not writable (${code ?? 'error'})` };
    }
  }
  return { writable: true };
}
