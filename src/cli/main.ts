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

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
process.exitCode = code;
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
