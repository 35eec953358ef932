/**
 * A file's permissions as an operator reads them: `doctor` warns about modes other users can
 * read, and a command tells when a write changed a file's mode: our writes are always 0600 (the
 * file holds tokens), so writing into a store another tool created 0644 tightens it, which the
 * command says instead of doing silently.
 */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { errnoCode } from '../fs/fs-errors.js';

/** `stat(file)`, or null when it does not exist. @throws the stat error for anything else. */
export async function statOrNull(file: string): Promise<Stats | null> {
  try {
    return await stat(file);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    throw error;
  }
}

/** True when group or others have any permission on it (`mode & 0o077`). */
export const isOpenToOthers = (mode: number): boolean => (mode & 0o077) !== 0;

/** A file's permission bits (`mode & 0o777`), or undefined when it does not exist or cannot be read. */
export async function readFileMode(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).mode & 0o777;
  } catch {
    return undefined;
  }
}

/** Permission bits as `ls` readers know them: `0644`. */
export function formatMode(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}

/** `{ from, to }` as octal strings when an existing file's mode changed, else null. */
export function modeChange(
  before: number | undefined,
  after: number | undefined,
): { from: string; to: string } | null {
  if (before === undefined || after === undefined || before === after) return null;
  return { from: formatMode(before), to: formatMode(after) };
}
