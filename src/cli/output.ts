/**
 * What the CLI prints and where: results on stdout (readable text, or ONE JSON document with
 * `--json`), logs and errors on stderr. An error is one line plus the fix, never a stack trace
 * unless `--log-level debug`. Every string that leaves here passes the `sk-ant-` mask.
 */
import { CommanderError } from 'commander';
import { OAuthRecoveryError } from '../errors.js';
import { errnoCode } from '../fs/fs-errors.js';
import { maskSecrets } from '../oauth/mask-secrets.js';
import { UsageError } from './exit-codes.js';

/** Where text goes: `process.stdout`/`process.stderr`, or a buffer in tests. */
export interface TextSink {
  write(chunk: string): unknown;
  isTTY?: boolean;
  /** Terminal width, when it is one. */
  columns?: number;
}

/** The process around the CLI, injectable so `runCli` can run in-process in tests. */
export interface CliIo {
  stdout: TextSink;
  stderr: TextSink;
  env: NodeJS.ProcessEnv;
  /** Called with the exit code once the command is done (the binary ends the process here). */
  exit?: (code: number) => void;
}

export interface ErrorReport {
  name: string;
  code: string;
  message: string;
  hint?: string;
}

const USAGE_HINT = 'Run `oauth-recovery --help` (or `oauth-recovery <command> --help`) for usage.';

/** A secret-free, one-line description of any thrown value. */
export function describeError(error: unknown): ErrorReport {
  if (error instanceof CommanderError) {
    return {
      name: 'UsageError',
      code: error.code,
      message: oneLine(error.message.replace(/^error:\s*/i, '')),
      hint: USAGE_HINT,
    };
  }
  if (error instanceof UsageError) {
    return {
      name: 'UsageError',
      code: 'USAGE',
      message: oneLine(error.message),
      hint: error.hint ?? USAGE_HINT,
    };
  }
  if (error instanceof OAuthRecoveryError) {
    return {
      name: error.name,
      code: error.code,
      message: oneLine(error.message),
      ...(error.hint ? { hint: oneLine(error.hint) } : {}),
    };
  }
  if (error instanceof Error) {
    return {
      name: error.name,
      code: errnoCode(error) ?? 'ERROR',
      message: oneLine(error.message),
    };
  }
  return { name: 'Error', code: 'ERROR', message: oneLine(String(error)) };
}

function oneLine(text: string): string {
  return maskSecrets(text)
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

export class Output {
  readonly json: boolean;
  readonly debug: boolean;
  readonly io: CliIo;

  constructor(io: CliIo, options: { json: boolean; debug: boolean }) {
    this.io = io;
    this.json = options.json;
    this.debug = options.debug;
  }

  get stdoutIsTTY(): boolean {
    return this.io.stdout.isTTY === true;
  }

  /** A line of the result, for people (ignored in `--json` mode). */
  line(text = ''): void {
    if (!this.json) this.io.stdout.write(`${maskSecrets(text)}\n`);
  }

  /** The one JSON document of a `--json` run. */
  result(value: unknown): void {
    this.io.stdout.write(`${maskSecrets(JSON.stringify(value, null, 2))}\n`);
  }

  /** A note for people that is not the result (progress, warnings): always stderr. */
  note(text: string): void {
    this.io.stderr.write(`${maskSecrets(text)}\n`);
  }

  /** One line (plus the fix) on stderr; with `--json` also `{ "error": … }` on stdout. */
  error(error: unknown): void {
    const report = describeError(error);
    this.io.stderr.write(`error: ${report.message}\n`);
    if (report.hint) this.io.stderr.write(`  fix: ${report.hint}\n`);
    if (this.debug && error instanceof Error && error.stack) {
      this.io.stderr.write(`${maskSecrets(error.stack)}\n`);
      const cause = (error as { cause?: unknown }).cause;
      if (cause instanceof Error)
        this.io.stderr.write(`caused by: ${maskSecrets(cause.stack ?? cause.message)}\n`);
    }
    if (this.json) this.result({ ok: false, error: report });
  }
}
