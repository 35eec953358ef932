/**
 * `oauth-recovery demo`: four recovery stories, fully offline (temp dirs, a loopback token
 * server, real runtimes on a fast demo clock), each transition shown as it happens, then a
 * summary table. Exit 0 only if every story ended as expected. `--json` prints the summary as
 * JSON; `--inspect` opens the inspectors and keeps them up after the stories until Ctrl-C.
 */
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { createCliLogger } from '../cli-logger.js';
import { createPlainReporter, createSilentReporter, createTtyReporter, plural } from '../demo/progress.js';
import { runDemoStories, type StoryResult } from '../demo/stories.js';
import { ExitCode } from '../exit-codes.js';
import { formatTable } from '../format.js';
import { type OpenInspectors, openInspectors } from '../inspectors.js';
import type { CliRunner } from '../program.js';

export function summaryTable(results: readonly StoryResult[], totalMs: number): string[] {
  const rows = [
    ['', 'story', 'path taken', 'token requests', 'time'],
    ...results.map((result) => [
      result.ok ? '✔' : '✘',
      `${result.id}. ${result.title}`,
      result.path.join(' → ') || '-',
      String(result.tokenRequests),
      `${result.durationMs} ms`,
    ]),
  ];
  const passed = results.filter((result) => result.ok).length;
  return [
    ...formatTable(rows),
    '',
    `${passed}/${results.length} stories ended as expected in ${totalMs} ms total${passed === results.length ? '' : ' — FAILED'}`,
  ];
}

function waitForInterrupt(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

export function registerDemoCommand(program: Command, runner: CliRunner): void {
  program
    .command('demo')
    .description('run four recovery stories offline on a loopback token server (what `npm start` runs)')
    .option('--inspect', 'open the offline inspector page (and the Stately inspector with --stately)')
    .option('--stately', 'with --inspect: also open the Stately inspector')
    .action(
      runner.action<{ inspect?: boolean; stately?: boolean }>(async ({ config, output, io }, options) => {
        const reporter = output.json
          ? createSilentReporter()
          : io.stdout.isTTY
            ? createTtyReporter(io.stdout)
            : createPlainReporter(io.stdout);
        let inspectors: OpenInspectors | undefined;
        if (options.inspect) {
          inspectors = await openInspectors({ stately: options.stately === true });
          output.note(`offline inspector: ${inspectors.url}`);
          if (inspectors.statelyUrl) output.note(`stately inspector: ${inspectors.statelyUrl}`);
        }
        // The stories narrate themselves; library logs only when asked for with --log-level.
        const logger = config.logLevelExplicit ? createCliLogger(io, config.logLevel) : undefined;
        try {
          if (!output.json) {
            output.line('oauth-recovery demo: offline, temp dirs, a loopback token server, a fast clock\n');
          }
          const started = performance.now();
          const results = await runDemoStories({
            reporter,
            ...(logger ? { logger } : {}),
            ...(inspectors ? { inspect: inspectors.observer } : {}),
          });
          const totalMs = Math.round(performance.now() - started);
          const ok = results.every((result) => result.ok);
          if (output.json) {
            output.result({ ok, totalMs, stories: results });
          } else {
            output.line();
            for (const line of summaryTable(results, totalMs)) output.line(line);
            const race = results[3];
            if (race)
              output.line(
                `the ${race.title.split(' ')[0]}-agent race made ${plural(race.tokenRequests, 'token request')}`,
              );
          }
          if (inspectors) {
            output.note('inspectors stay open; press Ctrl-C to exit');
            await waitForInterrupt();
          }
          return ok ? ExitCode.ok : ExitCode.failure;
        } finally {
          logger?.flush();
          await inspectors?.close();
        }
      }),
    );
}
