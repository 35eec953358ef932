/**
 * Notices a change to the Claude Code CLI's credentials: a new `claude` login, or the CLI's
 * own refresh. The directory is watched, not the file, because writers replace the file by
 * rename and a watch on the old inode would go quiet. Bursts are debounced, and a change is
 * reported only when the CLI's token actually differs from the last one seen (our own
 * write-back is not news).
 */
import { type FSWatcher, watch } from 'node:fs';
import path from 'node:path';
import type { ClaudeCliSource } from '../credentials/claude-cli-source.js';
import type { Logger } from '../logging/logger.js';

export interface CliWatcherOptions {
  cli: ClaudeCliSource;
  logger: Logger;
  /** The fingerprint we currently hold, so our own write-back is ignored. */
  currentFingerprint: () => string | undefined;
  onChange: () => void;
  debounceMs?: number;
}

export function watchCliCredentials(options: CliWatcherOptions): () => void {
  const { cli, logger } = options;
  const directory = path.dirname(cli.watchTarget);
  const base = path.basename(cli.watchTarget);
  let lastSeen: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  let closed = false;

  const check = async (): Promise<void> => {
    try {
      const read = await cli.read();
      const seen = read.status === 'ok' ? read.meta.fingerprint : read.status;
      if (seen === lastSeen) return;
      lastSeen = seen;
      if (read.status === 'ok' && read.meta.fingerprint === options.currentFingerprint()) return;
      logger.debug({ event: 'cliChanged', status: read.status }, 'Claude CLI credentials changed');
      if (!closed) options.onChange();
    } catch (error) {
      logger.debug(
        { event: 'cliUnreadable', err: error },
        'Claude CLI credentials unreadable after a change',
      );
    }
  };

  // Remember what the CLI holds now, so only later changes count.
  void cli
    .read()
    .then((read) => {
      lastSeen = read.status === 'ok' ? read.meta.fingerprint : read.status;
    })
    .catch(() => undefined);

  try {
    watcher = watch(directory, { persistent: false }, (_type, filename) => {
      if (filename && filename.toString() !== base) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void check(), options.debounceMs ?? 100);
      timer.unref?.();
    });
    watcher.on('error', (error) => logger.debug({ event: 'cliWatchError', err: error }, 'CLI watch stopped'));
  } catch (error) {
    // No directory yet (CLI never logged in): nothing to watch; SYNC_REQUESTED still works.
    logger.debug({ event: 'cliWatchUnavailable', err: error, directory }, 'cannot watch the CLI directory');
  }

  return () => {
    closed = true;
    if (timer) clearTimeout(timer);
    watcher?.close();
  };
}
