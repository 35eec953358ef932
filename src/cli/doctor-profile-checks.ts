/**
 * `doctor`'s checks of the profile we own, once the store document has been read: present,
 * oauth, not blank, its expiry, a cooldown, the last failure persisted with it, and what is
 * wrong with other tools' entries (carried through untouched, so only a warning).
 */
import { clampStoredCooldown, DEFAULT_POLICY } from '../../machines/index.js';
import { fingerprintToken } from '../credentials/fingerprint.js';
import { isCredentialBlank } from '../credentials/freshness.js';
import type { OAuthCredential } from '../credentials/types.js';
import { type AuthProfilesDocument, findForeignProblems } from '../store/auth-profiles-schema.js';
import type { LastFailure } from '../store/last-failure.js';
import { type OwnProfileView, readOwnProfile } from '../store/own-profile.js';
import type { CliConfig } from './config.js';
import type { FindingLevel } from './doctor-checks.js';
import { formatDuration, formatTime } from './format.js';
import { describeLastFailure, loginNeededText } from './last-failure-text.js';
import { describeError } from './output.js';

type Add = (check: string, level: FindingLevel, message: string, fix?: string | null) => void;

/**
 * Adds the `lastFailure` finding: an error for a dead grant (log in before `expiresAt`, epoch ms),
 * a warning for a store failure (with `storeFix`, which names the store) or endpoint trouble.
 */
export function addLastFailureFinding(
  add: Add,
  lastFailure: LastFailure,
  expiresAt: number | null,
  storeFix: string,
  now: number,
): void {
  const what = `last recovery failed ${describeLastFailure(lastFailure, now)}${lastFailure.message ? `: ${lastFailure.message}` : ''}`;
  if (lastFailure.kind === 'permanent') {
    add('lastFailure', 'error', what, `Log in: ${loginNeededText(expiresAt, now)}.`);
  } else if (lastFailure.kind === 'store') {
    add('lastFailure', 'warn', what, storeFix);
  } else {
    add(
      'lastFailure',
      'warn',
      what,
      'Endpoint trouble (network, proxy, rate limit): it is retried by itself; docs/failures.md lists each kind.',
    );
  }
}

/** Adds the profile's findings; returns its credential when there is a usable one. */
export function checkProfile(
  config: CliConfig,
  document: AuthProfilesDocument,
  now: number,
  add: Add,
): OAuthCredential | null {
  for (const { field, problem } of findForeignProblems(document, config.profileId)) {
    add(
      'store.foreign',
      'warn',
      `another tool's entry ${field} ${problem}; it is not ours and is carried through untouched`,
      'Tell the tool that owns it (or fix it by hand); oauth-recovery keeps working.',
    );
  }
  let own: OwnProfileView;
  try {
    own = readOwnProfile(document, config.profileId, config.storePath, now);
  } catch (error) {
    const report = describeError(error);
    add('profile', 'error', report.message, report.hint ?? `Fix or restore ${config.storePath}.`);
    return null;
  }
  const { profile, credential, usage, lastFailure } = own;
  if (lastFailure) {
    addLastFailureFinding(
      add,
      lastFailure,
      credential?.expiresAt ?? null,
      `Check the disk and permissions of ${config.storePath}.`,
      now,
    );
  }
  if (!profile) {
    add(
      'profile',
      'error',
      `profile ${config.profileId} is not in the store (profiles: ${Object.keys(document.profiles).join(', ') || 'none'})`,
      'Run `oauth-recovery sync` to adopt the Claude CLI login, or pass --profile.',
    );
    return null;
  }
  if (!credential) {
    add(
      'profile',
      'error',
      `profile ${config.profileId} is a ${profile.type} profile, not oauth`,
      'Pass --profile with the oauth profile id.',
    );
    return null;
  }
  if (isCredentialBlank(credential)) {
    add(
      'profile',
      'error',
      `profile ${config.profileId} holds blank tokens`,
      'Log in with `claude`, then run `oauth-recovery sync`.',
    );
  } else {
    add(
      'profile',
      'ok',
      `profile ${config.profileId}, fingerprint ${fingerprintToken(credential.accessToken)}`,
    );
    const left = credential.expiresAt - now;
    if (left <= DEFAULT_POLICY.freshnessMarginMs) {
      add(
        'expiry',
        'warn',
        `access token expired ${formatDuration(-left)} ago (${formatTime(credential.expiresAt)})`,
        'Run `oauth-recovery refresh` (or keep `oauth-recovery watch` running).',
      );
    } else {
      add(
        'expiry',
        'ok',
        `access token expires in ${formatDuration(left)} (${formatTime(credential.expiresAt)})`,
      );
    }
  }
  // The deadline the runtime honours: another tool's far-off deadline is cut to cooldownMaxMs.
  const cooldownUntil = clampStoredCooldown(usage.cooldownUntil, now, DEFAULT_POLICY);
  if (cooldownUntil !== null) {
    add(
      'cooldown',
      'warn',
      `in cooldown until ${formatTime(cooldownUntil)} after ${usage.errorCount ?? 1} failed recoveries`,
      'It ends by itself; log in with `claude` and run `oauth-recovery sync` to end it now.',
    );
  }
  return credential;
}
