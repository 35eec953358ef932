/**
 * Telling an operator when a write changed a file's permissions: our writes are always 0600 (the
 * file holds tokens), so writing into a store another tool created 0644 tightens it, which the
 * command says instead of doing silently.
 */
import { stat } from 'node:fs/promises';

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
