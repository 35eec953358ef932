/**
 * The `oauth-recovery` command line on commander 14: global options, one file per command in
 * `commands/`, and `runCli(argv, io)`, which never throws and never calls `process.exit`
 * itself: it returns the exit code (and hands it to `io.exit` when given). Commander's own
 * errors (unknown flag, bad value, missing argument) become exit code 2 with one line and a fix.
 */
import { Command, CommanderError, Option } from 'commander';
import type { Logger } from '../logging/logger.js';
import { createCliLogger } from './cli-logger.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerGraphCommand } from './commands/graph.js';
import { registerInspectCommand } from './commands/inspect.js';
import { registerRefreshCommand } from './commands/refresh.js';
import { registerStatusCommand } from './commands/status.js';
import { registerSyncCommand } from './commands/sync.js';
import { registerWatchCommand } from './commands/watch.js';
import { type CliConfig, type GlobalOptions, LOG_LEVELS, resolveCliConfig } from './config.js';
import { ExitCode, exitCodeForError, UsageError } from './exit-codes.js';
import { type CliIo, Output } from './output.js';
import { PACKAGE_VERSION } from './version.js';

/** What every command gets: the resolved configuration, the output, and a logger on demand. */
export interface CommandContext {
  config: CliConfig;
  output: Output;
  io: CliIo;
  /** The CLI logger (stderr; pretty on a terminal, NDJSON otherwise), created on first use. */
  logger(): Logger;
}

export type CommandAction<O> = (context: CommandContext, options: O) => Promise<number>;

/** Registers commands' actions so that `runCli` learns their exit code and reports their errors. */
export interface CliRunner {
  readonly io: CliIo;
  action<O>(fn: CommandAction<O>): (...args: unknown[]) => Promise<void>;
}

function isDebug(level: string | undefined): boolean {
  return level === 'debug' || level === 'trace';
}

/** Reads `--json` / `--log-level` from raw argv, for errors raised before commander is done. */
function rawFlags(argv: readonly string[], env: NodeJS.ProcessEnv): { json: boolean; debug: boolean } {
  let level = env.OAUTH_RECOVERY_LOG_LEVEL;
  argv.forEach((arg, index) => {
    if (arg === '--log-level') level = argv[index + 1];
    else if (arg.startsWith('--log-level=')) level = arg.slice('--log-level='.length);
  });
  return { json: argv.includes('--json'), debug: isDebug(level) };
}

export function buildProgram(runner: CliRunner): Command {
  const { io } = runner;
  const program = new Command('oauth-recovery');
  program
    .description("Keeps an AI agent's Anthropic OAuth login alive: status, sync, refresh, watch, doctor.")
    .version(PACKAGE_VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // runCli prints commander's errors itself: one line plus the fix.
      outputError: () => undefined,
    })
    .showSuggestionAfterError(true)
    // `help <command>` and `<command> --help` list the global flags too (commands inherit this).
    .configureHelp({ showGlobalOptions: true })
    .option(
      '--store <path|url>',
      'profile store: an auth-profiles.json, or redis://… / rediss://… (fleet; key in OAUTH_RECOVERY_REDIS_KEY); env OAUTH_RECOVERY_STORE',
    )
    .option('--profile <id>', 'profile id in the store', 'anthropic:claude-cli')
    .option(
      '--claude-config-dir <dir>',
      "Claude Code's config dir; env CLAUDE_SECURESTORAGE_CONFIG_DIR, then CLAUDE_CONFIG_DIR (default ~/.claude)",
    )
    .option('--token-url <url>', 'OAuth token endpoint; env OAUTH_RECOVERY_TOKEN_URL')
    .option('--json', 'print one JSON document on stdout instead of text')
    .addOption(
      new Option(
        '--log-level <level>',
        'log level (stderr); env OAUTH_RECOVERY_LOG_LEVEL (default info)',
      ).choices(LOG_LEVELS),
    )
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 failure, 2 usage error, 3 nothing fresher / login needed, 4 in cooldown.
Docs: docs/cli.md (reference), docs/operations.md (runbook).`,
    );

  registerStatusCommand(program, runner);
  registerSyncCommand(program, runner);
  registerRefreshCommand(program, runner);
  registerWatchCommand(program, runner);
  registerDoctorCommand(program, runner);
  registerDemoCommand(program, runner);
  registerGraphCommand(program, runner);
  registerInspectCommand(program, runner);
  return program;
}

/** Runs the CLI on `argv` (without `node` and the script). Resolves with the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const runner: CliRunner = {
    io,
    action<O>(fn: CommandAction<O>) {
      return async (...args: unknown[]) => {
        const command = args[args.length - 1] as Command;
        const globals = command.optsWithGlobals() as GlobalOptions;
        let output = new Output(io, { json: globals.json === true, debug: isDebug(globals.logLevel) });
        try {
          const config = resolveCliConfig(globals, io.env);
          output = new Output(io, { json: config.json, debug: isDebug(config.logLevel) });
          let logger: Logger | undefined;
          const context: CommandContext = {
            config,
            output,
            io,
            logger: () => {
              logger ??= createCliLogger(io, config.logLevel);
              return logger;
            },
          };
          exitCode = await fn(context, command.opts() as O);
          logger?.flush();
        } catch (error) {
          output.error(error);
          exitCode = exitCodeForError(error);
        }
      };
    },
  };

  try {
    await buildProgram(runner).parseAsync([...argv], { from: 'user' });
  } catch (error) {
    exitCode = exitCodeForError(error);
    const quiet =
      error instanceof CommanderError &&
      ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(error.code);
    if (!quiet) new Output(io, rawFlags(argv, io.env)).error(error);
    // `help bogus`: commander prints the full help as an error; say which command is unknown.
    const helpTarget = argv[argv.indexOf('help') + 1];
    if (quiet && exitCode !== ExitCode.ok && argv.includes('help') && helpTarget !== undefined) {
      new Output(io, rawFlags(argv, io.env)).error(
        new UsageError(
          `unknown command '${helpTarget}'`,
          'Run `oauth-recovery --help` for the list of commands.',
        ),
      );
    }
  }
  io.exit?.(exitCode);
  return exitCode;
}
