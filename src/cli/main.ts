#!/usr/bin/env node
/**
 * The `oauth-recovery` binary. Runs the CLI, then ends the process with its exit code once
 * stdout and stderr are flushed (a lingering socket or timer never keeps a finished command alive).
 */
import { runCli } from './program.js';

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.writableLength === 0) resolve();
    else stream.write('', () => resolve());
  });
}

// A reader that closed the pipe early (`oauth-recovery doctor | head`) is not our failure: drop
// the rest of the output and end with the command's own exit code, not an unhandled EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
process.exitCode = code;
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
