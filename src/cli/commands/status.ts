/**
 * `oauth-recovery status`: the profile as the files say it is, without starting the machine
 * or any timer: state, expiry, fingerprint, cooldown, and the Claude CLI's login compared
 * with the store. Exit 0 when the profile is usable (valid, expiring or expired: a refresh
 * fixes those), 3 when there is no usable credential (log in), 4 while cooling down.
 */
import type { Command } from 'commander';
import { ExitCode } from '../exit-codes.js';
import { describeFleet } from '../fleet-text.js';
import { formatDuration, formatTime } from '../format.js';
import { describeLastFailure, loginNeededText } from '../last-failure-text.js';
import { buildProfileReport, type ProfileReport } from '../profile-report.js';
import type { CliRunner } from '../program.js';
import { describeSinks, readSinkReport } from '../sink-report.js';

/**
 * 3 when a person must log in (no usable credential, or the refresh token is known dead even
 * while the access token still works), 4 while cooling down, else 0.
 */
export function exitCodeForState(state: ProfileReport['state'], refreshTokenDead = false): number {
  if (state === 'missing' || refreshTokenDead) return ExitCode.loginNeeded;
  if (state === 'cooldown') return ExitCode.cooldown;
  return ExitCode.ok;
}

export function describeCli(report: ProfileReport): string {
  const { cli } = report;
  if (cli.error) return `unreadable (${cli.error.message})`;
  if (!cli.present) return 'not logged in (no credentials)';
  if (cli.blank) return 'logged out (blank credentials)';
  const expiry = `expires ${formatTime(cli.expiresAt)}, fingerprint ${cli.fingerprint}`;
  if (cli.sameAsStore) return `same login as the store (${expiry})`;
  if (cli.fresher) return `FRESHER than the store (${expiry}): run \`oauth-recovery sync\``;
  return `older or equal, not adopted (${expiry})`;
}

export function printStatusText(
  report: ProfileReport,
  line: (text: string) => void,
  now: number = Date.now(),
): void {
  const expiry =
    report.expiresAt === null || report.expiresInMs === null
      ? 'no credential'
      : report.expiresInMs > 0
        ? `expires in ${formatDuration(report.expiresInMs)} (${formatTime(report.expiresAt)})`
        : `expired ${formatDuration(-report.expiresInMs)} ago (${formatTime(report.expiresAt)})`;
  line(`profile      ${report.profileId}`);
  line(`state        ${report.state}: ${expiry}`);
  if (report.fingerprint) line(`fingerprint  ${report.fingerprint}`);
  line(
    `cooldown     ${report.cooldownUntil ? `until ${formatTime(report.cooldownUntil)}` : 'none'} (errors: ${report.errorCount})`,
  );
  line(`store        ${report.store.path} (${report.store.exists ? report.store.origin : 'does not exist'})`);
  if (report.fleet)
    for (const text of Object.values(describeFleet(report.fleet, now))) line(`fleet        ${text}`);
  line(`claude cli   ${report.cli.path}`);
  line(`             ${describeCli(report)}`);
  if (report.lastFailure) {
    line(`last failure ${describeLastFailure(report.lastFailure, now)}`);
    if (report.lastFailure.message) line(`             ${report.lastFailure.message}`);
  }
  if (report.refreshTokenDead) line(`login        NEEDED: ${loginNeededText(report.expiresAt, now)}`);
  if (report.cli.writeBackBlocked) {
    line(
      `write-back   blocked: ${report.cli.writeBackBlocked}; the shared refresh token is not spent, the CLI must refresh it (delegate mode)`,
    );
  }
  for (const { field, problem } of report.foreignProblems) {
    line(`warning      another tool's entry ${field} ${problem} (not ours: carried through untouched)`);
  }
  if (report.state === 'missing') line('next         log in with `claude`, then run `oauth-recovery sync`');
  if (report.state === 'cooldown')
    line('next         it ends by itself; a fresh `claude` login ends it at once');
}

export function registerStatusCommand(program: Command, runner: CliRunner): void {
  program
    .command('status')
    .description("show the profile's state, expiry, cooldown and the Claude CLI's login (never a token)")
    .action(
      runner.action(async ({ config, output }) => {
        const report = await buildProfileReport(config);
        const sinks = await readSinkReport(config);
        if (output.json) output.result({ ...report, sinks });
        else {
          printStatusText(report, (text) => output.line(text));
          describeSinks(sinks, Date.now()).forEach((text, index) => {
            output.line(`${index === 0 ? 'sinks       ' : '            '} ${text}`);
          });
        }
        return exitCodeForState(report.state, report.refreshTokenDead);
      }),
    );
}
