/** Delegate mode's nudge: a command (e.g. `claude auth status`) that makes the CLI refresh its own login. */
import { execFile } from 'node:child_process';
import type { Logger } from '../logging/logger.js';

/**
 * Runs `command` (argv form, no shell) with a timeout in ms and waits for it to end. A failing
 * nudge is not fatal (the re-read after it tells whether it helped): it is logged, never thrown.
 */
export async function runNudgeCommand(
  command: readonly string[] | undefined,
  timeoutMs: number,
  logger: Logger,
): Promise<void> {
  const [file, ...args] = command ?? [];
  if (!file) return;
  await new Promise<void>((resolve) => {
    execFile(file, args, { timeout: timeoutMs, windowsHide: true }, (error) => {
      if (error)
        logger.warn(
          { event: 'nudgeFailed', command: file, code: (error as { code?: unknown }).code },
          'nudge command failed',
        );
      resolve();
    });
  });
}
