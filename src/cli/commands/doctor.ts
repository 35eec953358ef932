/**
 * `oauth-recovery doctor [--online]`: checks the store, the profile, the Claude CLI's login,
 * stale locks and the token URL, and prints the fix for each problem. Exit 1 if any check
 * found an error, 0 otherwise (warnings included).
 */
import type { Command } from 'commander';
import { type Finding, runDoctorChecks } from '../doctor-checks.js';
import { runSinkDoctorChecks } from '../doctor-sinks.js';
import { ExitCode } from '../exit-codes.js';
import type { CliRunner } from '../program.js';

const MARK: Record<Finding['level'], string> = { ok: 'ok   ', warn: 'warn ', error: 'error' };

export function registerDoctorCommand(program: Command, runner: CliRunner): void {
  program
    .command('doctor')
    .description('check files, modes, JSON, expiry, freshness, stale locks and the endpoint; print the fixes')
    .option('--online', 'also ask the token endpoint to refuse a bogus refresh token (expects HTTP 400)')
    .action(
      runner.action<{ online?: boolean }>(async ({ config, output }, options) => {
        const findings = [
          ...(await runDoctorChecks(config, { online: options.online === true })),
          ...(await runSinkDoctorChecks(config)),
        ];
        const errors = findings.filter((finding) => finding.level === 'error').length;
        const warnings = findings.filter((finding) => finding.level === 'warn').length;
        if (output.json) {
          output.result({ ok: errors === 0, errors, warnings, findings });
        } else {
          for (const finding of findings) {
            output.line(`${MARK[finding.level]}  ${finding.message}`);
            if (finding.fix && finding.level !== 'ok') output.line(`       fix: ${finding.fix}`);
          }
          output.line();
          output.line(`${errors} error(s), ${warnings} warning(s)`);
        }
        return errors > 0 ? ExitCode.failure : ExitCode.ok;
      }),
    );
}
