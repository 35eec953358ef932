/**
 * `oauth-recovery watch`: keep the profile fresh until SIGINT/SIGTERM/SIGHUP. Logs every transition
 * to stderr (pino-pretty on a terminal, NDJSON otherwise) and exits 0 with locks released.
 */
import type { Command } from 'commander';
import type { CliRunner } from '../program.js';
import { runWatch } from '../watch-loop.js';
import { collect, type WatchSinkFlags } from '../watch-sinks.js';

export function registerWatchCommand(program: Command, runner: CliRunner): void {
  program
    .command('watch')
    .description('keep the profile fresh until SIGINT/SIGTERM/SIGHUP, logging transitions to stderr')
    .option(
      '--sink <sink>',
      'publish the access token to: openclaw | pi | exec:<command> (repeatable)',
      collect,
    )
    .option('--openclaw-agent <id>', "openclaw sink: that agent's own database instead of the shared store")
    .option(
      '--openclaw-profile <id>',
      'openclaw sink: our profile id there (default anthropic:oauth-recovery)',
    )
    .option('--openclaw-order', 'openclaw sink: put our profile first in order.anthropic')
    .action(runner.action<WatchSinkFlags>(async (context, flags) => runWatch(context, { sinks: flags })));
}
