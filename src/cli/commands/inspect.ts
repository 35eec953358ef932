/**
 * `oauth-recovery inspect`: `watch` with the machine visible live: the offline inspector page
 * on a local port (works on air-gapped hosts) and, with `--stately`, the online Stately
 * inspector. Inspectors only ever see sanitized, token-free inspection events.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { openInspectors } from '../inspectors.js';
import type { CliRunner } from '../program.js';
import { runWatch } from '../watch-loop.js';

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidArgumentError('expected a port number between 0 and 65535.');
  }
  return port;
}

export function registerInspectCommand(program: Command, runner: CliRunner): void {
  program
    .command('inspect')
    .description('watch, with the offline inspector page (and --stately: the Stately inspector)')
    .option('--port <port>', 'port of the offline inspector page (0: any free port)', parsePort, 0)
    .option('--host <host>', 'address the offline inspector page listens on', '127.0.0.1')
    .option(
      '--stately',
      'also open the Stately inspector (a loopback bridge page embedding stately.ai/inspect)',
    )
    .action(
      runner.action<{ port: number; host: string; stately?: boolean }>(async (context, options) => {
        const inspectors = await openInspectors({
          port: options.port,
          host: options.host,
          stately: options.stately === true,
        });
        try {
          return await runWatch(context, {
            inspect: inspectors.observer,
            onStarted: () => {
              if (context.output.json) {
                context.output.result({
                  inspector: { url: inspectors.url, statelyUrl: inspectors.statelyUrl ?? null },
                });
              } else {
                context.output.line(`offline inspector: ${inspectors.url}`);
                if (inspectors.statelyUrl) context.output.line(`stately inspector: ${inspectors.statelyUrl}`);
              }
            },
          });
        } finally {
          await inspectors.close();
        }
      }),
    );
}
