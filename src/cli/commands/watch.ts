/**
 * `oauth-recovery watch`: keep the profile fresh until SIGINT/SIGTERM. Logs every transition
 * to stderr (pino-pretty on a terminal, NDJSON otherwise) and exits 0 with locks released.
 */
import type { Command } from 'commander';
import type { CliRunner } from '../program.js';
import { runWatch } from '../watch-loop.js';

export function registerWatchCommand(program: Command, runner: CliRunner): void {
  program
    .command('watch')
    .description('keep the profile fresh until SIGINT/SIGTERM, logging transitions to stderr')
    .action(runner.action(async (context) => runWatch(context)));
}
