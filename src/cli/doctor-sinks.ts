/**
 * `doctor`'s checks for the one-refresher setup: which openclaw store is on this host and what
 * that means for our store, the retired `anthropic:claude-cli` profile, `node:sqlite` for the
 * openclaw sink, and each sink's last publish as `watch` recorded it. Read-only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { hasNodeSqlite } from '../sinks/node-sqlite.js';
import { OPENCLAW_RETIRED_CLAUDE_CLI_PROFILE } from '../sinks/openclaw-paths.js';
import { openclawSqliteStorePath, openclawStorePath } from '../store/default-store-path.js';
import type { CliConfig } from './config.js';
import type { Finding, FindingLevel } from './doctor-checks.js';
import { formatTime } from './format.js';
import { readSinkReport } from './sink-report.js';

const MIGRATION = 'See docs/integration.md, "Migrating from the retired anthropic:claude-cli profile".';

function holdsRetiredProfile(file: string): boolean {
  try {
    const document = JSON.parse(readFileSync(file, 'utf8')) as { profiles?: Record<string, unknown> };
    return document.profiles?.[OPENCLAW_RETIRED_CLAUDE_CLI_PROFILE] !== undefined;
  } catch {
    return false;
  }
}

export async function runSinkDoctorChecks(
  config: CliConfig,
  now: () => number = Date.now,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  const add = (check: string, level: FindingLevel, message: string, fix: string | null = null) =>
    findings.push({ check, level, message, fix });
  const env = config.env;
  const sqlite = openclawSqliteStorePath({ env });
  const legacyJson = openclawStorePath({ env });
  if (sqlite) {
    add(
      'openclaw.store',
      'ok',
      `openclaw 2026.7+ SQLite store ${sqlite}: openclaw reads only SQLite, so oauth-recovery keeps the refresh token in ${config.storePath} and publishes access tokens with \`watch --sink openclaw\``,
    );
    if (config.storePath === legacyJson) {
      add(
        'openclaw.store',
        'warn',
        `the store in use is openclaw's retired ${legacyJson}, which openclaw 2026.7+ no longer reads`,
        `Drop --store/OAUTH_RECOVERY_STORE, run \`oauth-recovery sync\`, then \`oauth-recovery watch --sink openclaw\`. ${MIGRATION}`,
      );
    }
    if (existsSync(legacyJson)) {
      add(
        'openclaw.legacyJson',
        'warn',
        `${legacyJson} still exists${holdsRetiredProfile(legacyJson) ? ` with the retired ${OPENCLAW_RETIRED_CLAUDE_CLI_PROFILE} profile` : ''}; while openclaw's SQLite store is empty, openclaw blocks anthropic (AUTH_PROFILE_MIGRATION_REQUIRED)`,
        `Run \`openclaw doctor --fix\` (it imports and renames the file) and \`oauth-recovery watch --sink openclaw\`. ${MIGRATION}`,
      );
    }
    if (!hasNodeSqlite()) {
      add(
        'openclaw.nodeSqlite',
        'warn',
        `this Node (${process.versions.node}) has no node:sqlite, which the openclaw sink needs`,
        'Run `oauth-recovery watch --sink openclaw` with Node ≥ 22.13, e.g. the node that runs openclaw.',
      );
    }
  } else if (existsSync(legacyJson)) {
    add(
      'openclaw.store',
      'ok',
      `openclaw ≤ 2026.6 JSON store ${legacyJson}: shared with openclaw directly, no sink needed`,
    );
  }

  const record = await readSinkReport(config);
  for (const sink of record?.sinks ?? []) {
    const check = `sink.${sink.kind}`;
    const label = `sink ${sink.kind} ${sink.target}`;
    if (sink.lastError && (sink.lastPublishAt === null || sink.lastError.at >= sink.lastPublishAt)) {
      add(
        check,
        'error',
        `${label}: last publish failed at ${formatTime(sink.lastError.at)}: ${sink.lastError.message}`,
        'Fix the cause above; `watch` retries on its own (30 s doubling to 5 min) and at every refresh.',
      );
    } else if (sink.lastPublishedExpiresAt !== null && sink.lastPublishedExpiresAt <= now()) {
      add(
        check,
        'warn',
        `${label}: the token it holds expired at ${formatTime(sink.lastPublishedExpiresAt)}`,
        'Is `oauth-recovery watch --sink …` running? Start it (docs/operations.md).',
      );
    } else if (sink.lastPublishAt !== null) {
      add(
        check,
        'ok',
        `${label}: published ${formatTime(sink.lastPublishAt)}, token expires ${formatTime(sink.lastPublishedExpiresAt)}`,
      );
    }
  }
  return findings;
}
