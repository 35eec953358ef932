/** `oauth-recovery graph --format mermaid|dot|json`: the recovery machine, drawn from its definition. */
import { type Command, Option } from 'commander';
import { createRecoveryMachine } from '../../../machines/index.js';
import {
  GRAPH_FORMATS,
  type GraphFormat,
  renderDot,
  renderGraphJson,
  renderMermaid,
} from '../../graph/index.js';
import { ExitCode } from '../exit-codes.js';
import type { CliRunner } from '../program.js';

export function renderGraph(format: GraphFormat): string {
  const machine = createRecoveryMachine();
  switch (format) {
    case 'mermaid':
      return renderMermaid(machine);
    case 'dot':
      return renderDot(machine);
    case 'json':
      return renderGraphJson(machine);
  }
}

export function registerGraphCommand(program: Command, runner: CliRunner): void {
  program
    .command('graph')
    .description('print the recovery machine as Mermaid, Graphviz DOT or JSON')
    .addOption(new Option('--format <format>', 'output format').choices(GRAPH_FORMATS).default('mermaid'))
    .action(
      runner.action<{ format: GraphFormat }>(async ({ io, output }, options) => {
        // `--json` is a shorthand for `--format json`.
        const format = output.json ? 'json' : options.format;
        const text = renderGraph(format);
        io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
        return ExitCode.ok;
      }),
    );
}
