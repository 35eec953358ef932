/** What one `doctor` check reports, and how the checks add their findings. */
import type { OAuthRecoveryError } from '../errors.js';

/** How bad a finding is: `error` makes `doctor` exit 1, `warn` and `ok` do not. */
export type FindingLevel = 'ok' | 'warn' | 'error';

/** One finding of `doctor` (also its `--json` shape). */
export interface Finding {
  /** Stable id of the check, e.g. `store.mode`. */
  check: string;
  /** How bad it is. */
  level: FindingLevel;
  /** What was found, for a person. */
  message: string;
  /** What to do about it; null when there is nothing to do. */
  fix: string | null;
}

/** How a group of checks adds a finding to the report. */
export type AddFinding = (check: string, level: FindingLevel, message: string, fix?: string | null) => void;

/** An `error` finding for `check` from a typed error: its message, its hint as the fix. */
export function errorFinding(check: string, error: OAuthRecoveryError): Finding {
  return { check, level: 'error', message: error.message, fix: error.hint ?? null };
}
