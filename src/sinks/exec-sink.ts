/**
 * Publishes our access token to any program: it is run once per publish with the token on
 * stdin (never on its argv or in its environment, where other users and crash reports can see
 * it). Only the expiry travels in the environment, as `OAUTH_RECOVERY_EXPIRES_AT` (epoch ms).
 * The run is bounded by a timeout (then SIGKILL) and a non-zero exit is a failure.
 */
import { spawn } from 'node:child_process';
import { SinkError } from '../errors.js';
import { toSafeSnippet } from '../oauth/mask-secrets.js';
import type { PublishedToken, Sink } from './types.js';

/** The exec sink's default longest run, ms. */
export const DEFAULT_EXEC_SINK_TIMEOUT_MS = 30_000;
/** Most bytes of the program's stderr kept for the error message. */
const STDERR_KEEP_BYTES = 4096;

/** Options of `createExecSink`. */
export interface ExecSinkOptions {
  /** argv (run without a shell) or one command line (run by `/bin/sh -c`). */
  command: readonly string[] | string;
  /** `token` (default): the access token and a newline. `json`: `{"accessToken","expiresAt","profileId"}`. */
  input?: 'token' | 'json';
  /** Longest run, ms (default 30 000); then the program is killed and the publish fails. */
  timeoutMs?: number;
  /** The program's environment (without secrets). Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The exec sink.
 * @throws {SinkError} from `publish` when the program cannot start, exits non-zero, is killed
 * by a signal, or outlives `timeoutMs`. The message holds its stderr with tokens masked.
 */
export function createExecSink(options: ExecSinkOptions): Sink {
  const argv =
    typeof options.command === 'string' ? ['/bin/sh', '-c', options.command] : [...options.command];
  const [file, ...args] = argv;
  if (!file) throw new SinkError('exec', 'an empty command');
  const shown = typeof options.command === 'string' ? options.command : argv.join(' ');
  const timeoutMs = options.timeoutMs ?? DEFAULT_EXEC_SINK_TIMEOUT_MS;
  const name = `exec:${shown}`;
  return {
    kind: 'exec',
    target: shown,
    publish(token: PublishedToken) {
      const input =
        options.input === 'json'
          ? `${JSON.stringify({ accessToken: token.accessToken, expiresAt: token.expiresAt, profileId: token.profileId })}\n`
          : `${token.accessToken}\n`;
      return new Promise<void>((resolve, reject) => {
        const child = spawn(file, args, {
          stdio: ['pipe', 'ignore', 'pipe'],
          env: { ...(options.env ?? process.env), OAUTH_RECOVERY_EXPIRES_AT: String(token.expiresAt) },
        });
        let stderr = '';
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, timeoutMs);
        child.stderr.setEncoding('utf8');
        child.stderr.on('data', (chunk: string) => {
          stderr = (stderr + chunk).slice(-STDERR_KEEP_BYTES);
        });
        // A program that exits without reading stdin closes the pipe: that is not our failure.
        child.stdin.on('error', () => undefined);
        child.stdin.end(input);
        child.on('error', (error) => {
          clearTimeout(timer);
          reject(new SinkError(name, `cannot run: ${error.message}`, { cause: error }));
        });
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          const said = stderr.trim() ? `: ${toSafeSnippet(stderr.trim(), 300, [token.accessToken])}` : '';
          if (timedOut) reject(new SinkError(name, `did not finish within ${timeoutMs} ms; killed`));
          else if (signal) reject(new SinkError(name, `was killed by ${signal}${said}`));
          else if (code !== 0) reject(new SinkError(name, `exited with code ${code}${said}`));
          else resolve();
        });
      });
    },
  };
}
